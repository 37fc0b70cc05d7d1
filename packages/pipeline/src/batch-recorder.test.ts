import { describe, expect, it } from 'vitest';
import { BATCH_SIZE_BUCKETS, SEQUENCE_LENGTH_BUCKETS } from '@mltel/semconv';
import { captureDiag, setup } from '../test/harness.js';

describe('BatchRecorder', () => {
  it('records batch size, sequence lengths, and real vs padding tokens (padded to the longest)', async () => {
    const { meter, collect } = setup();
    meter.recordBatch({ model: 'm', sequenceLengths: [10, 30, 20] });
    meter.recordBatch({ model: 'm', size: 2, realTokens: 50, paddingTokens: 14 });
    meter.recordBatch({ model: 'm', sequenceLengths: [5, 7], paddedLength: 16 });
    const c = await collect();
    expect(c.histograms('ml.batch.size')[0]).toMatchObject({ count: 3, sum: 7 });
    expect(c.histograms('ml.sequence.length')[0]).toMatchObject({ count: 5, sum: 72, max: 30 });
    expect(c.points('ml.batch.tokens').map((p) => [p.attributes['ml.token.kind'], p.value])).toEqual([
      ['padding', 30 + 14 + 20],
      ['real', 60 + 50 + 12],
    ]);
  });

  it('labels every instrument with the model and the worker, with the catalog buckets', async () => {
    const { meter, collect } = setup({ workerPool: { type: 'model', size: 1 }, workerId: 0 });
    meter.recordBatch({ model: 'bge', sequenceLengths: [3, 4] });
    const c = await collect();
    const labels = { 'ml.model.name': 'bge', 'ml.worker.type': 'model', 'ml.worker.id': '0' };
    expect(c.histograms('ml.batch.size')).toMatchObject([
      { attributes: labels, sum: 2, boundaries: [...BATCH_SIZE_BUCKETS] },
    ]);
    expect(c.histograms('ml.sequence.length')).toMatchObject([
      { attributes: labels, sum: 7, boundaries: [...SEQUENCE_LENGTH_BUCKETS] },
    ]);
    expect(c.points('ml.batch.tokens')).toEqual([
      { attributes: { ...labels, 'ml.token.kind': 'padding' }, value: 1 },
      { attributes: { ...labels, 'ml.token.kind': 'real' }, value: 7 },
    ]);
  });

  it('keeps the valid lengths of a batch with bad ones; padding counts only the valid ones', async () => {
    const diag = captureDiag();
    const { meter, collect } = setup();
    meter.recordBatch({ model: 'm', sequenceLengths: [4, -1, 8, Number.NaN] });
    const c = await collect();
    expect(c.histograms('ml.batch.size')[0]).toMatchObject({ count: 1, sum: 4 });
    expect(c.histograms('ml.sequence.length')[0]).toMatchObject({ count: 2, sum: 12 });
    expect(c.points('ml.batch.tokens').map((p) => [p.attributes['ml.token.kind'], p.value])).toEqual([
      ['padding', 4],
      ['real', 12],
    ]);
    expect(diag.warnings.filter((w) => w.startsWith('mltel:'))).toEqual([
      'mltel: a sequence length must be a number from 0 to 1000000000, got number -1; dropped',
    ]);
  });

  it('ignores lengths that are not an array and drops bad token counts, one warning each', async () => {
    const diag = captureDiag();
    const { meter, collect } = setup();
    meter.recordBatch({ model: 'm', sequenceLengths: 'abc' as never, size: 3 });
    meter.recordBatch({ model: 'm', realTokens: -5, paddingTokens: 2 });
    const c = await collect();
    expect(c.histograms('ml.batch.size')[0]).toMatchObject({ count: 1, sum: 3 });
    expect(c.histograms('ml.sequence.length')).toEqual([]);
    // The other token kind exists at 0 once one kind is counted (a closed set: finding 11).
    expect(c.points('ml.batch.tokens').map((p) => [p.attributes['ml.token.kind'], p.value])).toEqual([
      ['padding', 2],
      ['real', 0],
    ]);
    expect(diag.warnings.filter((w) => w.startsWith('mltel:'))).toEqual([
      'mltel: sequenceLengths must be an array of numbers, got string; ignored',
      'mltel: real tokens must be a number from 0 to 1000000000000, got number -5; dropped',
    ]);
  });
});
