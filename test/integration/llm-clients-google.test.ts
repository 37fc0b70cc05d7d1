// The real @google/genai client, in an app preloaded with @mltel/node/register (ESM and CJS),
// against a server replaying captured Gemini API responses: exact GenAI metrics in the scrape.
import { describe, expect, it } from 'vitest';
import {
  clientVersion,
  COST,
  DETAIL,
  DURATION,
  ENTRIES,
  expectNoCanaries,
  expectSameWithout,
  FIRST,
  genAiLabels,
  PER_CHUNK,
  runClientApp,
  sampleOf,
  tokenLabels,
  TOKENS_SUM,
  useReplay,
} from './llm-client-app.js';
import { startClientReplayServer } from './llm-replay-clients.js';

const PACKAGES = ['@google/genai'];
const VERSION = clientVersion(PACKAGES[0]!);

const replay = useReplay(startClientReplayServer);

const gemini = genAiLabels('gcp.gemini');
const tokens = tokenLabels;

describe.each(ENTRIES)(`@google/genai ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) => runClientApp('llm-app-google', PACKAGES, entry, replay().url, env);
    const instrumented = await run();
    const { seen, samples } = instrumented;
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toMatchObject({
      generate: { thoughts: 282 },
      streamChunks: 3,
      embeddings: [2, 2],
      tooMany: { class: 'ApiError', status: 429, instanceOf: true },
      serverError: { class: 'ApiError', status: 500, instanceOf: true },
      midstreamChunks: 1,
    });

    const generate = gemini('chat', 'gemini-3-pro-preview', 'gemini-3-pro-preview');
    // generateContent and the stream (its model given as models/…, recorded without the prefix).
    expect(s(DURATION, generate)).toBe(2);
    // 9 + 9 input; 29 + 282 thinking, then 29 + 256 thinking in the stream's last chunk.
    expect(s(TOKENS_SUM, tokens(generate, 'input'))).toBe(18);
    expect(s(TOKENS_SUM, tokens(generate, 'output'))).toBe(596);
    expect(s(DETAIL, tokens(generate, 'reasoning'))).toBe(538);
    expect(s(FIRST, gemini('chat', 'gemini-3-pro-preview'))).toBe(1);
    expect(s(PER_CHUNK, gemini('chat', 'gemini-3-pro-preview'))).toBe(2);

    const embed = gemini('embeddings', 'gemini-embedding-2');
    expect(s(DURATION, embed)).toBe(1);
    expect(s(TOKENS_SUM, tokens(embed, 'input'))).toBe(12);

    expect(s(DURATION, gemini('chat', 'gemini-2.5-flash', undefined, { error_type: '429' }))).toBe(1);
    expect(s(DURATION, gemini('chat', 'gemini-2.5-flash', undefined, { error_type: '500' }))).toBe(1);
    // The stream that died after its first chunk: model and tokens so far, the error kept.
    const cut = gemini('chat', 'gemini-2.5-pro', 'gemini-3-pro-preview');
    expect(s(DURATION, { ...cut, error_type: 'UND_ERR_SOCKET' })).toBe(1);
    expect(s(TOKENS_SUM, tokens(cut, 'output'))).toBe(266);

    // Priced from the built-in catalog (gemini-3-pro-preview: $2/M in, $12/M out, thinking
    // billed as output): 9 x 2 + 311 x 12, and 9 x 2 + 285 x 12, per million.
    expect(
      s(COST, {
        gen_ai_operation_name: 'chat',
        gen_ai_provider_name: 'gcp.gemini',
        gen_ai_request_model: 'gemini-3-pro-preview',
      }),
    ).toBe(0.007188);
    // The same app with the instrumentation off sees exactly the same, and nothing is recorded.
    await expectSameWithout(run, instrumented, 'google-genai');
  });
});

describe('@google/genai scrape', () => {
  it('holds no prompt, no response text and no API key', async () => {
    const { text } = await runClientApp('llm-app-google', PACKAGES, ENTRIES[0]!, replay().url);
    expectNoCanaries(text, ['CANARY', 'sk-test', 'strawberry', 'breakdown', 'Bearer', 'x-goog-api-key']);
  });
});
