import type * as falModule from '@fal-ai/client';
import { CallRefusedError } from '@mltel/genai';
import type { Attributes } from '@opentelemetry/api';
import type { InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startFalReplayServer } from '../../../test/integration/llm-replay-fal.js';
import type { ReplayServer } from '../../../test/integration/llm-replay.js';
import { countsOf, useDiagLog } from '../test/clients.js';
import {
  API_KEY,
  DURATION,
  ERROR_TYPE,
  OPERATION,
  PROVIDER,
  REQUEST_MODEL,
  SERVER_ADDRESS,
  SERVER_PORT,
  setup,
} from '../test/harness.js';
import type { Collection } from '../test/harness.js';
import { FalInstrumentation } from './fal.js';

const log = useDiagLog();
let replay: ReplayServer;
beforeAll(async () => {
  replay = await startFalReplayServer();
});
afterAll(async () => {
  await replay.close();
});

// The module that holds createFalClient (the package exports only its index).
const require = createRequire(import.meta.url);
const clientModule = require(join(dirname(require.resolve('@fal-ai/client')), 'client.js')) as Record<string, unknown>;
// From require(): an ESM import of this CommonJS package copies its exports once, at import.
const falCjs = require('@fal-ai/client') as typeof falModule;
const { fal } = falCjs;
// Looked up at each call, as the package's own getter does.
const createFalClient: typeof falModule.createFalClient = (c) => falCjs.createFalClient(c);

function instrument(meter: ReturnType<typeof setup>['meter']): FalInstrumentation {
  const instrumentation = new FalInstrumentation({ enabled: false, meter });
  const [definition] = instrumentation.getModuleDefinitions();
  const file = definition!.files[0] as InstrumentationNodeModuleFile;
  file.patch(clientModule);
  onTestFinished(() => {
    file.unpatch!(clientModule);
  });
  return instrumentation;
}

const config = (scenario: string) => ({
  credentials: API_KEY,
  proxyUrl: { url: `${replay.url}/${scenario}`, when: 'always' as const },
});
const INPUT = { input: { prompt: 'PROMPT-CANARY a tiger eye' }, pollInterval: 1 };
const attrs = (operation: string, model = 'fal-ai/flux/dev', extra: Attributes = {}): Attributes => ({
  [PROVIDER]: 'fal_ai',
  [OPERATION]: operation,
  [REQUEST_MODEL]: model,
  ...extra,
});
const images = (c: Collection) => c.points('ml.gen_ai.images').map((p) => [p.attributes[OPERATION], p.value]);
type FalError = Error & { status?: number };
const failure = (promise: Promise<unknown>): Promise<FalError> =>
  promise.then(
    () => new Error('unexpected success'),
    (e: unknown) => e as FalError,
  );

describe('fal', () => {
  it('subscribe: one call (queue wait and polls included), the images counted, the server the proxy', async () => {
    const { meter, collect } = setup();
    instrument(meter);
    fal.config(config('ok'));
    const result = await fal.subscribe('fal-ai/flux/dev', INPUT);
    expect(result.requestId).toBe('');
    expect((result.data as { images: unknown[] }).images).toHaveLength(1);
    // submit, IN_QUEUE, IN_PROGRESS, COMPLETED, result: five requests, one call.
    expect(replay.received.filter((r) => r.scenario === 'ok')).toHaveLength(5);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [
        {
          ...attrs('image_generation'),
          [SERVER_ADDRESS]: '127.0.0.1',
          [SERVER_PORT]: Number(new URL(replay.url).port),
        },
        1,
      ],
    ]);
    expect(images(c)).toEqual([['image_generation', 1]]);
    expect(log().warnings).toEqual([]);
  });

  it('queue.submit then queue.result is one call; status polls are none; run is one call', async () => {
    const { meter, collect } = setup();
    instrument(meter);
    const client = createFalClient(config('ok'));
    const { request_id } = await client.queue.submit('fal-ai/flux/dev', INPUT);
    const status = await client.queue.status('fal-ai/flux/dev', { requestId: request_id });
    expect(status.status).toBe('IN_QUEUE');
    await client.queue.result('fal-ai/flux/dev', { requestId: request_id });
    await client.run('fal-ai/flux/schnell', INPUT);
    const c = await collect();
    expect(countsOf(c, DURATION)).toEqual([
      [attrs('image_generation'), 1],
      [attrs('image_generation', 'fal-ai/flux/schnell'), 1],
    ]);
  });

  it('without a forced proxy the server is fal.run or queue.fal.run', async () => {
    const { meter, collect } = setup();
    instrument(meter);
    // A custom fetch answers, as the proxy does; the client still builds fal's own URLs.
    const fetchVia = (scenario: string) => (url: string | URL | Request, init?: RequestInit) =>
      fetch(`${replay.url}/${scenario}`, {
        ...init,
        headers: { ...(init?.headers as object), 'x-fal-target-url': String(url) },
      });
    const client = createFalClient({ credentials: API_KEY, fetch: fetchVia('ok') as typeof fetch });
    await client.run('fal-ai/flux/dev', INPUT);
    await client.subscribe('fal-ai/flux/dev', INPUT);
    const servers = (await collect())
      .histograms(DURATION)
      .map((h) => [h.attributes[SERVER_ADDRESS], h.attributes[SERVER_PORT]]);
    expect(servers).toEqual([
      ['fal.run', 443],
      ['queue.fal.run', 443],
    ]);
  });

  it('a 500 on submit and a failed request (COMPLETED, then an error result) are failed calls', async () => {
    const { meter, collect } = setup();
    const plain = [
      await failure(createFalClient(config('500')).subscribe('fal-ai/flux/dev', INPUT)),
      await failure(createFalClient(config('failed')).subscribe('fal-ai/flux/dev', INPUT)),
    ];
    instrument(meter);
    const errors = [
      await failure(createFalClient(config('500')).subscribe('fal-ai/flux/dev', INPUT)),
      await failure(createFalClient(config('failed')).subscribe('fal-ai/flux/dev', INPUT)),
    ];
    expect(errors.map((e) => [e.name, e.status, e.message])).toEqual(plain.map((e) => [e.name, e.status, e.message]));
    expect(errors.map((e) => e.status)).toEqual([500, 500]);
    expect(countsOf(await collect(), DURATION)).toEqual([
      [attrs('generate_content', 'fal-ai/flux/dev', { [ERROR_TYPE]: '500' }), 2],
    ]);
  });

  it('a 429 (after the client retries it) is one failed call', { timeout: 30_000 }, async () => {
    const { meter, collect } = setup();
    instrument(meter);
    const error = await failure(createFalClient(config('429')).run('fal-ai/flux/dev', INPUT));
    expect([error.name, error.status]).toEqual(['ApiError', 429]);
    expect(countsOf(await collect(), DURATION)).toEqual([
      [attrs('generate_content', 'fal-ai/flux/dev', { [ERROR_TYPE]: '429' }), 1],
    ]);
  });

  it('a budget refusal rejects subscribe and submit before anything is sent', async () => {
    const { meter, collect } = setup();
    instrument(meter);
    const refusal = new CallRefusedError('over budget');
    const seen: { provider: string; operation: string; model: string | undefined }[] = [];
    meter.addHooks({
      beforeCall: (call) => {
        seen.push(call);
        throw refusal;
      },
    });
    const before = replay.received.length;
    const client = createFalClient(config('ok'));
    await expect(client.subscribe('fal-ai/flux/dev', INPUT)).rejects.toBe(refusal);
    await expect(client.queue.submit('fal-ai/flux/dev', INPUT)).rejects.toBe(refusal);
    expect(replay.received.length).toBe(before);
    expect(seen).toEqual([
      { provider: 'fal_ai', operation: 'generate_content', model: 'fal-ai/flux/dev' },
      { provider: 'fal_ai', operation: 'generate_content', model: 'fal-ai/flux/dev' },
    ]);
    expect(countsOf(await collect(), DURATION)).toEqual([]);
  });

  it('unpatched, a client made while patched records nothing', async () => {
    const { meter, collect } = setup();
    const instrumentation = new FalInstrumentation({ enabled: false, meter });
    const file = instrumentation.getModuleDefinitions()[0]!.files[0] as InstrumentationNodeModuleFile;
    file.patch(clientModule);
    const client = createFalClient(config('ok'));
    file.unpatch!(clientModule);
    await client.run('fal-ai/flux/dev', INPUT);
    expect(countsOf(await collect(), DURATION)).toEqual([]);
  });
});
