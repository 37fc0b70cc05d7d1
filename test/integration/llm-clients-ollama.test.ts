// The real ollama client, in an app preloaded with @mltel/node/register (ESM and CJS), against a
// server replaying captured Ollama API responses (NDJSON streams included): exact GenAI metrics.
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

const PACKAGES = ['ollama'];
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'packages/instrumentation-llm/node_modules/ollama/package.json'), 'utf8')) as {
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

const ollama = (operation: string, request: string, response?: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: operation,
  gen_ai_provider_name: 'ollama',
  gen_ai_request_model: request,
  ...(response === undefined ? {} : { gen_ai_response_model: response }),
  ...extra,
});
const tokens = (labels: Record<string, string>, type: string) => ({ ...labels, gen_ai_token_type: type });

describe.each(ENTRIES)(`ollama ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) => runClientApp('llm-app-ollama', PACKAGES, entry, replay.url, env);
    const { seen, samples, stderr } = await run();
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toMatchObject({
      chat: 66,
      streamChunks: 50,
      generate: 63,
      tooMany: { name: 'ResponseError', status: 429 },
      serverError: { name: 'ResponseError', status: 500 },
    });
    const chat = ollama('chat', 'llama3', 'llama3');
    expect(s(DURATION, chat)).toBe(2);
    expect(s(TOKENS_SUM, tokens(chat, 'input'))).toBe(34);
    expect(s(TOKENS_SUM, tokens(chat, 'output'))).toBe(116);
    expect(s(FIRST, ollama('chat', 'llama3'))).toBe(1);
    expect(s(PER_CHUNK, ollama('chat', 'llama3'))).toBe(48);
    expect(s(TOKENS_SUM, tokens(ollama('text_completion', 'llama3', 'llama3'), 'output'))).toBe(63);
    expect(s(DURATION, ollama('embeddings', 'all-minilm'))).toBe(1);
    expect(s(DURATION, ollama('chat', 'llama3.2', undefined, { error_type: '429' }))).toBe(1);
    expect(s(DURATION, ollama('chat', 'llama3.2', undefined, { error_type: '500' }))).toBe(1);
    expect(stderr).not.toMatch(/mltel.*(warn|error)/i);

    const plain = await run({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'ollama' });
    expect(plain.seen).toEqual(seen);
    expect(genAiSamples(plain.samples)).toEqual([]);
  });
});

describe('ollama scrape', () => {
  it('holds no prompt and no response text', async () => {
    const { text } = await runClientApp('llm-app-ollama', PACKAGES, ENTRIES[0]!, replay.url);
    expect(text).toContain('gen_ai_client_operation_duration_seconds');
    for (const canary of ['CANARY', 'therapy', 'feelings', 'niche topic']) expect(text, canary).not.toContain(canary);
  });
});
