// The real groq-sdk client, in an app preloaded with @mltel/node/register (ESM and CJS), against a
// server replaying captured Groq API responses: exact GenAI metrics in the scrape.
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

const PACKAGES = ['groq-sdk'];
const VERSION = clientVersion(PACKAGES[0]!);

const replay = useReplay(startClientReplayServer);

const groq = (request: string, response?: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: 'chat',
  gen_ai_provider_name: 'groq',
  gen_ai_request_model: request,
  ...(response === undefined ? {} : { gen_ai_response_model: response }),
  ...extra,
});
const tokens = tokenLabels;

describe.each(ENTRIES)(`groq-sdk ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) => runClientApp('llm-app-groq', PACKAGES, entry, replay().url, env);
    const instrumented = await run();
    const { seen, samples } = instrumented;
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toMatchObject({
      chat: 43,
      streamChunks: 74,
      streamHasController: true,
      tooMany: { class: 'RateLimitError', status: 429 },
      serverError: { class: 'InternalServerError', status: 500 },
    });
    const chat = groq('llama3-8b-8192', 'llama3-8b-8192');
    expect(s(DURATION, chat)).toBe(2);
    expect(s(TOKENS_SUM, tokens(chat, 'input'))).toBe(36);
    expect(s(TOKENS_SUM, tokens(chat, 'output'))).toBe(116);
    expect(s(FIRST, groq('llama3-8b-8192'))).toBe(1);
    expect(s(PER_CHUNK, groq('llama3-8b-8192'))).toBe(71);
    // Cost from the built-in catalog: llama3-8b-8192, 36 in x $0.05/M + 116 out x $0.08/M.
    expect(s('ml_cost_usd_total', groq('llama3-8b-8192'))).toBe(0.00001108);
    expect(samples.filter((x) => x.name === 'ml_cost_usd_total')).toHaveLength(1);
    expect(samples.filter((x) => x.name === 'ml_cost_unpriced_total')).toEqual([]);
    // Rate-limit headroom from the x-ratelimit-* headers captured with groq-chat.json (the stream
    // has none): 14398 of 14400 requests, 29987 of 30000 tokens.
    const gauge = (name: string, kind: string) =>
      samples.find(
        (x) =>
          x.name === `ml_provider_rate_limit_${name}` &&
          x.labels.gen_ai_provider_name === 'groq' &&
          x.labels.gen_ai_request_model === 'llama3-8b-8192' &&
          x.labels.ml_rate_limit_kind === kind,
      )?.value;
    expect([gauge('remaining', 'requests'), gauge('limit', 'requests')]).toEqual([14398, 14400]);
    expect([gauge('remaining', 'tokens'), gauge('limit', 'tokens')]).toEqual([29987, 30000]);
    expect(s(DURATION, groq('llama-3.3-70b-versatile', undefined, { error_type: '429' }))).toBe(1);
    expect(s(DURATION, groq('llama-3.3-70b-versatile', undefined, { error_type: '500' }))).toBe(1);
    await expectSameWithout(run, instrumented, 'groq');
  });
});

describe('groq-sdk scrape', () => {
  it('holds no prompt, no response text and no API key', async () => {
    const { text } = await runClientApp('llm-app-groq', PACKAGES, ENTRIES[0]!, replay().url);
    expectNoCanaries(text, ['CANARY', 'sk-test', 'joke', 'trace to your eye', 'Bearer']);
  });
});
