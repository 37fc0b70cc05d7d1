// LangChain.js (ChatOpenAI from @langchain/openai, on @langchain/core) in an app preloaded with
// @mltel/node/register (ESM and CJS), against the replay of captured OpenAI responses: each model
// call is recorded once, by the openai client when it is instrumented, else by the LangChain
// callbacks handler.
import { describe, expect, it } from 'vitest';
import type { ScrapedSample } from './helpers.js';
import {
  clientVersion,
  DURATION,
  ENTRIES,
  FIRST,
  genAiLabels,
  genAiSamples,
  runClientApp,
  sampleOf,
  tokenLabels,
  TOKENS_SUM,
  useReplay,
} from './llm-client-app.js';
import { startReplayServer } from './llm-replay.js';

const PACKAGES = ['@langchain/openai', '@langchain/core'];
const version = clientVersion;

const replay = useReplay(startReplayServer);

const openai = genAiLabels('openai');
const chat = (request: string, response?: string, extra: Record<string, string> = {}) =>
  openai('chat', request, response, extra);
const tokens = tokenLabels;
const withServer = (samples: ScrapedSample[]) =>
  samples.filter((s) => s.name === DURATION && s.labels['server_address'] !== undefined).length;

describe.each(ENTRIES)(
  `@langchain/openai ${version('@langchain/openai')} on @langchain/core ${version('@langchain/core')}: $app under $flag`,
  (entry) => {
    it('records each model call once: by the openai client, else by the LangChain handler', async () => {
      const run = (env = {}) => runClientApp('llm-app-langchain', PACKAGES, entry, replay().url, env);
      const client = await run();
      const handler = await run({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai' });
      const plain = await run({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai,langchain' });

      expect(client.seen).toMatchObject({ invoke: { output_tokens: 228 }, tooMany: { status: 429 } });
      expect(handler.seen).toEqual(client.seen);
      expect(plain.seen).toEqual(client.seen);

      for (const { samples, server } of [
        { samples: client.samples, server: true },
        { samples: handler.samples, server: false },
      ]) {
        const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);
        const nano = chat('gpt-5-nano', 'gpt-5-nano-2025-08-07');
        expect(s(DURATION, nano)).toBe(1);
        expect(s(TOKENS_SUM, tokens(nano, 'input'))).toBe(11);
        expect(s(TOKENS_SUM, tokens(nano, 'output'))).toBe(228);
        const mini = chat('gpt-4o-mini', 'gpt-4o-mini-2024-07-18');
        expect(s(DURATION, mini)).toBe(1);
        expect(s(TOKENS_SUM, tokens(mini, 'output'))).toBe(12);
        expect(s(FIRST, chat('gpt-4o-mini'))).toBe(1);
        expect(s(DURATION, chat('gpt-5-nano', undefined, { error_type: '429' }))).toBe(1);
        // The openai client knows the server; the handler does not: which one recorded, once.
        expect(withServer(samples)).toBe(server ? 3 : 0);
      }
      expect(client.stderr).not.toMatch(/mltel.*(warn|error)/i);
      expect(handler.stderr).not.toMatch(/mltel.*(warn|error)/i);
      expect(genAiSamples(plain.samples)).toEqual([]);
      expect(handler.text).not.toContain('strawberry');
      expect(handler.text).not.toContain('CANARY');
    });
  },
);
