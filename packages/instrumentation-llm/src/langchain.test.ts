import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as manager from '@langchain/core/callbacks/manager';
import { ChatOpenAI } from '@langchain/openai';
import * as openaiModule from 'openai';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { countsOf, tokensOf, useDiagLog } from '../test/clients.js';
import {
  API_KEY,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  instrument,
  setup,
  startReplayServer,
  TOKEN_DETAIL,
  TOKEN_TYPE,
} from '../test/harness.js';
import type { ReplayServer } from '../test/harness.js';
import { LangChainInstrumentation, langChainProvider, MltelLangChainHandler } from './langchain.js';
import { OpenAIInstrumentation } from './openai.js';

// ChatOpenAI (the openai client inside) against the replay of captured OpenAI responses.
let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(async () => {
  await replay.close();
});
const log = useDiagLog();

/** The ES module entry of the openai copy @langchain/openai imports. */
function innerOpenAIEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const langchain = realpathSync(join(here, '../node_modules/@langchain/openai'));
  const dir = realpathSync(join(langchain, '../../openai'));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: { '.': { default: string } } };
  return join(dir, pkg.exports['.'].default);
}

const chatModel = (scenario: string, model: string, extra: Record<string, unknown> = {}) =>
  new ChatOpenAI({
    model,
    apiKey: API_KEY,
    configuration: { baseURL: `${replay.url}/${scenario}/v1` },
    maxRetries: 0,
    ...extra,
  });

const chat = (request: string, response?: string, extra: Record<string, string> = {}) => ({
  'gen_ai.provider.name': 'openai',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': request,
  ...(response === undefined ? {} : { 'gen_ai.response.model': response }),
  ...extra,
});

describe('the LangChain.js callbacks handler', () => {
  it('records a chat model run with its tokens when the client underneath is not instrumented', async () => {
    const { meter, collect } = setup();
    const handler = new MltelLangChainHandler(() => meter);
    const message = await chatModel('ok', 'gpt-5-nano').invoke('count the r in strawberry', { callbacks: [handler] });
    expect(message.usage_metadata?.output_tokens).toBe(228);
    const c = await collect();
    const attributes = chat('gpt-5-nano', 'gpt-5-nano-2025-08-07');
    expect(countsOf(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokensOf(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 11],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 228],
    ]);
    expect(c.points(TOKEN_DETAIL).map((p) => [p.attributes[TOKEN_TYPE], p.value])).toEqual([['reasoning', 192]]);
    expect(log().warnings).toEqual([]);
  });

  it('a streamed run: tokens timed, usage from the last chunk', async () => {
    const { meter, collect } = setup();
    const handler = new MltelLangChainHandler(() => meter);
    let chunks = 0;
    const model = chatModel('ok', 'gpt-4o-mini', { streamUsage: true });
    for await (const _ of await model.stream('say this is a test', { callbacks: [handler] })) chunks++;
    expect(chunks).toBeGreaterThan(0);
    const c = await collect();
    expect(tokensOf(c)).toEqual([
      [{ ...chat('gpt-4o-mini', 'gpt-4o-mini-2024-07-18'), [TOKEN_TYPE]: 'input' }, 12],
      [{ ...chat('gpt-4o-mini', 'gpt-4o-mini-2024-07-18'), [TOKEN_TYPE]: 'output' }, 12],
    ]);
    expect(countsOf(c, FIRST_CHUNK)).toEqual([[chat('gpt-4o-mini'), 1]]);
  });

  it('a failed run: error.type is the status, the error reaches the caller', async () => {
    const { meter, collect } = setup();
    const handler = new MltelLangChainHandler(() => meter);
    const error = await chatModel('429', 'gpt-5-nano')
      .invoke('hi', { callbacks: [handler] })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error).toBeInstanceOf(Error);
    expect(countsOf(await collect(), DURATION)).toEqual([[chat('gpt-5-nano', undefined, { [ERROR_TYPE]: '429' }), 1]]);
  });

  it('with the openai client instrumented, the run is left to it: one record, with the server', async () => {
    const { meter, collect } = setup();
    instrument(OpenAIInstrumentation, openaiModule, meter);
    const handler = new MltelLangChainHandler(() => meter);
    // ChatOpenAI imports its own copy of openai: patch that one as the import hook would.
    const [definition] = new OpenAIInstrumentation({ enabled: false, meter }).getModuleDefinitions();
    const inner = (await import(pathToFileURL(innerOpenAIEntry()).href)) as unknown;
    if (inner !== openaiModule) {
      definition!.patch!(inner);
      onTestFinished(() => definition!.unpatch!(inner));
    }
    await chatModel('ok', 'gpt-5-nano').invoke('hi', { callbacks: [handler] });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes['server.address'], h.count])).toEqual([['127.0.0.1', 1]]);
  });
});

describe('LangChainInstrumentation', () => {
  it('adds the handler to every run through the CallbackManager configuration, and unpatches', async () => {
    const { meter, collect } = setup();
    const instrumentation = new LangChainInstrumentation({ enabled: false, meter });
    const [definition] = instrumentation.getModuleDefinitions();
    const file = definition!.files.find((f) => f.name.endsWith('manager.js'))!;
    file.patch(manager);
    try {
      await chatModel('ok', 'gpt-5-nano').invoke('hi');
    } finally {
      file.unpatch(manager);
    }
    await chatModel('ok', 'gpt-5-nano').invoke('hi');
    expect(countsOf(await collect(), DURATION)).toEqual([[chat('gpt-5-nano', 'gpt-5-nano-2025-08-07'), 1]]);
  });
});

describe('langChainProvider', () => {
  it.each([
    ['openai', ['openai', 'openai']],
    ['anthropic', ['anthropic', '@anthropic-ai/sdk']],
    ['google_genai', ['gcp.gemini', undefined]],
    ['together', ['together', undefined]],
    [undefined, ['langchain', undefined]],
    ['Bad Name!', ['langchain', undefined]],
  ])('%s', (id, expected) => {
    expect(langChainProvider(id)).toEqual(expected);
  });
});
