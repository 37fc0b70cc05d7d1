// Shared harness of the @mltel/node unit tests: a real MeterProvider with a manual reader,
// collection helpers, a diag logger that captures warnings, and temp directories.
import type { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Attributes } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_BUDGET_NAME,
  ATTR_ML_BUDGET_WINDOW,
  ATTR_ML_TASK_NAME,
} from '@mltel/semconv';
import { sdkHarness } from '@mltel/test-kit';
import { fromSnapshot, toSnapshot } from '../src/multiprocess/snapshot.js';
import type { Snapshot } from '../src/multiprocess/snapshot.js';

/** Sort key order: provider, operation, model, task, budget name and window, then the rest. */
const ORDER = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_TASK_NAME,
  ATTR_ML_BUDGET_NAME,
  ATTR_ML_BUDGET_WINDOW,
];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { TestReader, Collection, attributeKey, collect, captureDiag, sdkProvider } = sdkHarness(ORDER);
export type TestReader = InstanceType<typeof TestReader>;
export type Collection = InstanceType<typeof Collection>;

/** A fresh temporary directory and the function that removes it. */
export function tempDir(prefix = 'mltel-node-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Polls `check` every 10 ms until it returns something other than undefined; rejects after
 * `timeoutMs` with `what` in the message (every wait of these tests is bounded).
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

let stale: string | undefined;
let checked = false;

/**
 * The built file of `src/<path>.ts` (`dist/<path>.js`), for tests that run the package in
 * another process or thread, as an application does. Throws when any built file of the package
 * is missing or older than its source, so that such a test never runs stale code: build first
 * (`pnpm run build`).
 */
export function built(path: string): string {
  if (!checked) {
    checked = true;
    stale = sources(join(PACKAGE, 'src')).find((source) => {
      const output = join(PACKAGE, 'dist', `${source.slice(join(PACKAGE, 'src').length + 1, -3)}.js`);
      return !existsSync(output) || statSync(output).mtimeMs < statSync(source).mtimeMs;
    });
  }
  if (stale !== undefined) {
    throw new Error(`the build of ${stale} is missing or older than it: run \`pnpm run build\` first`);
  }
  return join(PACKAGE, 'dist', `${path}.js`);
}

/** A fixture of test/fixtures. */
export function fixture(name: string): string {
  return join(PACKAGE, 'test', 'fixtures', name);
}

/** A real provider standing for one worker process, with the instruments the merge tests use. */
export function worker(buckets: number[] = [0.1, 1, 10]) {
  const { reader, provider } = sdkProvider();
  const meter = provider.getMeter('@mltel/pipeline');
  const instruments = {
    requests: meter.createCounter('ml.tasks'),
    latency: meter.createHistogram('ml.pipeline.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: buckets },
    }),
    active: meter.createUpDownCounter('ml.tasks.active'),
    queue: meter.createGauge('ml.queue.size'),
    hostCpu: meter.createCounter('system.cpu.time'),
  };
  return {
    ...instruments,
    // Through JSON, as over the cluster IPC channel.
    snapshot: async (): Promise<Snapshot> =>
      JSON.parse(JSON.stringify(toSnapshot((await reader.collect()).resourceMetrics))),
  };
}

/** The SDK form of metric `name` in a snapshot. */
export function metric(snapshot: Snapshot, name: string): MetricData | undefined {
  for (const scope of fromSnapshot(snapshot)) for (const m of scope.metrics) if (m.descriptor.name === name) return m;
  return undefined;
}

/** `[attributes, value]` of each point of `name` in a snapshot. */
export function values(snapshot: Snapshot, name: string): [Attributes, unknown][] {
  return (metric(snapshot, name)?.dataPoints ?? []).map((p) => [p.attributes, p.value]);
}

/** The built multi-process modules, as test/fixtures/peer.mjs loads them. */
export function peerModules() {
  return {
    snapshot: built('multiprocess/snapshot'),
    threads: built('multiprocess/threads'),
    cluster: built('multiprocess/cluster'),
    start: built('multiprocess/start'),
  };
}

/** The next `message` event of `emitter` that `match` accepts; rejects after `timeoutMs`. */
export function nextMessage<T = Record<string, unknown>>(
  emitter: EventEmitter,
  match: (message: Record<string, unknown>) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (typeof message !== 'object' || message === null || !match(message as Record<string, unknown>)) return;
      clearTimeout(timer);
      emitter.off('message', onMessage);
      resolve(message as T);
    };
    const timer = setTimeout(() => {
      emitter.off('message', onMessage);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a message`));
    }, timeoutMs);
    emitter.on('message', onMessage);
  });
}
