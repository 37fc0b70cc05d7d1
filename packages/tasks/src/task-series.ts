// The task meter's series prepared once, the way prom-client binds label values: per task name
// and worker, the attribute sets of every status, the tasks counted but not yet handed to the
// SDK, and the tasks in flight. A wrapped call then makes one SDK call (the duration) instead of
// four: the OTel SDK hashes the attributes of every add and record (sort and JSON.stringify, 36%
// of a wrap's profile) and the metrics API has no bound instruments. Counts are handed to the
// counters at each collection, before the SDK reads them (its observable callbacks run first),
// and in flight is observed then. Measured (benchmarks/src/hot-paths.js): see the commit.
import type { Attributes } from '@opentelemetry/api';
import { ML_TASK_STATUS_VALUES } from '@mltel/semconv';
import type { MlTaskStatus } from '@mltel/semconv';
import type { TaskAttributes } from './attributes.js';
import type { TaskInstruments } from './instruments.js';

/** Series kept prepared; past this many (name x worker) pairs, tasks are recorded unprepared. */
export const MAX_PREPARED = 10_000;
const STATUS_INDEX: ReadonlyMap<string, number> = new Map(ML_TASK_STATUS_VALUES.map((s, i) => [s, i]));
const STATUSES = ML_TASK_STATUS_VALUES.length;

const STARTED = 1;
const DIRTY = 2;
const BORN = 4;

/** Counts and attribute sets of the statuses other than success, made when one is first used. */
interface OtherStatuses {
  readonly counts: number[];
  readonly sets: (Attributes | undefined)[];
}

/**
 * One task name and worker: its attribute sets (built when first used, then shared with the SDK,
 * which keeps the first object of each series anyway), counts not yet handed over, and tasks in
 * flight. Kept small, as 10,000 series are 10,000 of these: success (index 0) inline, the other
 * statuses in an object made when one is first used, the three flags in one number. Measured
 * (benchmarks/src/hot-paths.js, memory): 710 B per task name with arrays and eager sets, ~390 B
 * with a field per status, ~300 B like this (before the prepared series: ~271 B).
 */
export class TaskSeries {
  /** Tasks in flight now, whatever provider they started on. */
  active = 0;
  private flags = 0;
  private successCount = 0;
  private successSet: Attributes | undefined;
  private activeSet: Attributes | undefined;
  private others: OtherStatuses | undefined;

  constructor(
    readonly name: string,
    readonly worker: string | undefined,
    private readonly attributes: TaskAttributes,
  ) {}

  /** Whether a task of it started on the current instruments: `ml.tasks.active` is reported then. */
  get startedOnce(): boolean {
    return (this.flags & STARTED) !== 0;
  }
  set startedOnce(value: boolean) {
    this.flags = value ? this.flags | STARTED : this.flags & ~STARTED;
  }

  /** Whether the series is in the list of those with pending counts. */
  get dirty(): boolean {
    return (this.flags & DIRTY) !== 0;
  }
  set dirty(value: boolean) {
    this.flags = value ? this.flags | DIRTY : this.flags & ~DIRTY;
  }

  /** Whether its `ml.tasks` series exist on the current instruments (born at 0 for every status). */
  get born(): boolean {
    return (this.flags & BORN) !== 0;
  }
  set born(value: boolean) {
    this.flags = value ? this.flags | BORN : this.flags & ~BORN;
  }

  /** Attributes of `ml.tasks.active`. */
  get activeAttributes(): Attributes {
    this.activeSet ??= Object.freeze(this.attributes.task(this.name, this.worker));
    return this.activeSet;
  }

  /** Attributes of `ml.tasks` and `ml.task.duration` of the status at `index`. */
  statusAttributes(index: number): Attributes {
    if (index === 0) {
      this.successSet ??= this.build(0);
      return this.successSet;
    }
    const others = this.otherStatuses();
    let set = others.sets[index];
    if (set === undefined) {
      set = this.build(index);
      others.sets[index] = set;
    }
    return set;
  }

  /** Adds one to the pending count of the status at `index`. */
  add(index: number): void {
    if (index === 0) this.successCount++;
    else this.otherStatuses().counts[index]!++;
  }

  /** Takes the pending count of the status at `index` (it is 0 after). */
  take(index: number): number {
    let count: number;
    if (index === 0) {
      count = this.successCount;
      this.successCount = 0;
    } else {
      const counts = this.others?.counts;
      count = counts?.[index] ?? 0;
      if (counts !== undefined) counts[index] = 0;
    }
    return count;
  }

  /** The attribute set of a status for its zero: the kept one if built, else a new one (not kept). */
  zeroAttributes(index: number): Attributes {
    const kept = index === 0 ? this.successSet : this.others?.sets[index];
    return kept ?? this.attributes.task(this.name, this.worker, ML_TASK_STATUS_VALUES[index]);
  }

  private otherStatuses(): OtherStatuses {
    this.others ??= { counts: ML_TASK_STATUS_VALUES.map(() => 0), sets: ML_TASK_STATUS_VALUES.map(() => undefined) };
    return this.others;
  }

  private build(index: number): Attributes {
    return Object.freeze(this.attributes.task(this.name, this.worker, ML_TASK_STATUS_VALUES[index]));
  }
}

/**
 * The prepared series of one task meter, and the hand-over of their counts to the instruments of
 * the current provider. Single-threaded; never throws into a caller (a failing SDK loses counts).
 */
export class TaskSeriesSet {
  // By worker (at most 20, and none), then name: no key to build per call, and a name or worker
  // holding \u0000 never shares a series with another pair.
  private readonly byWorker = new Map<string | undefined, Map<string, TaskSeries>>();
  private readonly all: TaskSeries[] = [];
  private readonly dirty: TaskSeries[] = [];
  private current: TaskInstruments | undefined;

  constructor(private readonly attributes: TaskAttributes) {}

  /** The series of `name` and `worker`, or undefined past {@link MAX_PREPARED} of them. */
  get(name: string, worker: string | undefined): TaskSeries | undefined {
    let byName = this.byWorker.get(worker);
    let found = byName?.get(name);
    if (found === undefined) {
      if (this.all.length >= MAX_PREPARED) return undefined;
      if (byName === undefined) {
        byName = new Map();
        this.byWorker.set(worker, byName);
      }
      found = new TaskSeries(name, worker, this.attributes);
      byName.set(name, found);
      this.all.push(found);
      this.markDirty(found);
    }
    return found;
  }

  /**
   * Counts one finished task of `status` (handed to `ml.tasks` at the next collection); returns
   * the series' attribute set of that status.
   */
  count(series: TaskSeries, status: MlTaskStatus): Attributes {
    const index = STATUS_INDEX.get(status)!;
    series.add(index);
    if (!series.dirty) this.markDirty(series);
    return series.statusAttributes(index);
  }

  /**
   * Called with the instruments every record uses: when the provider changed, what was counted
   * for the old one is handed to it now, and the series are born again on the new one.
   */
  use(instruments: TaskInstruments): void {
    if (instruments === this.current) return;
    const old = this.current;
    this.current = instruments;
    if (old !== undefined) this.flush(old);
    this.dirty.length = 0;
    for (const series of this.all) {
      series.born = false;
      series.startedOnce = false;
      series.dirty = false;
      this.markDirty(series);
    }
  }

  /**
   * At a collection of `instruments`: hands the pending counts to `ml.tasks` (series born at 0
   * for every status first), then reports the tasks in flight of every series started on them.
   */
  collect(
    instruments: TaskInstruments,
    addActive: (name: string, worker: string | undefined, active: number, attributes: Attributes) => void,
  ): void {
    if (instruments !== this.current) return;
    this.flush(instruments);
    for (const series of this.all) {
      if (series.startedOnce) addActive(series.name, series.worker, series.active, series.activeAttributes);
    }
  }

  private markDirty(series: TaskSeries): void {
    series.dirty = true;
    this.dirty.push(series);
  }

  private flush(instruments: TaskInstruments): void {
    const dirty = this.dirty.splice(0);
    for (const series of dirty) {
      series.dirty = false;
      const born = series.born;
      series.born = true;
      for (let i = 0; i < STATUSES; i++) {
        const count = series.take(i);
        if (count === 0 && born) continue;
        try {
          // A zero of a status never used is added with a set built for it: the SDK keeps it.
          instruments.tasks.add(count, count === 0 ? series.zeroAttributes(i) : series.statusAttributes(i));
        } catch {
          // A failing provider loses these counts, never the collection of the others.
        }
      }
    }
  }
}
