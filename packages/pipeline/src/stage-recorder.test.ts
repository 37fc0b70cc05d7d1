import { describe, expect, it } from 'vitest';
import { TASK_DURATION_BUCKETS, INFERENCE_DURATION_BUCKETS } from '@mltel/semconv';
import { captureDiag, setup } from '../test/harness.js';
import { now, Timeline } from './timeline.js';

const STAGE = 'ml.pipeline.stage.duration';
const TOTAL = 'ml.pipeline.duration';

describe('StageRecorder: timelines', () => {
  it('records the end-to-end duration and one stage point per closed stage', async () => {
    const { meter, collect } = setup();
    const origin = now() - 1000;
    const t = meter.timeline({ origin });
    t.add('tokenize', 0.01).add('model_queue', 0.02).add('inference', 0.2).add('inference', 0.1);
    t.begin('serialize');
    t.end({ at: origin + 500 });
    const c = await collect();
    const total = c.histograms(TOTAL);
    expect(total).toHaveLength(1);
    expect(total[0]!.attributes).toEqual({ 'ml.pipeline.name': 'rerank' });
    expect(total[0]!.count).toBe(1);
    expect(total[0]!.sum).toBeCloseTo(0.5, 9);
    expect(total[0]!.boundaries).toEqual([...TASK_DURATION_BUCKETS]);
    const stages = c.histograms(STAGE);
    expect(stages.map((p) => [p.attributes['ml.pipeline.stage'], p.count])).toEqual([
      ['inference', 2],
      ['model_queue', 1],
      ['tokenize', 1],
    ]);
    expect(stages[0]!.sum).toBeCloseTo(0.3, 6);
  });

  it('derives error.type from the error a request failed with', async () => {
    const { meter, collect } = setup();
    meter.timeline().end({ error: new RangeError('x') });
    const total = (await collect()).histograms(TOTAL);
    expect(total[0]!.attributes['error.type']).toBe('RangeError');
  });

  it('records exact stage lengths from the stored times, through record() as well as end()', async () => {
    const { meter, collect } = setup();
    const t = meter.resume({ v: 1, o: 10_000, s: ['tokenize', 10_000, 10_040, 'inference', 10_040, 10_290] });
    meter.record(t, { at: 10_300 });
    const c = await collect();
    expect(c.histograms(TOTAL).map((p) => p.sum)).toEqual([0.3]);
    expect(c.histograms(STAGE).map((p) => [p.attributes['ml.pipeline.stage'], p.sum])).toEqual([
      ['inference', 0.25],
      ['tokenize', 0.04],
    ]);
  });

  it('drops a timeline that ends before it starts and a stage with a negative length, one warning each', async () => {
    const diag = captureDiag();
    const { meter, collect } = setup();
    for (let i = 0; i < 2; i++) {
      meter.record(new Timeline(5000, ['tokenize', 5000, 4000, 'inference', 5000, 5100]), { at: 4000 });
    }
    const c = await collect();
    expect(c.histograms(TOTAL)).toEqual([]);
    expect(c.histograms(STAGE).map((p) => [p.attributes['ml.pipeline.stage'], p.count, p.sum])).toEqual([
      ['inference', 2, 0.2],
    ]);
    expect(diag.warnings.filter((w) => w.includes('ended before it started'))).toHaveLength(1);
    expect(diag.warnings.filter((w) => w.includes('a stage with a bad duration (number -1;'))).toHaveLength(1);
  });

  it('record() of something that is not a Timeline records nothing and warns once', async () => {
    const diag = captureDiag();
    const { meter, collect } = setup();
    meter.record({ origin: 1, stages: [] } as never);
    meter.record(42 as never);
    expect((await collect()).histograms(TOTAL)).toEqual([]);
    expect(diag.warnings.filter((w) => w.includes('record() needs a Timeline'))).toEqual([
      'mltel: record() needs a Timeline, got object',
    ]);
  });
});

describe('StageRecorder: single stages', () => {
  it('recordStage() records seconds on the stage histogram with the inference buckets', async () => {
    const { meter, collect } = setup({ workerPool: { type: 'tokenizer', size: 2 } });
    meter.recordStage('tokenize', 0.004, { workerId: 1 });
    meter.recordStage('tokenize', 0.006, { workerId: 1 });
    meter.recordStage('postprocess', 0.5);
    const points = (await collect()).histograms(STAGE);
    expect(points.map((p) => [p.attributes, p.count, p.sum])).toEqual([
      [{ 'ml.pipeline.name': 'rerank', 'ml.pipeline.stage': 'postprocess', 'ml.worker.type': 'tokenizer' }, 1, 0.5],
      [
        {
          'ml.pipeline.name': 'rerank',
          'ml.pipeline.stage': 'tokenize',
          'ml.worker.type': 'tokenizer',
          'ml.worker.id': '1',
        },
        2,
        0.01,
      ],
    ]);
    expect(points[0]!.boundaries).toEqual([...INFERENCE_DURATION_BUCKETS]);
  });

  it('recordStage() drops bad seconds and a stage that is not a string', async () => {
    const { meter, collect } = setup();
    meter.recordStage('tokenize', -0.1);
    meter.recordStage('tokenize', Number.POSITIVE_INFINITY);
    meter.recordStage(7 as never, 0.1);
    expect((await collect()).histograms(STAGE)).toEqual([]);
  });
});
