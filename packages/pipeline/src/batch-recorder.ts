// Batch recording: `ml.batch.size`, each `ml.sequence.length`, and real and padding tokens on
// `ml.batch.tokens` (the padding share is a PromQL ratio).
import { describeValue, isNonNegativeFinite } from '@mltel/kit';
import type { ProviderBinding, WarnOnce } from '@mltel/kit';
import type { PipelineAttributes } from './attributes.js';
import type { PipelineInstruments } from './instruments.js';
import type { BatchRecord } from './types.js';

/** Records inference batches; never throws, bad input is dropped with one warning. */
export class BatchRecorder {
  constructor(
    private readonly instruments: ProviderBinding<PipelineInstruments>,
    private readonly attributes: PipelineAttributes,
    private readonly warnings: WarnOnce,
  ) {}

  /** Records one batch; padding defaults to the sequence lengths padded to `paddedLength` or the longest. */
  record(batch: BatchRecord): void {
    if (typeof batch !== 'object' || batch === null) {
      this.warnings.warn('batch:not-object', `recordBatch() needs an object, got ${describeValue(batch)}`);
      return;
    }
    const model = this.attributes.model(batch.model);
    if (model === undefined) return;
    const lengths = Array.isArray(batch.sequenceLengths) ? batch.sequenceLengths : undefined;
    if (batch.sequenceLengths !== undefined && lengths === undefined) {
      this.warnings.warn(
        'batch:lengths',
        `sequenceLengths must be an array of numbers, got ${describeValue(batch.sequenceLengths)}; ignored`,
      );
    }
    const worker = this.attributes.workerKey(batch.workerId);
    const attributes = this.attributes.batch(model, worker);
    const inst = this.instruments.get();
    const size = batch.size ?? lengths?.length;
    if (size !== undefined) {
      if (isNonNegativeFinite(size)) inst.batchSize.record(size, attributes);
      else
        this.warnings.warn(
          'batch:size',
          `ml.batch.size needs a non-negative number, got ${describeValue(size)}; dropped`,
        );
    }
    let sum = 0;
    let longest = 0;
    let valid = 0;
    if (lengths !== undefined) {
      for (const length of lengths) {
        if (!isNonNegativeFinite(length)) {
          this.warnings.warn(
            'batch:length',
            `a sequence length must be a non-negative number, got ${describeValue(length)}; dropped`,
          );
          continue;
        }
        inst.sequenceLength.record(length, attributes);
        sum += length;
        valid++;
        if (length > longest) longest = length;
      }
    }
    const real = batch.realTokens ?? (lengths !== undefined ? sum : undefined);
    const padTo = isNonNegativeFinite(batch.paddedLength) ? batch.paddedLength : longest;
    const padding = batch.paddingTokens ?? (lengths !== undefined ? Math.max(0, padTo * valid - sum) : undefined);
    this.addTokens(inst, real, 'real', model, worker);
    this.addTokens(inst, padding, 'padding', model, worker);
  }

  private addTokens(
    inst: PipelineInstruments,
    value: number | undefined,
    kind: 'real' | 'padding',
    model: string,
    worker: string,
  ): void {
    if (value === undefined) return;
    if (!isNonNegativeFinite(value)) {
      this.warnings.warn(
        `tokens:${kind}`,
        `${kind} tokens must be a non-negative number, got ${describeValue(value)}; dropped`,
      );
      return;
    }
    inst.batchTokens.add(value, this.attributes.tokens(kind, model, worker));
  }
}
