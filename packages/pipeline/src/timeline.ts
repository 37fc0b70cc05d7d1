import { diag } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import type { EndOptions } from './types.js';

// Read once: `performance.timeOrigin` is a getter (0.7% of a pipeline request's profile) whose
// value never changes in a thread, and a module is loaded once per thread.
const TIME_ORIGIN = performance.timeOrigin;

/**
 * The serialised form of a {@link Timeline}: plain numbers and strings, so it survives
 * `JSON.stringify`, `structuredClone`, `postMessage` and process IPC unchanged.
 * `o` is the origin and `s` holds `[stage, startMs, endMs]` triples, times in milliseconds since
 * the Unix epoch on this host's monotonic clock (`performance.timeOrigin + performance.now()`).
 */
export interface TimelineJSON {
  /** Format version. */
  v: 1;
  /** Start of the request, ms. */
  o: number;
  /** Flat `[stage, startMs, endMs, ...]`; an open stage has endMs -1. */
  s: (string | number)[];
  /** Worker id given at creation, if any. */
  w?: number;
}

/**
 * Milliseconds since the Unix epoch from the monotonic clock: `performance.timeOrigin +
 * performance.now()`. Each thread and process has its own `timeOrigin`, but all are wall-clock
 * instants of one host, so readings taken in different threads or processes of one host are
 * comparable (to well under a millisecond); across hosts they are not.
 */
export function now(): number {
  return TIME_ORIGIN + performance.now();
}

const OPEN = -1;

/** `object[key]`, or undefined when reading it throws. */
function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * A copy of `stages` when it is a flat `[name, startMs, endMs, ...]` array (names strings, times
 * numbers), else undefined. Never throws.
 */
function validStages(stages: unknown): (string | number)[] | undefined {
  try {
    if (!Array.isArray(stages) || stages.length % 3 !== 0) return undefined;
    const copy = stages.slice();
    for (let i = 0; i < copy.length; i += 3) {
      if (typeof copy[i] !== 'string' || typeof copy[i + 1] !== 'number' || typeof copy[i + 2] !== 'number') {
        return undefined;
      }
    }
    return copy as (string | number)[];
  } catch {
    return undefined;
  }
}

/** What records a timeline (the pipeline meter). */
export interface TimelineRecorder {
  record(timeline: Timeline, options?: EndOptions): void;
}

let warnedUnbound = false;

/** Binds a timeline to the recorder its `end()` uses (internal to the package; set by Timeline). */
export let bindTimeline: (timeline: Timeline, recorder: TimelineRecorder) => Timeline;

/**
 * One request's way through a pipeline: stages with start and end times, kept as numbers in one
 * small array (no closures, no objects per stage) so it is cheap to create and to carry through
 * queues, worker threads and processes ({@link Timeline.toJSON} / {@link Timeline.from}).
 * Recording happens once, when the pipeline meter ends it. Methods never throw.
 */
export class Timeline {
  /** Request start, ms (see {@link now}). */
  readonly origin: number;
  /** Flat `[stage, startMs, endMs, ...]`. */
  readonly stages: (string | number)[];
  /** The worker id the request is attributed to, if any. */
  workerId: number | undefined;
  private lastMark: number;
  // The meter that created it, in an ES private field so that the timeline stays plain data for
  // JSON and structuredClone/postMessage (a clone arrives unbound; resume() binds it again).
  // Measured: a WeakMap from timeline to meter cost about as much as the recording itself.
  #recorder: TimelineRecorder | undefined;

  static {
    bindTimeline = (timeline, recorder) => {
      timeline.#recorder = recorder;
      return timeline;
    };
  }

  constructor(origin: number = now(), stages: (string | number)[] = [], workerId?: number) {
    // Checked, not trusted: a timeline is built from data that crossed a thread or a process.
    this.origin = typeof origin === 'number' && Number.isFinite(origin) ? origin : now();
    this.stages = validStages(stages) ?? [];
    this.workerId = typeof workerId === 'number' ? workerId : undefined;
    const n = this.stages.length;
    const last = this.stages[n - 1];
    this.lastMark = n >= 3 && typeof last === 'number' && last !== OPEN ? last : this.origin;
  }

  /** Rebuilds a timeline from {@link Timeline.toJSON} output (a bad value gives an empty one). */
  static from(json: TimelineJSON | string | Timeline): Timeline {
    let data: unknown = json;
    if (typeof json === 'string') {
      try {
        data = JSON.parse(json);
      } catch {
        return new Timeline();
      }
    }
    if (typeof data !== 'object' || data === null) return new Timeline();
    // Also accepts a structuredClone of a Timeline itself ({ origin, stages, workerId }); each
    // field read behind a guard (a Proxy or a throwing getter gives an empty timeline).
    const o = read(data, 'o') ?? read(data, 'origin');
    const s = validStages(read(data, 's') ?? read(data, 'stages'));
    const w = read(data, 'w') ?? read(data, 'workerId');
    if (typeof o !== 'number' || !Number.isFinite(o) || s === undefined) return new Timeline();
    return new Timeline(o, s, typeof w === 'number' ? w : undefined);
  }

  /** Opens `stage` now (closed by {@link Timeline.finish}). */
  begin(stage: string): this {
    // A non-string stage could never be recorded (nor survive toJSON): ignored here, in all methods.
    if (typeof stage !== 'string') return this;
    this.stages.push(stage, now(), OPEN);
    return this;
  }

  /** Closes the latest open `stage` now; a stage never begun is ignored. */
  finish(stage: string): this {
    const t = now();
    for (let i = this.stages.length - 3; i >= 0; i -= 3) {
      if (this.stages[i] === stage && this.stages[i + 2] === OPEN) {
        this.stages[i + 2] = t;
        this.lastMark = t;
        break;
      }
    }
    return this;
  }

  /**
   * Ends `stage` now, started at the previous mark (or the request start): the sequential way,
   * `t.mark('tokenize'); ...; t.mark('model_queue')`.
   */
  mark(stage: string): this {
    if (typeof stage !== 'string') return this;
    const t = now();
    this.stages.push(stage, this.lastMark, t);
    this.lastMark = t;
    return this;
  }

  /** Adds a stage whose length was measured elsewhere, in seconds, ending now (a non-number is ignored). */
  add(stage: string, seconds: number): this {
    // typeof first: `seconds * 1000` would call an object's valueOf, which may throw.
    if (typeof seconds !== 'number' || typeof stage !== 'string') return this;
    const t = now();
    this.stages.push(stage, t - seconds * 1000, t);
    return this;
  }

  /**
   * Records the request through the meter that created it (`meter.timeline()` or
   * `meter.resume()`); a timeline without one is not recorded (one warning).
   */
  end(options?: EndOptions): void {
    const recorder = this.#recorder;
    if (recorder !== undefined) {
      recorder.record(this, options);
      return;
    }
    if (!warnedUnbound) {
      warnedUnbound = true;
      diag.warn(
        'mltel: a Timeline ended without a pipeline meter; use meter.resume(json) or meter.record(timeline). Not recorded.',
      );
    }
  }

  /** Number of stages recorded so far. */
  get length(): number {
    return this.stages.length / 3;
  }

  /** Seconds since the request started (until `at`, when it is a number). */
  elapsed(at: number = now()): number {
    return ((typeof at === 'number' ? at : now()) - this.origin) / 1000;
  }

  /** The plain form for queues, `postMessage` and IPC. */
  toJSON(): TimelineJSON {
    return this.workerId === undefined
      ? { v: 1, o: this.origin, s: this.stages }
      : { v: 1, o: this.origin, s: this.stages, w: this.workerId };
  }
}
