// Model-call recording: `ml.inference.duration` by model, version, error type and worker.
import { describeValue, isNonNegativeFinite } from '@mltel/kit';
import type { ProviderBinding, WarnOnce } from '@mltel/kit';
import type { PipelineAttributes } from './attributes.js';
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
    if (!isNonNegativeFinite(record.seconds)) {
      this.warnings.warn(
        'inference:invalid',
        `ml.inference.duration needs finite, non-negative seconds, got ${describeValue(record.seconds)}; dropped`,
      );
      return;
    }
    const model = this.attributes.model(record.model);
    if (model === undefined) return;
    const version = record.modelVersion === undefined ? '' : (this.attributes.version(record.modelVersion) ?? '');
    const errorType = record.error === undefined ? '' : (this.attributes.errorType(record.error) ?? '');
    const worker = this.attributes.workerKey(record.workerId);
    this.instruments
      .get()
      .inference.record(record.seconds, this.attributes.inference(model, version, errorType, worker));
  }
}
