// Issue 13, findings 6, 8 and 11 on the pipeline meter: `ml.model.version` capped like every
// caller-controlled attribute (and the attribute cache bounded), absurd values (1e308) dropped
// so `_sum` stays finite, and the closed set of token kinds born at 0.
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { captureDiag, setup } from '../test/harness.js';

afterEach(() => diag.disable());

describe('ml.model.version is capped (finding 6)', () => {
  it('100k distinct versions: the first 50 are kept, the rest are _OTHER, one warning', async () => {
    const log = captureDiag();
    const { meter, collect } = setup({ models: ['bert'] });
    const N = 100_000;
    for (let i = 0; i < N; i++) meter.recordInference({ model: 'bert', modelVersion: `v${i}`, seconds: 0.01 });
    const points = (await collect()).histograms('ml.inference.duration');
    expect(points).toHaveLength(51);
    expect(points.find((p) => p.attributes['ml.model.version'] === '_OTHER')?.count).toBe(N - 50);
    expect(log.warnings).toEqual([
      'mltel: more than 50 distinct ml.model.version values; further values are recorded as _OTHER',
    ]);
  });

  it('100k distinct values through every caller-set attribute: series stay under the caps', async () => {
    captureDiag();
    const { meter, collect } = setup({ workerPool: { type: 'gpu', size: 8 } });
    const N = 100_000;
    for (let i = 0; i < N; i++) {
      const workerId = i % 1000;
      meter.recordInference({ model: `m${i}`, modelVersion: `v${i}`, error: { code: `E_${i}` }, workerId, seconds: 1 });
      meter.recordStage(`stage-${i}`, 0.1, { workerId });
      meter.recordBatch({ model: `m${i}`, size: 4, workerId });
    }
    const c = await collect();
    // models 21 x versions 51 x error types 51 x workers 9 could multiply; the caps fill on the
    // first calls together, so the series stay a few hundred, far under the SDK's 2,000 limit.
    expect(c.histograms('ml.inference.duration').length).toBeLessThan(500);
    expect(c.histograms('ml.pipeline.stage.duration').length).toBeLessThan(300);
    expect(c.histograms('ml.batch.size').length).toBeLessThan(300);
  });
});

describe('absurd values (finding 8): dropped with one warning, sums stay finite', () => {
  it('durations past 1e7 s, batch sizes past 1e9, sequence lengths past 1e9, tokens past 1e12', async () => {
    const log = captureDiag();
    const { meter, collect } = setup();
    for (let i = 0; i < 2; i++) {
      meter.recordInference({ model: 'bert', seconds: 1e308 });
      meter.recordStage('tokenize', 1e308);
      meter.recordBatch({
        model: 'bert',
        size: 1e308,
        sequenceLengths: [1e308, 3],
        realTokens: 1e13,
        paddingTokens: 1,
      });
      meter.timeline({ origin: 1 }).end();
    }
    const c = await collect();
    expect(c.histograms('ml.inference.duration')).toEqual([]);
    expect(c.histograms('ml.pipeline.stage.duration')).toEqual([]);
    expect(c.histograms('ml.pipeline.duration')).toEqual([]);
    expect(c.histograms('ml.batch.size')).toEqual([]);
    expect(c.histograms('ml.sequence.length').map((h) => h.sum)).toEqual([6]);
    expect(c.points('ml.batch.tokens').map((p) => [p.attributes['ml.token.kind'], p.value])).toEqual([
      ['padding', 2],
      ['real', 0],
    ]);
    expect(log.warnings).toHaveLength(6);
  });
});

describe('token kinds at 0 (finding 11)', () => {
  it('a batch with real tokens only shows padding at 0 at the first collection', async () => {
    const { meter, collect } = setup();
    meter.recordBatch({ model: 'bert', realTokens: 100 });
    const points = (await collect()).points('ml.batch.tokens');
    expect(points.map((p) => [p.attributes['ml.token.kind'], p.value])).toEqual([
      ['padding', 0],
      ['real', 100],
    ]);
  });
});
