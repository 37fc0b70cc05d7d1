// Stage recording: a finished request's timeline (`ml.pipeline.duration` and one
// `ml.pipeline.stage.duration` per closed stage) and single stages measured elsewhere.
import { describeValue, isNonNegativeFinite } from '@mltel/kit';
import type { ProviderBinding, WarnOnce } from '@mltel/kit';
import type { PipelineAttributes } from './attributes.js';
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
    if (!(timeline instanceof Timeline)) {
      this.warnings.warn('record:not-timeline', `record() needs a Timeline, got ${describeValue(timeline)}`);
      return;
    }
    const opts = typeof options === 'object' && options !== null ? options : {};
    const end = typeof opts.at === 'number' && Number.isFinite(opts.at) ? opts.at : now();
    const worker = this.attributes.workerKey(opts.workerId ?? timeline.workerId);
    const errorType = opts.error === undefined ? undefined : this.attributes.errorType(opts.error);
    const inst = this.instruments.get();
    const total = (end - timeline.origin) / 1000;
    if (isNonNegativeFinite(total)) {
      inst.duration.record(total, this.attributes.pipeline(worker, errorType));
    } else {
      this.warnings.warn(
        'duration:negative',
        'a timeline ended before it started (clock or origin mix-up); ml.pipeline.duration is dropped',
      );
    }
    const s = timeline.stages;
    for (let i = 0; i + 2 < s.length; i += 3) {
      const start = s[i + 1] as number;
      const stop = s[i + 2] as number;
      if (stop === -1) continue;
      const seconds = (stop - start) / 1000;
      if (!isNonNegativeFinite(seconds)) {
        this.warnings.warn('stage:invalid', `a stage with a bad duration (${describeValue(seconds)}) is dropped`);
        continue;
      }
      const attributes = this.attributes.stageByName(s[i], worker);
      if (attributes !== undefined) inst.stageDuration.record(seconds, attributes);
    }
  }

  /** Records one stage outside a timeline, in seconds. */
  recordStage(stage: string, seconds: number, options: { workerId?: number } = {}): void {
    if (!isNonNegativeFinite(seconds)) {
      this.warnings.warn(
        'stage:invalid',
        `ml.pipeline.stage.duration needs finite, non-negative seconds, got ${describeValue(seconds)}; dropped`,
      );
      return;
    }
    const name = this.attributes.stage(stage);
    if (name === undefined) return;
    this.instruments
      .get()
      .stageDuration.record(seconds, this.attributes.stageOf(name, this.attributes.workerKey(options?.workerId)));
  }
}
