// Batch recording: `ml.batch.size`, each `ml.sequence.length`, and real and padding tokens on
// `ml.batch.tokens` (the padding share is a PromQL ratio).
import { describeValue } from '@mltel/kit';
import type { ProviderBinding, WarnOnce } from '@mltel/kit';
import type { PipelineAttributes } from './attributes.js';
import { MAX_BATCH_SIZE, MAX_SEQUENCE_LENGTH, MAX_TOKENS } from './input.js';
import { arrayCopy, field, inRange } from '@mltel/kit';
import type { PipelineInstruments } from './instruments.js';
import type { BatchRecord } from './types.js';

// A batch's sequence lengths are read up to this many (a larger batch is past MAX_BATCH_SIZE's
// plausibility for one call's array anyway, and reading it must stay cheap).
const MAX_LENGTHS = 1_000_000;

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
    // Each field read once behind a guard: a throwing getter loses that field, not the batch.
    const model = this.attributes.model(field(batch, 'model'));
    if (model === undefined) return;
    const givenLengths = field(batch, 'sequenceLengths');
    const lengths = arrayCopy(givenLengths, MAX_LENGTHS);
    if (givenLengths !== undefined && lengths === undefined) {
      this.warnings.warn(
        'batch:lengths',
        `sequenceLengths must be an array of numbers, got ${describeValue(givenLengths)}; ignored`,
      );
    }
    const worker = this.attributes.workerKey(field(batch, 'workerId'));
    const attributes = this.attributes.batch(model, worker);
    const inst = this.instruments.get();
    const size = field(batch, 'size') ?? lengths?.length;
    if (size !== undefined) {
      if (inRange(size, MAX_BATCH_SIZE)) inst.batchSize.record(size, attributes);
      else
        this.warnings.warn(
          'batch:size',
          `ml.batch.size needs a number from 0 to ${MAX_BATCH_SIZE}, got ${describeValue(size)}; dropped`,
        );
    }
    let sum = 0;
    let longest = 0;
    let valid = 0;
    if (lengths !== undefined) {
      for (const length of lengths) {
        if (!inRange(length, MAX_SEQUENCE_LENGTH)) {
          this.warnings.warn(
            'batch:length',
            `a sequence length must be a number from 0 to ${MAX_SEQUENCE_LENGTH}, got ${describeValue(length)}; dropped`,
          );
          continue;
        }
        inst.sequenceLength.record(length, attributes);
        sum += length;
        valid++;
        if (length > longest) longest = length;
      }
    }
    const real = field(batch, 'realTokens') ?? (lengths !== undefined ? sum : undefined);
    const paddedLength = field(batch, 'paddedLength');
    const padTo = inRange(paddedLength, MAX_SEQUENCE_LENGTH) ? paddedLength : longest;
    const padding =
      field(batch, 'paddingTokens') ?? (lengths !== undefined ? Math.max(0, padTo * valid - sum) : undefined);
    const addedReal = this.addTokens(inst, real, 'real', model, worker);
    const addedPadding = this.addTokens(inst, padding, 'padding', model, worker);
    // Token kinds are a closed set: once one kind of a model is counted, the other exists at 0,
    // so its first increment is not lost to increase() (a series born at its first increment).
    if (addedReal !== addedPadding) {
      inst.batchTokens.add(0, this.attributes.tokens(addedReal ? 'padding' : 'real', model, worker));
    }
  }

  /** Adds `value` tokens of `kind`; whether it did. */
  private addTokens(
    inst: PipelineInstruments,
    value: unknown,
    kind: 'real' | 'padding',
    model: string,
    worker: string,
  ): boolean {
    if (value === undefined) return false;
    if (!inRange(value, MAX_TOKENS)) {
      this.warnings.warn(
        `tokens:${kind}`,
        `${kind} tokens must be a number from 0 to ${MAX_TOKENS}, got ${describeValue(value)}; dropped`,
      );
      return false;
    }
    inst.batchTokens.add(value, this.attributes.tokens(kind, model, worker));
    return true;
  }
}
