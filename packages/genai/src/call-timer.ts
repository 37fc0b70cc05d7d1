// A call timed by hand (`start()`, and every tracked call and stream): the clock starts at
// `start`, each output chunk is timed from the one before, and only the first end counts.
import type { CallAttributes } from './call-attributes.js';
import type { ProviderCallTimer, ProviderUsage } from './types.js';

/** Where a timer reports; the provider meter records what it is told. */
export interface CallTimerSink {
  /** One output chunk: `seconds` since the start (the first chunk) or since the chunk before. */
  chunk(call: CallAttributes, seconds: number, first: boolean): void;
  /** The call ended after `durationSeconds`; `error` is undefined for a success. */
  finish(call: CallAttributes, durationSeconds: number, usage: ProviderUsage | undefined, error: unknown): void;
}

/** A timer that records nothing: for a call whose attributes were not admitted. */
export const NOOP_TIMER: ProviderCallTimer = { chunk() {}, end() {}, fail() {} };

/** Milliseconds of the monotonic clock. */
function now(): number {
  return performance.now();
}

/** A call in flight. Never throws: a failing sink loses the measurement, not the caller's call. */
export class CallTimer implements ProviderCallTimer {
  private readonly startedAt = now();
  private lastChunkAt: number | undefined;
  private done = false;

  constructor(
    private readonly sink: CallTimerSink,
    /** The call's admitted attributes. */
    readonly call: CallAttributes,
  ) {}

  chunk(): void {
    if (this.done) return;
    const at = now();
    const first = this.lastChunkAt === undefined;
    const seconds = (at - (this.lastChunkAt ?? this.startedAt)) / 1000;
    this.lastChunkAt = at;
    try {
      this.sink.chunk(this.call, seconds, first);
    } catch {
      // Recording never throws into a stream.
    }
  }

  end(usage?: ProviderUsage): void {
    this.close(usage, undefined);
  }

  fail(error: unknown, usage?: ProviderUsage): void {
    this.close(usage, error ?? 'Error');
  }

  private close(usage: ProviderUsage | undefined, error: unknown): void {
    if (this.done) return;
    this.done = true;
    try {
      this.sink.finish(this.call, (now() - this.startedAt) / 1000, usage, error);
    } catch {
      // Recording never throws into the caller.
    }
  }
}
