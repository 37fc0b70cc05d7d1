// The Vercel AI SDK (ai with @ai-sdk/openai, and a custom model on the openai client), in an app
// preloaded with @mltel/node/register (ESM and CJS), against the replay of captured OpenAI
// responses: each model call recorded once, with exact values.
import { describe, expect, it } from 'vitest';
import {
  clientVersion,
  COST,
  DURATION,
  ENTRIES,
  expectNoCanaries,
  expectSameWithout,
  genAiLabels,
  runClientApp,
  sampleOf,
  tokenLabels,
  TOKENS_SUM,
  useReplay,
} from './llm-client-app.js';
import { startReplayServer } from './llm-replay.js';

const PACKAGES = ['ai', '@ai-sdk/openai', 'openai'];
const version = clientVersion;

const replay = useReplay(startReplayServer);

const openai = genAiLabels('openai');
const chat = (request: string, response?: string, extra: Record<string, string> = {}) =>
  openai('chat', request, response, extra);
const tokens = tokenLabels;

describe.each(ENTRIES)(
  `ai ${version('ai')} with @ai-sdk/openai ${version('@ai-sdk/openai')}: $app under $flag`,
  (entry) => {
    it('records every model call once, with exact values, the app seeing what it sees without mltel', async () => {
      const run = (env = {}) => runClientApp('llm-app-ai', PACKAGES, entry, replay().url, env);
      const instrumented = await run();
      const { seen, samples } = instrumented;
      const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

      expect(seen).toMatchObject({ generate: 228, streamUsage: 12, embedding: 512, custom: 228 });
      expect(seen['tooMany']).toMatchObject({ class: 'APICallError', statusCode: 429 });

      // generateText through @ai-sdk/openai and through the custom model on the openai client:
      // two model calls, each counted once (the openai client's own record is left to the AI SDK).
      const nano = chat('gpt-5-nano', 'gpt-5-nano-2025-08-07');
      expect(s(DURATION, nano)).toBe(2);
      expect(s(TOKENS_SUM, tokens(nano, 'output'))).toBe(456);
      const mini = chat('gpt-4o-mini', 'gpt-4o-mini-2024-07-18');
      expect(s(DURATION, mini)).toBe(1);
      expect(s(TOKENS_SUM, tokens(mini, 'input'))).toBe(12);
      expect(s(TOKENS_SUM, tokens(mini, 'output'))).toBe(12);
      const embeddings = {
        gen_ai_operation_name: 'embeddings',
        gen_ai_provider_name: 'openai',
        gen_ai_request_model: 'text-embedding-3-small',
      };
      expect(s(DURATION, embeddings)).toBe(1);
      expect(s(TOKENS_SUM, tokens(embeddings, 'input'))).toBe(8);
      expect(s(DURATION, chat('gpt-5-nano', undefined, { error_type: '429' }))).toBe(1);
      // No series with the server: the openai client recorded nothing of its own.
      expect(samples.filter((x) => x.name === DURATION && x.labels['server_address'] !== undefined)).toEqual([]);
      // gpt-5-nano: 2 x (11 in x $0.05/M + 228 out x $0.40/M).
      expect(
        s(COST, { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-5-nano' }),
      ).toBe(0.0001835);
      await expectSameWithout(run, instrumented, 'ai,openai');
    });
  },
);

describe('ai scrape', () => {
  it('holds no prompt, no response text and no API key', async () => {
    const { text } = await runClientApp('llm-app-ai', PACKAGES, ENTRIES[0]!, replay().url);
    expectNoCanaries(text, ['CANARY', 'sk-test', 'strawberry', 'Bearer']);
  });
});
