// The real @mistralai/mistralai client, in an app preloaded with @mltel/node/register (ESM, and
// CommonJS through require(esm)), against a server replaying captured Mistral API responses:
// exact GenAI metrics in the scrape.
import { describe, expect, it } from 'vitest';
import {
  clientVersion,
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

const PACKAGES = ['@mistralai/mistralai'];
const VERSION = clientVersion(PACKAGES[0]!);

const replay = useReplay(startClientReplayServer);

const mistral = genAiLabels('mistral_ai');
const tokens = tokenLabels;

describe.each(ENTRIES)(`@mistralai/mistralai ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) => runClientApp('llm-app-mistral', PACKAGES, entry, replay().url, env);
    const instrumented = await run();
    const { seen, samples } = instrumented;
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toMatchObject({
      chat: { promptTokens: 11, completionTokens: 81 },
      streamEvents: 102,
      embedding: 1024,
      headersChat: 96,
      tooMany: { statusCode: 429 },
      serverError: { statusCode: 500 },
    });

    const chat = mistral('chat', 'mistral-tiny', 'mistral-tiny');
    // complete, stream and the answer with rate-limit headers (11 in, 96 out).
    expect(s(DURATION, chat)).toBe(3);
    expect(s(TOKENS_SUM, tokens(chat, 'input'))).toBe(33);
    expect(s(TOKENS_SUM, tokens(chat, 'output'))).toBe(278);
    expect(s(FIRST, mistral('chat', 'mistral-tiny'))).toBe(1);
    expect(s(PER_CHUNK, mistral('chat', 'mistral-tiny'))).toBe(99);
    const embed = mistral('embeddings', 'mistral-embed', 'mistral-embed');
    expect(s(DURATION, embed)).toBe(1);
    expect(s(TOKENS_SUM, tokens(embed, 'input'))).toBe(10);
    // Cost from the built-in catalog (genai-prices 0.1.8): mistral-tiny, (11 + 11 + 11) in +
    // (81 + 101 + 96) out, all at $0.25/M (311 tokens); mistral-embed 10 in x $0.10/M. The failed
    // calls reported no usage.
    const cost = (labels: Record<string, string>) => s('ml_cost_usd_total', labels);
    expect(cost(mistral('chat', 'mistral-tiny'))).toBe(0.00007775);
    expect(cost(mistral('embeddings', 'mistral-embed'))).toBe(0.000001);
    expect(samples.filter((x) => x.name === 'ml_cost_usd_total')).toHaveLength(2);
    expect(samples.filter((x) => x.name === 'ml_cost_unpriced_total')).toEqual([]);
    // Rate-limit headroom from the headers captured with mistral-chat-ratelimit.json, read through
    // the SDK's response hooks: 59 of 60 requests per 10 seconds, 1999893 of 2000000 tokens a minute.
    const gauge = (name: string, kind: string) =>
      samples.find(
        (x) =>
          x.name === `ml_provider_rate_limit_${name}` &&
          x.labels.gen_ai_provider_name === 'mistral_ai' &&
          x.labels.gen_ai_request_model === 'mistral-tiny' &&
          x.labels.ml_rate_limit_kind === kind,
      )?.value;
    expect([gauge('remaining', 'requests'), gauge('limit', 'requests')]).toEqual([59, 60]);
    expect([gauge('remaining', 'tokens'), gauge('limit', 'tokens')]).toEqual([1999893, 2000000]);
    expect(samples.filter((x) => x.name === 'ml_provider_rate_limit_remaining')).toHaveLength(2);
    expect(s(DURATION, mistral('chat', 'mistral-small-latest', undefined, { error_type: '429' }))).toBe(1);
    expect(s(DURATION, mistral('chat', 'mistral-small-latest', undefined, { error_type: '500' }))).toBe(1);
    await expectSameWithout(run, instrumented, 'mistral');
  });
});

describe('@mistralai/mistralai scrape', () => {
  it('holds no prompt, no response text and no API key', async () => {
    const { text } = await runClientApp('llm-app-mistral', PACKAGES, ENTRIES[0]!, replay().url);
    expectNoCanaries(text, ['CANARY', 'sk-test', 'therapy', 'join a band', 'light-hearted', 'Bearer']);
  });
});
