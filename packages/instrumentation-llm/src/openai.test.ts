import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { MLTEL_VERSION } from '@mltel/kit';
import * as openaiV7 from 'openai';
import * as openaiV4 from 'openai-v4';
import * as openaiV5 from 'openai-v5';
import * as openaiV6 from 'openai-v6';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  API_KEY,
  captureDiag,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  instrument,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  SERVER_ADDRESS,
  SERVER_PORT,
  setup,
  startReplayServer,
  TOKEN_DETAIL,
  TOKEN_TYPE,
  TOKENS,
} from '../test/harness.js';
import type { Collection, ReplayServer } from '../test/harness.js';
import { OPENAI_SUPPORTED_VERSIONS, OpenAIInstrumentation } from './openai.js';

let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer();
});
afterAll(async () => {
  await replay.close();
});

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

interface OpenAIModule {
  OpenAI: new (options: Record<string, unknown>) => OpenAIClient;
}
/** What these tests read of a result: a parsed body, or the Stream of a `stream: true` call. */
interface Result extends AsyncIterable<unknown> {
  usage: { prompt_tokens: number; completion_tokens: number };
  status: string;
  data: unknown[];
  controller?: { abort?: unknown };
}
// The part of every major's client these tests call (their own types differ between majors).
interface OpenAIClient {
  chat: {
    completions: {
      create(params: object): PromiseLike<Result> & { withResponse(): Promise<{ data: Result; response: Response }> };
    };
  };
  responses: { create(params: object): PromiseLike<Result> };
  embeddings: { create(params: object): PromiseLike<Result> };
}

const MAJORS: { name: string; module: OpenAIModule; midStream: string }[] = [
  { name: 'openai 7', module: openaiV7 as unknown as OpenAIModule, midStream: 'UND_ERR_SOCKET' },
  { name: 'openai 6', module: openaiV6 as unknown as OpenAIModule, midStream: 'UND_ERR_SOCKET' },
  { name: 'openai 5', module: openaiV5 as unknown as OpenAIModule, midStream: 'UND_ERR_SOCKET' },
  // v4 sends through node-fetch, whose cut-off stream fails differently.
  { name: 'openai 4', module: openaiV4 as unknown as OpenAIModule, midStream: 'ERR_STREAM_PREMATURE_CLOSE' },
];
const MESSAGES = [{ role: 'user', content: 'count the letter r in strawberry' }];

/** The gen_ai attributes of a call (server attributes checked on their own). */
const chat = (request: string, response?: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'openai',
  [OPERATION]: 'chat',
  [REQUEST_MODEL]: request,
  ...(response === undefined ? {} : { [RESPONSE_MODEL]: response }),
  ...extra,
});

/** `[attributes without server, count]` of each point of a histogram. */
function counts(c: Collection, name: string): [Attributes, number][] {
  return c.histograms(name).map((h) => {
    const { [SERVER_ADDRESS]: _address, [SERVER_PORT]: _port, ...rest } = h.attributes;
    return [rest, h.count];
  });
}

/** `[attributes without server, sum]` of each token-usage point. */
function tokens(c: Collection): [Attributes, number][] {
  return c.sums(TOKENS).map(([attributes, sum]) => {
    const { [SERVER_ADDRESS]: _address, [SERVER_PORT]: _port, ...rest } = attributes;
    return [rest, sum];
  });
}

describe.each(MAJORS)('$name', ({ module, midStream }) => {
  const client = (scenario: string, extra: Record<string, unknown> = {}) =>
    new module.OpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/${scenario}/v1`, maxRetries: 0, ...extra });

  it('chat completions: duration, tokens and reasoning of the captured answer, with the server', async () => {
    const { meter, collect } = setup();
    instrument(OpenAIInstrumentation, module, meter);
    const completion = await client('ok').chat.completions.create({ model: 'gpt-5-nano', messages: MESSAGES });
    expect(completion.usage.completion_tokens).toBe(228);
    const c = await collect();
    const attributes = chat('gpt-5-nano', 'gpt-5-nano-2025-08-07');
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...attributes, [SERVER_ADDRESS]: '127.0.0.1', [SERVER_PORT]: Number(new URL(replay.url).port) }, 1],
    ]);
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 11],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 228],
    ]);
    expect(c.points(TOKEN_DETAIL).map((p) => [p.attributes[TOKEN_TYPE], p.value])).toEqual([['reasoning', 192]]);
    expect(log.warnings).toEqual([]);
  });

  it('a chat stream: every chunk reaches the caller, usage from the last one, chunk timings from those with choices', async () => {
    const { meter, collect } = setup();
    instrument(OpenAIInstrumentation, module, meter);
    const stream = await client('ok').chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    // The SDK's own Stream, observed in place.
    expect(typeof stream.controller?.abort).toBe('function');
    let chunks = 0;
    for await (const _ of stream) chunks++;
    expect(chunks).toBe(15);
    const c = await collect();
    const attributes = chat('gpt-4o-mini', 'gpt-4o-mini-2024-07-18');
    expect(counts(c, DURATION)).toEqual([[attributes, 1]]);
    expect(tokens(c)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 12],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 12],
    ]);
    expect(counts(c, FIRST_CHUNK)).toEqual([[chat('gpt-4o-mini'), 1]]);
    expect(counts(c, PER_CHUNK)).toEqual([[chat('gpt-4o-mini'), 13]]);
  });

  it('the Responses API, streamed and not, and embeddings', async () => {
    const { meter, collect } = setup();
    instrument(OpenAIInstrumentation, module, meter);
    const response = await client('ok').responses.create({ model: 'gpt-5.4', input: 'hello' });
    expect(response.status).toBe('completed');
    let events = 0;
    for await (const _ of await client('ok').responses.create({ model: 'gpt-4o-mini', input: 'hi', stream: true }))
      events++;
    expect(events).toBe(13);
    const embedding = await client('ok').embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    expect(embedding.data).toHaveLength(1);
    const c = await collect();
    const responses = chat('gpt-5.4', 'gpt-5.4-2026-03-05');
    const streamed = chat('gpt-4o-mini', 'gpt-4o-mini-2024-07-18');
    const embeddings = {
      [PROVIDER]: 'openai',
      [OPERATION]: 'embeddings',
      [REQUEST_MODEL]: 'text-embedding-3-small',
      [RESPONSE_MODEL]: 'text-embedding-3-small',
    };
    expect(counts(c, DURATION)).toEqual([
      [streamed, 1],
      [responses, 1],
      [embeddings, 1],
    ]);
    expect(tokens(c)).toEqual([
      [{ ...streamed, [TOKEN_TYPE]: 'input' }, 22],
      [{ ...streamed, [TOKEN_TYPE]: 'output' }, 6],
      [{ ...responses, [TOKEN_TYPE]: 'input' }, 44],
      [{ ...responses, [TOKEN_TYPE]: 'output' }, 288],
      [{ ...embeddings, [TOKEN_TYPE]: 'input' }, 8],
    ]);
    expect(c.points(TOKEN_DETAIL).map((p) => [p.attributes[REQUEST_MODEL], p.attributes[TOKEN_TYPE], p.value])).toEqual(
      [['gpt-5.4', 'reasoning', 9]],
    );
    // Five delta events: the first chunk, then four gaps.
    expect(counts(c, FIRST_CHUNK)).toEqual([[chat('gpt-4o-mini'), 1]]);
    expect(counts(c, PER_CHUNK)).toEqual([[chat('gpt-4o-mini'), 4]]);
  });

  it('failures keep the SDK error class, each recorded once with its error.type', async () => {
    const { meter, collect } = setup();
    instrument(OpenAIInstrumentation, module, meter);
    const OpenAI = module.OpenAI as unknown as Record<string, new (...args: never[]) => Error>;
    await expect(
      client('429').chat.completions.create({ model: 'gpt-5-nano', messages: MESSAGES }),
    ).rejects.toBeInstanceOf(OpenAI['RateLimitError']!);
    await expect(
      client('500').chat.completions.create({ model: 'gpt-5-nano', messages: MESSAGES }),
    ).rejects.toBeInstanceOf(OpenAI['InternalServerError']!);
    let received = 0;
    await expect(
      (async () => {
        const stream = await client('midstream').chat.completions.create({
          model: 'gpt-4o-mini-midstream',
          messages: MESSAGES,
          stream: true,
        });
        for await (const _ of stream) received++;
      })(),
    ).rejects.toBeInstanceOf(Error);
    expect(received).toBe(5);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([
      [chat('gpt-4o-mini-midstream', 'gpt-4o-mini-2024-07-18', { [ERROR_TYPE]: midStream }), 1],
      [chat('gpt-5-nano', undefined, { [ERROR_TYPE]: '429' }), 1],
      [chat('gpt-5-nano', undefined, { [ERROR_TYPE]: '500' }), 1],
    ]);
    expect(counts(c, PER_CHUNK)).toEqual([[chat('gpt-4o-mini-midstream'), 4]]);
  });

  it('an early break is one successful call without usage; retries by the SDK are one call', async () => {
    const { meter, collect } = setup();
    instrument(OpenAIInstrumentation, module, meter);
    let taken = 0;
    const stream = await client('ok').chat.completions.create({
      model: 'gpt-4o-mini-break',
      messages: MESSAGES,
      stream: true,
    });
    for await (const _ of stream) if (++taken === 2) break;
    const retried = await client('retry-twice', { maxRetries: 2 }).chat.completions.create({
      model: 'gpt-5-nano-retried',
      messages: MESSAGES,
    });
    expect(retried.usage.prompt_tokens).toBe(11);
    const c = await collect();
    expect(counts(c, DURATION)).toEqual([
      [chat('gpt-4o-mini-break', 'gpt-4o-mini-2024-07-18'), 1],
      [chat('gpt-5-nano-retried', 'gpt-5-nano-2025-08-07'), 1],
    ]);
    expect(counts(c, FIRST_CHUNK)).toEqual([[chat('gpt-4o-mini-break'), 1]]);
    expect(counts(c, PER_CHUNK)).toEqual([[chat('gpt-4o-mini-break'), 1]]);
    expect(tokens(c).map(([a]) => a[REQUEST_MODEL])).toEqual(['gpt-5-nano-retried', 'gpt-5-nano-retried']);
  });

  it('withResponse() of the returned APIPromise still gives the data and the raw response', async () => {
    const { meter, collect } = setup();
    instrument(OpenAIInstrumentation, module, meter);
    const { data, response } = await client('ok')
      .chat.completions.create({ model: 'gpt-5-nano', messages: MESSAGES })
      .withResponse();
    expect(data.usage.prompt_tokens).toBe(11);
    expect(response.status).toBe(200);
    expect(counts(await collect(), DURATION)).toEqual([[chat('gpt-5-nano', 'gpt-5-nano-2025-08-07'), 1]]);
  });
});

describe('OpenAIInstrumentation', () => {
  it('is named for its client, at the mltel version, for openai 4 to 7', () => {
    const instrumentation = new OpenAIInstrumentation({ enabled: false });
    expect(instrumentation.instrumentationName).toBe('@mltel/instrumentation-llm/openai');
    expect(instrumentation.instrumentationVersion).toBe(MLTEL_VERSION);
    expect(OPENAI_SUPPORTED_VERSIONS).toEqual(['>=4.0.0 <8']);
    const [definition] = instrumentation.getModuleDefinitions();
    expect(definition?.name).toBe('openai');
    expect(definition?.supportedVersions).toEqual(OPENAI_SUPPORTED_VERSIONS);
  });

  it('unpatching restores the client: its calls are no longer recorded', async () => {
    const { meter, collect } = setup();
    const instrumentation = new OpenAIInstrumentation({ enabled: false, meter });
    const [definition] = instrumentation.getModuleDefinitions();
    const prototype = (openaiV7.OpenAI as unknown as { Chat: { Completions: { prototype: { create: unknown } } } }).Chat
      .Completions.prototype;
    const original = prototype.create;
    definition!.patch!(openaiV7);
    expect(prototype.create).not.toBe(original);
    definition!.unpatch!(openaiV7);
    expect(prototype.create).toBe(original);
    const client = new openaiV7.OpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/ok/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: 'x' }] });
    expect([...(await collect()).byName.keys()]).toEqual([]);
  });

  it('a module without the expected classes is left alone', () => {
    const { meter } = setup();
    const instrumentation = new OpenAIInstrumentation({ enabled: false, meter });
    const [definition] = instrumentation.getModuleDefinitions();
    for (const exports of [{}, { OpenAI: {} }, { default: { Chat: {} } }]) {
      expect(() => definition!.patch!(exports)).not.toThrow();
      expect(() => definition!.unpatch!(exports)).not.toThrow();
    }
  });
});
