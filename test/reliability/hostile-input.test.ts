import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT } from '../integration/helpers.js';
import type { App } from './otlp-receiver.js';
import { runApp } from './otlp-receiver.js';

// Finding 7 of issue 13, through the real preload: an app hands every recording and wrapping API
// of tasks, genai, pipeline and quality hostile values (throwing Proxies and getters, errors whose
// conversions throw, absurd numbers, megabyte strings, symbols, bigints, cycles). The app survives
// (no uncaught exception, no unhandled rejection: either would end it), no call throws into it,
// wrapped results come back unchanged, and the scrape is valid with `ml_tasks_active` at 0.
// The fast-check suites beside each package's code (hostile-input.suite.test.ts) run 100k inputs;
// this is the short version in a real process.

const dist = (pkg: string): string => pathToFileURL(join(ROOT, `packages/${pkg}/dist/index.js`)).href;

const APP = `
const tasks = await import(process.env.APP_TASKS);
const genai = await import(process.env.APP_GENAI);
const pipeline = await import(process.env.APP_PIPELINE);
const quality = await import(process.env.APP_QUALITY);

const unprintable = () => {
  const e = Object.create(Error.prototype);
  const explode = () => { throw e; };
  for (const k of [Symbol.toPrimitive, 'toString', 'valueOf', 'message', 'name', 'code', 'constructor', 'stack']) {
    Object.defineProperty(e, k, { get: explode });
  }
  return e;
};
const proxy = (callable) => {
  const e = unprintable();
  const handler = {};
  for (const trap of ['get', 'set', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'defineProperty', 'deleteProperty',
    'getPrototypeOf', 'setPrototypeOf', 'isExtensible', 'preventExtensions', 'apply', 'construct']) {
    handler[trap] = () => { throw e; };
  }
  return new Proxy(callable ? function () {} : {}, handler);
};
const getters = () => {
  const e = unprintable();
  const o = {};
  for (const k of ['name', 'status', 'durationSeconds', 'workerType', 'provider', 'operation', 'model', 'usage',
    'seconds', 'size', 'sequenceLengths', 'predictedClass', 'confidence', 'features', 'then', 'timeoutMs', 'classify']) {
    Object.defineProperty(o, k, { get() { throw e; }, enumerable: true });
  }
  return o;
};
const cyclic = () => { const a = {}; a.self = a; return a; };
const HUGE = 'x'.repeat(1_000_000);
const makers = [
  () => proxy(false), () => proxy(true), getters, unprintable, cyclic,
  () => 1e308, () => Number.NaN, () => -1, () => HUGE, () => Symbol('s'), () => 10n ** 30n, () => null, () => undefined,
  () => ({ toString: () => { throw unprintable(); } }),
];
const hostile = (i) => makers[i % makers.length]();

let thrown = 0;
let changed = 0;
const guard = (fn) => { try { fn(); } catch { thrown++; } };
const guardAsync = async (fn) => { try { await fn(); } catch { thrown++; } };

const taskMeter = tasks.createTaskMeter();
const providerMeter = genai.createProviderMeter();
const pipelineMeter = pipeline.createPipelineMeter({ pipelineName: 'hostile', workerPool: { type: 'cpu', size: 2 } });
const monitor = quality.createModelMonitor({ modelName: 'hostile', window: { count: 50 } });
const N = Number(process.env.APP_N);
for (let i = 0; i < N; i++) {
  const a = hostile(i), b = hostile(i + 3), c = hostile(i + 7);
  const sentinel = { i };
  // Wrapping: the function's own result and error come back unchanged, whatever the name and options.
  guard(() => { if (taskMeter.wrap(a, () => sentinel, b)() !== sentinel) changed++; });
  guard(() => {
    const error = new Error('own');
    try { taskMeter.run(a, () => { throw error; }, c); changed++; } catch (e) { if (e !== error) changed++; }
  });
  await guardAsync(async () => { if ((await taskMeter.wrap(a, async () => sentinel, b)()) !== sentinel) changed++; });
  await guardAsync(async () => {
    if ((await providerMeter.track(a, async () => sentinel, b)) !== sentinel) changed++;
  });
  guard(() => taskMeter.record(a));
  guard(() => { const h = taskMeter.start(a, b); h.fail(c); h.success(); });
  guard(() => taskMeter.recordQueueWait(a, b, c));
  guard(() => taskMeter.setQueueSize(a, b));
  guard(() => providerMeter.record(a));
  guard(() => { const t = providerMeter.start(a); t.chunk(); t.end(b); });
  guard(() => providerMeter.setStatus(a, b));
  guard(() => genai.openAIUsage(a));
  guard(() => pipelineMeter.recordInference(a));
  guard(() => pipelineMeter.recordBatch(a));
  guard(() => pipelineMeter.recordStage(a, b, c));
  guard(() => pipelineMeter.timeline(a).mark(b).add(c, a).end(b));
  guard(() => pipelineMeter.resume(a).end());
  guard(() => monitor.recordPrediction(a));
  guard(() => monitor.observe(a));
  guard(() => monitor.recordBatch(a));
  guard(() => monitor.recordLabel(a, b));
  guard(() => tasks.createTaskMeter(a));
  guard(() => quality.createModelMonitor(a).close());
}
console.log('app: ready ' + JSON.stringify({ thrown, changed, calls: N }));
setTimeout(() => {}, 120_000);
`;

describe('hostile input through the real preload (issue 13, finding 7)', () => {
  let app: App;
  let port: number;
  let ready: { thrown: number; changed: number; calls: number };

  beforeAll(async () => {
    port = await freePort();
    app = runApp(APP, {
      APP_TASKS: dist('tasks'),
      APP_GENAI: dist('genai'),
      APP_PIPELINE: dist('pipeline'),
      APP_QUALITY: dist('quality'),
      APP_N: '5000',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      OTEL_LOG_LEVEL: 'error',
    });
    const line = await app.child.waitForLine(/^app: ready /, 60_000);
    ready = JSON.parse(line.slice('app: ready '.length)) as typeof ready;
  });

  afterAll(async () => {
    await app?.child.stop();
    app?.remove();
  });

  it('no call threw into the app, and every wrapped result and error came back unchanged', () => {
    expect(ready).toEqual({ thrown: 0, changed: 0, calls: 5000 });
  });

  it('the app is alive and its scrape is valid, with ml_tasks_active at 0', async () => {
    const text = await getText(`http://127.0.0.1:${port}/metrics`);
    const samples = parseExposition(text);
    expect(samples.length).toBeGreaterThan(0);
    const active = samples.filter((s) => s.name === 'ml_tasks_active');
    expect(active.length).toBeGreaterThan(0);
    expect(active.filter((s) => s.value !== 0)).toEqual([]);
    // No absurd value reached a sum: every _sum and counter is finite.
    expect(samples.filter((s) => !Number.isFinite(s.value) && !s.labels['le'])).toEqual([]);
    expect(text.length).toBeLessThan(5_000_000);
  });
});
