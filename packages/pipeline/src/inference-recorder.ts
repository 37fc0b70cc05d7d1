// Model-call recording: `ml.inference.duration` by model, version, error type and worker.
import { describeValue } from '@mltel/kit';
import type { ProviderBinding, WarnOnce } from '@mltel/kit';
import type { PipelineAttributes } from './attributes.js';
import { MAX_SECONDS } from './input.js';
import { field, inRange } from '@mltel/kit';
import type { PipelineInstruments } from './instruments.js';
import type { InferenceRecord } from './types.js';

/** Records model calls; never throws, bad input is dropped with one warning. */
export class InferenceRecorder {
  constructor(
    private readonly instruments: ProviderBinding<PipelineInstruments>,
    private readonly attributes: PipelineAttributes,
    private readonly warnings: WarnOnce,
  ) {}

  /** Records one model call on `ml.inference.duration`. */
  record(record: InferenceRecord): void {
    if (typeof record !== 'object' || record === null) {
      this.warnings.warn('inference:not-object', `recordInference() needs an object, got ${describeValue(record)}`);
      return;
    }
    // Each field read once behind a guard: a throwing getter loses that field, not the call.
    const seconds = field(record, 'seconds');
    if (!inRange(seconds, MAX_SECONDS)) {
      this.warnings.warn(
        'inference:invalid',
        `ml.inference.duration needs seconds from 0 to ${MAX_SECONDS}, got ${describeValue(seconds)}; dropped`,
      );
      return;
    }
    const model = this.attributes.model(field(record, 'model'));
    if (model === undefined) return;
    const givenVersion = field(record, 'modelVersion');
    const version = givenVersion === undefined ? '' : (this.attributes.version(givenVersion) ?? '');
    const error = field(record, 'error');
    const errorType = error === undefined ? '' : (this.attributes.errorType(error) ?? '');
    const worker = this.attributes.workerKey(field(record, 'workerId'));
    this.instruments.get().inference.record(seconds, this.attributes.inference(model, version, errorType, worker));
  }
}
