// The real ollama client, in an app preloaded with @mltel/node/register (ESM and CJS), against a
// server replaying captured Ollama API responses (NDJSON streams included): exact GenAI metrics.
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

const PACKAGES = ['ollama'];
const VERSION = clientVersion(PACKAGES[0]!);

const replay = useReplay(startClientReplayServer);

const ollama = genAiLabels('ollama');
const tokens = tokenLabels;

describe.each(ENTRIES)(`ollama ${VERSION}: $app under $flag`, (entry) => {
  it('records every call with exact values, the app seeing what it sees without mltel', async () => {
    const run = (env = {}) => runClientApp('llm-app-ollama', PACKAGES, entry, replay().url, env);
    const instrumented = await run();
    const { seen, samples } = instrumented;
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
    // Cost: nothing. Local models run on the application's own hardware: the built-in catalog
    // prices every ollama model at $0 (model '*'), so the calls that reported usage (chat twice,
    // generate once; the embeddings answer reports none) are priced, not counted as unpriced
    // with a warning. A team that wants a cost adds a price file (MLTEL_PRICES).
    const costs = samples.filter((x) => x.name === 'ml_cost_usd_total');
    expect(costs.length).toBeGreaterThan(0);
    for (const c of costs) expect([c.labels.gen_ai_provider_name, c.value]).toEqual(['ollama', 0]);
    expect(samples.filter((x) => x.name === 'ml_cost_unpriced_total')).toEqual([]);
    expect(s(DURATION, ollama('chat', 'llama3.2', undefined, { error_type: '429' }))).toBe(1);
    expect(s(DURATION, ollama('chat', 'llama3.2', undefined, { error_type: '500' }))).toBe(1);
    await expectSameWithout(run, instrumented, 'ollama');
  });
});

describe('ollama scrape', () => {
  it('holds no prompt and no response text', async () => {
    const { text } = await runClientApp('llm-app-ollama', PACKAGES, ENTRIES[0]!, replay().url);
    expectNoCanaries(text, ['CANARY', 'therapy', 'feelings', 'niche topic']);
  });
});
