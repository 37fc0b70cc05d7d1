// The real @mistralai/mistralai client, in an app preloaded with @mltel/node/register (ESM, and
// CommonJS through require(esm)), against a server replaying captured Mistral API responses:
// exact GenAI metrics in the scrape.
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

const PACKAGES = ['@mistralai/mistralai'];
const VERSION = (
  JSON.parse(
    readFileSync(join(ROOT, 'packages/instrumentation-llm/node_modules', PACKAGES[0]!, 'package.json'), 'utf8'),
  ) as { version: string }
).version;

let replay: ClientReplayServer;
beforeAll(async () => {
  replay = await startClientReplayServer();
});
afterAll(async () => {
  await replay?.close();
});

const mistral = (operation: string, request: string, response?: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: operation,
  gen_ai_provider_name: 'mistral_ai',
  gen_ai_request_model: request,
  ...(response === undefined ? {} : { gen_ai_response_model: response }),
  ...extra,
});
const tokens = (labels: Record<string, string>, type: string) => ({ ...labels, gen_ai_token_type: type });

describe.each(ENTRIES)(`@mistralai/mistralai ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) => runClientApp('llm-app-mistral', PACKAGES, entry, replay.url, env);
    const { seen, samples, stderr } = await run();
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toMatchObject({
      chat: { promptTokens: 11, completionTokens: 81 },
      streamEvents: 102,
      embedding: 1024,
      tooMany: { statusCode: 429 },
      serverError: { statusCode: 500 },
    });

    const chat = mistral('chat', 'mistral-tiny', 'mistral-tiny');
    expect(s(DURATION, chat)).toBe(2);
    expect(s(TOKENS_SUM, tokens(chat, 'input'))).toBe(22);
    expect(s(TOKENS_SUM, tokens(chat, 'output'))).toBe(182);
    expect(s(FIRST, mistral('chat', 'mistral-tiny'))).toBe(1);
    expect(s(PER_CHUNK, mistral('chat', 'mistral-tiny'))).toBe(99);
    const embed = mistral('embeddings', 'mistral-embed', 'mistral-embed');
    expect(s(DURATION, embed)).toBe(1);
    expect(s(TOKENS_SUM, tokens(embed, 'input'))).toBe(10);
    expect(s(DURATION, mistral('chat', 'mistral-small-latest', undefined, { error_type: '429' }))).toBe(1);
    expect(s(DURATION, mistral('chat', 'mistral-small-latest', undefined, { error_type: '500' }))).toBe(1);
    expect(stderr).not.toMatch(/mltel.*(warn|error)/i);

    const plain = await run({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'mistral' });
    expect(plain.seen).toEqual(seen);
    expect(genAiSamples(plain.samples)).toEqual([]);
  });
});

describe('@mistralai/mistralai scrape', () => {
  it('holds no prompt, no response text and no API key', async () => {
    const { text } = await runClientApp('llm-app-mistral', PACKAGES, ENTRIES[0]!, replay.url);
    expect(text).toContain('gen_ai_client_operation_duration_seconds');
    for (const canary of ['CANARY', 'sk-test', 'therapy', 'join a band', 'light-hearted', 'Bearer'])
      expect(text, canary).not.toContain(canary);
  });
});
