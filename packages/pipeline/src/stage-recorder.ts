// Stage recording: a finished request's timeline (`ml.pipeline.duration` and one
// `ml.pipeline.stage.duration` per closed stage) and single stages measured elsewhere.
import { describeValue } from '@mltel/kit';
import type { ProviderBinding, WarnOnce } from '@mltel/kit';
import type { PipelineAttributes } from './attributes.js';
import { MAX_SECONDS } from './input.js';
import { field, inRange } from '@mltel/kit';
import type { PipelineInstruments } from './instruments.js';
import { now, Timeline } from './timeline.js';
import type { EndOptions } from './types.js';

/** Records timelines and stages; never throws, bad input is dropped with one warning. */
export class StageRecorder {
  constructor(
    private readonly instruments: ProviderBinding<PipelineInstruments>,
    private readonly attributes: PipelineAttributes,
    private readonly warnings: WarnOnce,
  ) {}

  /**
   * Records a finished request: `ml.pipeline.duration` from its start to now (or `options.at`)
   * and one `ml.pipeline.stage.duration` per closed stage. Stages still open are left out.
   */
  record(timeline: Timeline, options: EndOptions = {}): void {
    if (!isTimeline(timeline)) {
      this.warnings.warn('record:not-timeline', `record() needs a Timeline, got ${describeValue(timeline)}`);
      return;
    }
    // Options read field by field behind guards: a throwing getter loses that option only.
    const at = field(options, 'at');
    const end = typeof at === 'number' && Number.isFinite(at) ? at : now();
    const workerId = field(options, 'workerId');
    const worker = this.attributes.workerKey(workerId ?? timeline.workerId);
    const error = field(options, 'error');
    const errorType = error === undefined ? undefined : this.attributes.errorType(error);
    const inst = this.instruments.get();
    const total = (end - timeline.origin) / 1000;
    if (inRange(total, MAX_SECONDS)) {
      inst.duration.record(total, this.attributes.pipeline(worker, errorType));
    } else {
      this.warnings.warn(
        'duration:range',
        `a timeline ended before it started or lasted over ${MAX_SECONDS} s (${describeValue(total)} s: clock or origin mix-up); ml.pipeline.duration is dropped`,
      );
    }
    const s = timeline.stages;
    for (let i = 0; i + 2 < s.length; i += 3) {
      const start = s[i + 1];
      const stop = s[i + 2];
      if (stop === -1) continue;
      // Typed check first: a stage array edited by hand may hold anything, and `-` converts objects.
      const seconds = typeof start === 'number' && typeof stop === 'number' ? (stop - start) / 1000 : Number.NaN;
      if (!inRange(seconds, MAX_SECONDS)) {
        this.warnings.warn(
          'stage:invalid',
          `a stage with a bad duration (${describeValue(seconds)}; 0 to ${MAX_SECONDS} s) is dropped`,
        );
        continue;
      }
      const attributes = this.attributes.stageByName(s[i], worker);
      if (attributes !== undefined) inst.stageDuration.record(seconds, attributes);
    }
  }

  /** Records one stage outside a timeline, in seconds. */
  recordStage(stage: string, seconds: number, options: { workerId?: number } = {}): void {
    if (!inRange(seconds, MAX_SECONDS)) {
      this.warnings.warn(
        'stage:invalid',
        `ml.pipeline.stage.duration needs seconds from 0 to ${MAX_SECONDS}, got ${describeValue(seconds)}; dropped`,
      );
      return;
    }
    const name = this.attributes.stage(stage);
    if (name === undefined) return;
    const worker = this.attributes.workerKey(field(options, 'workerId'));
    this.instruments.get().stageDuration.record(seconds, this.attributes.stageOf(name, worker));
  }
}

/** `instanceof Timeline`, false for a Proxy whose prototype trap throws. Never throws. */
function isTimeline(value: unknown): value is Timeline {
  try {
    return value instanceof Timeline;
  } catch {
    return false;
  }
}
