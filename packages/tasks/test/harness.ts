// Shared harness of the @mltel/tasks unit tests: a real MeterProvider with a manual reader,
// collection helpers, and a diag logger that captures warnings.
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_QUEUE_NAME,
  ATTR_ML_TASK_NAME,
  ATTR_ML_TASK_STATUS,
  ATTR_ML_WORKER_TYPE,
  TASK_DURATION_BUCKETS,
} from '@mltel/semconv';
import { sdkHarness } from '@mltel/test-kit';
import type { HistogramPoint } from '@mltel/test-kit';
import type { Attributes } from '@opentelemetry/api';
import { expect } from 'vitest';
import { createTaskMeter } from '../src/default-meter.js';
import type { TaskMeterOptions } from '../src/types.js';

/** Sort key order: task name, status, error type, worker type, queue name (absent sorts first). */
const ORDER = [ATTR_ML_TASK_NAME, ATTR_ML_TASK_STATUS, ATTR_ERROR_TYPE, ATTR_ML_WORKER_TYPE, ATTR_ML_QUEUE_NAME];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
const harness = sdkHarness(ORDER);
export const { TestReader, Collection, attributeKey, sortByAttributes, captureDiag } = harness;

/**
 * The task meter keeps `ml.tasks` at 0 for every status of a task seen (so increase() sees the
 * first error): `points('ml.tasks')` leaves those zero series out, so the tests of counting read
 * what was counted; `allPoints` keeps them, for the tests of the zeros themselves.
 */
function withoutZeroTasks(collection: InstanceType<typeof harness.Collection>) {
  const points = collection.points.bind(collection);
  return Object.assign(collection, {
    allPoints: points,
    points: (name: string) => (name === 'ml.tasks' ? points(name).filter((p) => p.value !== 0) : points(name)),
  });
}

/** One collection of `reader` (see `withoutZeroTasks` for ml.tasks). */
export async function collect(reader: Parameters<typeof harness.collect>[0]) {
  return withoutZeroTasks(await harness.collect(reader));
}

/** A real SDK provider with a manual reader. */
export function sdkProvider() {
  const sdk = harness.sdkProvider();
  return { ...sdk, collect: async () => withoutZeroTasks(await sdk.collect()) };
}
export type TestReader = InstanceType<typeof TestReader>;
export type Collection = InstanceType<typeof Collection>;

/** A real SDK provider with a manual reader, and a task meter bound to it. */
export function setup(options: Omit<TaskMeterOptions, 'meterProvider'> = {}) {
  const sdk = sdkProvider();
  const meter = createTaskMeter({ ...options, meterProvider: sdk.provider });
  return { ...sdk, meter };
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export const BUCKETS = [...TASK_DURATION_BUCKETS];
export const NAME = ATTR_ML_TASK_NAME;
export const STATUS = ATTR_ML_TASK_STATUS;
export const WORKER = ATTR_ML_WORKER_TYPE;
export const ERROR_TYPE = ATTR_ERROR_TYPE;
export const QUEUE = ATTR_ML_QUEUE_NAME;

/** Bucket counts with `n` at each given index of the 17 TASK_DURATION_BUCKETS buckets. */
export function bucketCounts(entries: Record<number, number>): number[] {
  const counts = new Array<number>(BUCKETS.length + 1).fill(0);
  for (const [index, n] of Object.entries(entries)) counts[Number(index)] = n;
  return counts;
}

/** Asserts one measured-duration histogram point: exact count, buckets consistent, sum >= 0. */
export function expectMeasured(point: HistogramPoint | undefined, attributes: Attributes, count: number): void {
  expect(point).toBeDefined();
  expect(point!.attributes).toEqual(attributes);
  expect(point!.count).toBe(count);
  expect(point!.boundaries).toEqual(BUCKETS);
  expect(point!.counts).toHaveLength(BUCKETS.length + 1);
  expect(point!.counts.reduce((a, b) => a + b, 0)).toBe(count);
  expect(point!.sum).toBeGreaterThanOrEqual(0);
}

/**
 * Drops kit's process-wide queue-depth registries (held on globalThis), so the queues a test
 * observes on the global provider start empty. A dropped registry still follows the global
 * provider, as the meter of an earlier test did.
 */
export function forgetQueueDepths(): void {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('@mltel/kit/queue-depths')];
}
