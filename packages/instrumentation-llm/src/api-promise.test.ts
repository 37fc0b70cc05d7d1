import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { CallRefusedError } from '@mltel/genai';
import { OpenAI } from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  API_KEY,
  captureDiag,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  setup,
  startReplayServer,
  TOKEN_TYPE,
  TOKENS,
} from '../test/harness.js';
import type { ReplayServer } from '../test/harness.js';
import { instrumentMethod } from './api-promise.js';
import type { CallShape } from './api-promise.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

type Params = Record<string, unknown> | undefined;
type Body = { model?: string; tokens?: number };
type Chunk = { text?: string; tokens?: number };

/** A shape reading `{ model, tokens }` bodies and `{ text, tokens }` chunks. */
const SHAPE: CallShape<Body, Chunk> = {
  describe: (_resource, params: Params) => ({
    provider: 'acme',
    operation: 'chat',
    model: typeof params?.['model'] === 'string' ? params['model'] : undefined,
  }),
  usage: (body) => ({ responseModel: body.model, outputTokens: body.tokens }),
  stream: { usage: (chunk) => ({ outputTokens: chunk.tokens }), isOutputChunk: (chunk) => chunk.text !== undefined },
};

const call = (model: string, extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'acme',
  [OPERATION]: 'chat',
  [REQUEST_MODEL]: model,
  ...extra,
});

describe('instrumentMethod() with hand-made methods', () => {
  it('calls the original with the same this and arguments, and returns its promise', async () => {
    const { meter, collect } = setup();
    const self = { name: 'resource' };
    let seen: unknown[] = [];
    const original = function (this: unknown, ...args: unknown[]) {
      seen = [this, ...args];
      return Promise.resolve({ model: 'm-1', tokens: 3 });
    };
    const wrapped = instrumentMethod(original, () => meter, SHAPE);
    const params = { model: 'm' };
    const result = wrapped.call(self, params, { timeout: 5 });
    // Not a Stainless promise: the original is returned, observed on a side branch.
    expect(await result).toEqual({ model: 'm-1', tokens: 3 });
    expect(seen).toEqual([self, params, { timeout: 5 }]);
    await new Promise((resolve) => setImmediate(resolve));
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [call('m', { [RESPONSE_MODEL]: 'm-1' }), 1],
    ]);
    expect(c.sums(TOKENS)).toEqual([[call('m', { [RESPONSE_MODEL]: 'm-1', [TOKEN_TYPE]: 'output' }), 3]]);
  });

  it('a method that throws synchronously: the same error, recorded as a failure', async () => {
    const { meter, collect } = setup();
    const error = new TypeError('bad params');
    const wrapped = instrumentMethod(
      () => {
        throw error;
      },
      () => meter,
      SHAPE,
    );
    expect(() => wrapped({ model: 'm' })).toThrow(error);
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [call('m', { [ERROR_TYPE]: 'TypeError' }), 1],
    ]);
  });

  it('a result that is not a promise is returned as is and ends the call at once', async () => {
    const { meter, collect } = setup();
    const value = { not: 'a promise' };
    expect(
      instrumentMethod(
        () => value,
        () => meter,
        SHAPE,
      )({ model: 'm' }),
    ).toBe(value);
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[call('m'), 1]]);
  });

  it('a rejection of a plain promise is recorded; the caller gets the same rejection', async () => {
    const { meter, collect } = setup();
    const error = Object.assign(new Error('rate limited'), { status: 429 });
    const wrapped = instrumentMethod(
      () => Promise.reject(error),
      () => meter,
      SHAPE,
    );
    await expect(wrapped({ model: 'm' }) as Promise<unknown>).rejects.toBe(error);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [call('m', { [ERROR_TYPE]: '429' }), 1],
    ]);
  });

  it('a refusal of a beforeCall hook is a rejected promise; the original is never called', async () => {
    const { meter, collect } = setup();
    meter.addHooks({
      beforeCall: () => {
        throw new CallRefusedError('budget spent');
      },
    });
    let called = 0;
    const wrapped = instrumentMethod(
      () => {
        called++;
        return Promise.resolve({});
      },
      () => meter,
      SHAPE,
    );
    const result = wrapped({ model: 'm' });
    expect(result).toBeInstanceOf(Promise);
    await expect(result as Promise<unknown>).rejects.toBeInstanceOf(CallRefusedError);
    expect(called).toBe(0);
    expect([...(await collect()).byName.keys()]).toEqual([]);
  });

  it('a describe() that throws leaves the call unrecorded and untouched', async () => {
    const { meter, collect } = setup();
    const shape: CallShape<Body, Chunk> = {
      ...SHAPE,
      describe: () => {
        throw new Error('unexpected resource');
      },
    };
    const promise = Promise.resolve({ tokens: 1 });
    expect(
      instrumentMethod(
        () => promise,
        () => meter,
        shape,
      )({ model: 'm' }),
    ).toBe(promise);
    expect([...(await collect()).byName.keys()]).toEqual([]);
  });

  it('a streamed call (stream: true) observes the chunks the result resolves to', async () => {
    const { meter, collect } = setup();
    async function* chunks(): AsyncGenerator<Chunk> {
      yield { text: 'a' };
      yield { text: 'b' };
      yield { tokens: 2 };
    }
    // A minimal Stainless-like promise: _thenUnwrap transforms the data, asResponse reads no body.
    const stream = chunks();
    const apiPromise = {
      then: (resolve: (value: unknown) => unknown) => Promise.resolve(stream).then(resolve),
      asResponse: () => Promise.resolve({ status: 200 }),
      _thenUnwrap: (transform: (data: unknown) => unknown) => Promise.resolve(transform(stream)),
    };
    const wrapped = instrumentMethod(
      () => apiPromise,
      () => meter,
      SHAPE,
    );
    const result = (await wrapped({ model: 'm', stream: true })) as AsyncIterable<Chunk>;
    const received: Chunk[] = [];
    for await (const chunk of result) received.push(chunk);
    expect(received).toEqual([{ text: 'a' }, { text: 'b' }, { tokens: 2 }]);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[call('m'), 1]]);
    expect(c.histograms(FIRST_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.sums(TOKENS)).toEqual([[call('m', { [TOKEN_TYPE]: 'output' }), 2]]);
  });
});

describe('instrumentMethod() observers and request usage', () => {
  /** A Stainless-like promise whose raw response (or HTTP error) carries `headers`. */
  function apiPromise(body: unknown, outcome: { headers: unknown; fail?: boolean }) {
    const error = Object.assign(new Error('429 Too Many Requests'), { status: 429, headers: outcome.headers });
    return {
      then: (resolve: (value: unknown) => unknown, reject: (e: unknown) => unknown) =>
        (outcome.fail ? Promise.reject(error) : Promise.resolve(body)).then(resolve, reject),
      asResponse: () =>
        outcome.fail ? Promise.reject(error) : Promise.resolve({ status: 200, headers: outcome.headers }),
      _thenUnwrap: (transform: (data: unknown) => unknown) =>
        outcome.fail ? Promise.reject(error) : Promise.resolve(transform(body)),
    };
  }

  it('hands the response headers to observers.headers, with the call, once', async () => {
    const { meter } = setup();
    const seen: [unknown, unknown][] = [];
    const headers = new Headers({ 'x-ratelimit-remaining-requests': '9' });
    const wrapped = instrumentMethod(
      () => apiPromise({ model: 'm' }, { headers }),
      () => meter,
      SHAPE,
      { headers: (c, h) => seen.push([c.model, h]) },
    );
    await wrapped({ model: 'm' });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([['m', headers]]);
  });

  it('an HTTP error hands its headers too (a 429 tells the headroom is gone); the caller gets the same error', async () => {
    const { meter, collect } = setup();
    const seen: unknown[] = [];
    const headers = { 'x-ratelimit-remaining-requests': '0' };
    const wrapped = instrumentMethod(
      () => apiPromise({}, { headers, fail: true }),
      () => meter,
      SHAPE,
      { headers: (_c, h) => seen.push(h) },
    );
    await expect(wrapped({ model: 'm' })).rejects.toMatchObject({ status: 429 });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([headers]);
    expect((await collect()).histograms(DURATION).map((h) => h.attributes[ERROR_TYPE])).toEqual(['429']);
  });

  it('an observer that throws changes nothing for the caller', async () => {
    const { meter, collect } = setup();
    const wrapped = instrumentMethod(
      () => apiPromise({ model: 'r', tokens: 3 }, { headers: new Headers() }),
      () => meter,
      SHAPE,
      {
        headers: () => {
          throw new Error('observer bug');
        },
      },
    );
    expect(await wrapped({ model: 'm' })).toEqual({ model: 'r', tokens: 3 });
    expect((await collect()).sums(TOKENS).map(([, v]) => v)).toEqual([3]);
  });

  it('requestUsage is merged into the result usage, the reported fields winning', async () => {
    const { meter } = setup();
    const ended: unknown[] = [];
    meter.addHooks({ afterCall: (event) => ended.push(event.usage) });
    const shape: CallShape<Body, Chunk> = {
      ...SHAPE,
      requestUsage: (params) => ({ characters: String(params?.['input']).length, outputTokens: 1 }),
    };
    const wrapped = instrumentMethod(
      () => apiPromise({ model: 'r', tokens: 3 }, { headers: undefined }),
      () => meter,
      shape,
    );
    await wrapped({ model: 'm', input: 'Hello.' });
    expect(ended).toEqual([{ characters: 6, outputTokens: 3, responseModel: 'r' }]);
  });
});

describe('instrumentMethod() on the real client method', () => {
  let replay: ReplayServer;
  beforeAll(async () => {
    replay = await startReplayServer();
  });
  afterAll(async () => {
    await replay.close();
  });

  const prototype = (OpenAI as unknown as { Chat: { Completions: { prototype: Record<string, unknown> } } }).Chat
    .Completions.prototype;
  const openaiShape: CallShape<{ model?: string }, unknown> = {
    describe: (_resource, params: Params) => ({
      provider: 'openai',
      operation: 'chat',
      model: params?.['model'] as string,
    }),
    usage: (body) => ({ responseModel: body.model }),
    stream: {},
  };

  it('returns the SDK own APIPromise: asResponse() and withResponse() work, the body parses once', async () => {
    const { meter, collect } = setup();
    const create = prototype['create'] as (...args: unknown[]) => unknown;
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `${replay.url}/ok/v1`, maxRetries: 0 });
    const wrapped = instrumentMethod(create, () => meter, openaiShape);
    const params = { model: 'gpt-5-nano', messages: [{ role: 'user', content: 'x' }] };
    const promise = wrapped.call(client.chat.completions, params) as ReturnType<typeof client.chat.completions.create>;
    expect(promise.constructor.name).toBe('APIPromise');
    const { data, response } = await promise.withResponse();
    expect(response.status).toBe(200);
    expect((data as { model: string }).model).toBe('gpt-5-nano-2025-08-07');
    const raw = await (wrapped.call(client.chat.completions, params) as typeof promise).asResponse();
    expect(((await raw.json()) as { model: string }).model).toBe('gpt-5-nano-2025-08-07');
    // The call read only as a raw response has no parsed body: a success without usage is not
    // seen, so only the first call is recorded.
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes[RESPONSE_MODEL], h.count])).toEqual([
      ['gpt-5-nano-2025-08-07', 1],
    ]);
  });
});
