// The real cohere-ai client (v2), in an app preloaded with @mltel/node/register (ESM and CJS),
// against a server replaying captured Cohere API responses: exact GenAI metrics in the scrape.
import { describe, expect, it } from 'vitest';
import {
  clientVersion,
  DURATION,
  ENTRIES,
  expectNoCanaries,
  expectSameWithout,
  FIRST,
  PER_CHUNK,
  runClientApp,
  sampleOf,
  tokenLabels,
  TOKENS_SUM,
  useReplay,
} from './llm-client-app.js';
import { startClientReplayServer } from './llm-replay-clients.js';

const PACKAGES = ['cohere-ai'];
const VERSION = clientVersion(PACKAGES[0]!);

const replay = useReplay(startClientReplayServer);

const cohere = (operation: string, model: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: operation,
  gen_ai_provider_name: 'cohere',
  gen_ai_request_model: model,
  ...extra,
});
const tokens = tokenLabels;

describe.each(ENTRIES)(`cohere-ai ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) => runClientApp('llm-app-cohere', PACKAGES, entry, replay().url, env);
    const instrumented = await run();
    const { seen, samples } = instrumented;
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toMatchObject({
      chat: { inputTokens: 7, outputTokens: 88 },
      rawStatus: 200,
      streamEvents: 104,
      embeddings: 6,
      tooMany: { class: 'TooManyRequestsError', statusCode: 429 },
      serverError: { class: 'InternalServerError', statusCode: 500 },
    });
    const chat = cohere('chat', 'command');
    // chat, chat().withRawResponse() and chatStream: 7 billed input tokens each; 88, 88 and 109 out.
    expect(s(DURATION, chat)).toBe(3);
    expect(s(TOKENS_SUM, tokens(chat, 'input'))).toBe(21);
    expect(s(TOKENS_SUM, tokens(chat, 'output'))).toBe(285);
    expect(s(FIRST, chat)).toBe(1);
    expect(s(PER_CHUNK, chat)).toBe(99);
    const embed = cohere('embeddings', 'embed-english-v3.0');
    expect(s(TOKENS_SUM, tokens(embed, 'input'))).toBe(208);
    // Cost from the built-in catalog: command, 21 in x $1/M + 285 out x $2/M. embed-english-v3.0 has
    // no price in genai-prices 0.1.8 nor in the LiteLLM copy: its call counts as unpriced (a price
    // file in MLTEL_PRICES adds it).
    expect(s('ml_cost_usd_total', chat)).toBe(0.000591);
    expect(samples.filter((x) => x.name === 'ml_cost_usd_total')).toHaveLength(1);
    expect(
      s('ml_cost_unpriced_total', { gen_ai_provider_name: 'cohere', gen_ai_request_model: 'embed-english-v3.0' }),
    ).toBe(1);
    expect(samples.filter((x) => x.name === 'ml_cost_unpriced_total')).toHaveLength(1);
    expect(s(DURATION, cohere('chat', 'command-r', { error_type: '429' }))).toBe(1);
    expect(s(DURATION, cohere('chat', 'command-r', { error_type: '500' }))).toBe(1);
    await expectSameWithout(run, instrumented, 'cohere');
  });
});

describe('cohere-ai scrape', () => {
  it('holds no prompt, no response text and no API key', async () => {
    const { text } = await runClientApp('llm-app-cohere', PACKAGES, ENTRIES[0]!, replay().url);
    expectNoCanaries(text, ['CANARY', 'sk-test', 'pirate', 'matey', 'Carson', 'Bearer']);
  });
});
