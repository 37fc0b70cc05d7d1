// The real cohere-ai client (v2), in an app preloaded with @mltel/node/register (ESM and CJS),
// against a server replaying captured Cohere API responses: exact GenAI metrics in the scrape.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import {
  DURATION,
  ENTRIES,
  FIRST,
  genAiSamples,
  PER_CHUNK,
  runClientApp,
  sampleOf,
  TOKENS_SUM,
} from './llm-client-app.js';
import { startClientReplayServer } from './llm-replay-clients.js';
import type { ClientReplayServer } from './llm-replay-clients.js';

const PACKAGES = ['cohere-ai'];
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'packages/instrumentation-llm/node_modules/cohere-ai/package.json'), 'utf8')) as {
    version: string;
  }
).version;

let replay: ClientReplayServer;
beforeAll(async () => {
  replay = await startClientReplayServer();
});
afterAll(async () => {
  await replay?.close();
});

const cohere = (operation: string, model: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: operation,
  gen_ai_provider_name: 'cohere',
  gen_ai_request_model: model,
  ...extra,
});
const tokens = (labels: Record<string, string>, type: string) => ({ ...labels, gen_ai_token_type: type });

describe.each(ENTRIES)(`cohere-ai ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) => runClientApp('llm-app-cohere', PACKAGES, entry, replay.url, env);
    const { seen, samples, stderr } = await run();
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
    expect(s(DURATION, cohere('chat', 'command-r', { error_type: '429' }))).toBe(1);
    expect(s(DURATION, cohere('chat', 'command-r', { error_type: '500' }))).toBe(1);
    expect(stderr).not.toMatch(/mltel.*(warn|error)/i);

    const plain = await run({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'cohere' });
    expect(plain.seen).toEqual(seen);
    expect(genAiSamples(plain.samples)).toEqual([]);
  });
});

describe('cohere-ai scrape', () => {
  it('holds no prompt, no response text and no API key', async () => {
    const { text } = await runClientApp('llm-app-cohere', PACKAGES, ENTRIES[0]!, replay.url);
    expect(text).toContain('gen_ai_client_operation_duration_seconds');
    for (const canary of ['CANARY', 'sk-test', 'pirate', 'matey', 'Carson', 'Bearer'])
      expect(text, canary).not.toContain(canary);
  });
});
