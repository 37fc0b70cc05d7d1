// `ml.queue.jobs`: job counts per state, read from the broker at collection. A read is a network
// call, so it is bounded three ways: at most one read per queue per interval (the cached counts
// are reported in between), each read waits at most a timeout, and at most MAX_OBSERVED_QUEUES.
import type { ObservableResult } from '@opentelemetry/api';
import { ATTR_MESSAGING_SYSTEM, ATTR_ML_QUEUE_NAME, ATTR_ML_QUEUE_STATE, ML_QUEUE_STATE_VALUES } from '@mltel/semconv';
import type { WarnOnce } from '@mltel/kit';

/** Queues whose job counts are read at once; past it, a new queue is not reported (one warning). */
export const MAX_OBSERVED_QUEUES = 50;
/** Default minimum time between two reads of one queue's counts, in ms. */
export const DEFAULT_QUEUE_JOBS_INTERVAL_MS = 10_000;
/** Default longest wait for one read, in ms. */
export const DEFAULT_QUEUE_JOBS_TIMEOUT_MS = 2_000;
// Counts older than this many intervals, and at least a minute (reads failing since), are not
// reported: a stale depth misleads.
const STALE_AFTER_INTERVALS = 6;
const STALE_AFTER_MIN_MS = 60_000;

/** Reads a queue's job counts by state (BullMQ's `getJobCounts()`). */
export type JobCountsReader = () => Promise<Record<string, number>>;

interface Observed {
  readonly system: string;
  readonly queue: string;
  readonly read: JobCountsReader;
  counts: Record<string, number> | undefined;
  readAt: number;
  succeededAt: number;
  inFlight: Promise<void> | undefined;
}

function boundedMs(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 3_600_000 ? value : fallback;
}

/** The queues reported as `ml.queue.jobs`, with their cached counts. */
export class QueueJobs {
  private readonly observed = new Map<string, Observed>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly staleMs: number;

  constructor(
    options: { intervalMs?: number | undefined; timeoutMs?: number | undefined },
    private readonly warnings: WarnOnce,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = boundedMs(options.intervalMs, DEFAULT_QUEUE_JOBS_INTERVAL_MS);
    this.timeoutMs = boundedMs(options.timeoutMs, DEFAULT_QUEUE_JOBS_TIMEOUT_MS);
    this.staleMs = Math.max(this.intervalMs * STALE_AFTER_INTERVALS, STALE_AFTER_MIN_MS);
  }

  /** Reports `queue` from now on (a second reader of the same queue replaces the first); returns the stop function. */
  add(system: string, queue: string, read: JobCountsReader): () => void {
    const key = `${system}\u0000${queue}`;
    if (!this.observed.has(key) && this.observed.size >= MAX_OBSERVED_QUEUES) {
      this.warnings.warn(
        'queue-jobs:too-many',
        `ml.queue.jobs reports at most ${MAX_OBSERVED_QUEUES} queues; "${queue}" is not reported`,
      );
      return () => {};
    }
    const entry: Observed = {
      system,
      queue,
      read,
      counts: undefined,
      readAt: Number.NEGATIVE_INFINITY,
      succeededAt: Number.NEGATIVE_INFINITY,
      inFlight: undefined,
    };
    this.observed.set(key, entry);
    return () => {
      if (this.observed.get(key) === entry) this.observed.delete(key);
    };
  }

  /** Whether `queue` is reported. */
  has(system: string, queue: string): boolean {
    return this.observed.has(`${system}\u0000${queue}`);
  }

  /** Reports every queue's counts, reading the stale ones first (each bounded by the timeout). */
  async observe(result: ObservableResult): Promise<void> {
    const now = this.now();
    const reads: Promise<void>[] = [];
    for (const entry of this.observed.values()) {
      if (now - entry.readAt >= this.intervalMs) reads.push(this.refresh(entry, now));
      else if (entry.inFlight !== undefined) reads.push(entry.inFlight);
    }
    if (reads.length > 0) await this.bounded(Promise.all(reads));
    const fresh = this.now();
    for (const entry of this.observed.values()) {
      const counts = entry.counts;
      if (counts === undefined || fresh - entry.succeededAt > this.staleMs) continue;
      for (const state of ML_QUEUE_STATE_VALUES) {
        const value = counts[state];
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) continue;
        result.observe(value, {
          [ATTR_MESSAGING_SYSTEM]: entry.system,
          [ATTR_ML_QUEUE_NAME]: entry.queue,
          [ATTR_ML_QUEUE_STATE]: state,
        });
      }
    }
  }

  private refresh(entry: Observed, now: number): Promise<void> {
    entry.readAt = now;
    const read = (async () => {
      try {
        const counts = await entry.read();
        if (typeof counts === 'object' && counts !== null) {
          entry.counts = counts;
          entry.succeededAt = this.now();
        }
      } catch (error) {
        this.warnings.warn(
          `queue-jobs:read:${entry.queue}`,
          `ml.queue.jobs: reading the job counts of "${entry.queue}" failed (${error instanceof Error ? error.message : String(error)}); its last counts are kept for a while`,
        );
      } finally {
        entry.inFlight = undefined;
      }
    })();
    entry.inFlight = read;
    return read;
  }

  private bounded(work: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.timeoutMs);
      timer.unref();
      work.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        () => {
          clearTimeout(timer);
          resolve();
        },
      );
    });
  }
}
