import { describe, expect, it } from 'vitest';
import { ML_PIPELINE_STAGE_VALUES, TASK_DURATION_BUCKETS } from '@mltel/semconv';
import { captureDiag, setup } from '../test/harness.js';
import { now, Timeline } from './timeline.js';

const STAGE = 'ml.pipeline.stage.duration';
const TOTAL = 'ml.pipeline.duration';

describe('timelines', () => {
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

  it('mark() chains stages from the request start, so the stages add up to the total', async () => {
    const { meter, collect } = setup();
    const t = meter.timeline();
    for (const stage of ['tokenize', 'tokenizer_queue', 'model_queue', 'inference']) {
      const until = performance.now() + 2;
      while (performance.now() < until);
      t.mark(stage);
    }
    const end = now();
    t.end({ at: end });
    const c = await collect();
    const stageSum = c.histograms(STAGE).reduce((a, p) => a + p.sum, 0);
    expect(stageSum).toBeGreaterThan(0.007);
    expect(stageSum).toBeLessThanOrEqual(c.histograms(TOTAL)[0]!.sum + 1e-9);
  });

  it('survives JSON, structuredClone and a string, and records once where it ends', async () => {
    const { meter, collect } = setup();
    const origin = now() - 100;
    const t = meter.timeline({ origin }).add('tokenize', 0.01);
    const viaJson = meter.resume(JSON.parse(JSON.stringify(t)));
    viaJson.add('ipc_receive', 0.002);
    const viaClone = meter.resume(structuredClone(viaJson.toJSON()));
    viaClone.add('inference', 0.05);
    const viaString = meter.resume(JSON.stringify(viaClone));
    expect(viaString.origin).toBe(origin);
    expect(viaString.length).toBe(3);
    // A clone of the object itself (postMessage(timeline)) carries the same data.
    expect(Timeline.from(structuredClone(viaString)).toJSON()).toEqual(viaString.toJSON());
    viaString.end({ at: origin + 100 });
    const c = await collect();
    expect(c.histograms(TOTAL)[0]!.count).toBe(1);
    expect(c.histograms(STAGE).map((p) => p.attributes['ml.pipeline.stage'])).toEqual([
      'inference',
      'ipc_receive',
      'tokenize',
    ]);
  });

  it('admits the standard stages, the user stages and no unbounded others', async () => {
    const { meter, collect } = setup({ stages: ['rerank_merge'] });
    const t = meter.timeline();
    for (const s of ML_PIPELINE_STAGE_VALUES) t.add(s, 0.001);
    t.add('rerank_merge', 0.001).add('request-1234', 0.001).add('request-5678', 0.001);
    t.end();
    const stages = (await collect()).histograms(STAGE).map((p) => p.attributes['ml.pipeline.stage']);
    expect(stages).toHaveLength(ML_PIPELINE_STAGE_VALUES.length + 2);
    expect(stages).toContain('_OTHER');
    expect(stages).toContain('rerank_merge');
    expect(stages).not.toContain('request-1234');
  });

  it('derives error.type from the error a request failed with', async () => {
    const { meter, collect } = setup();
    meter.timeline().end({ error: new RangeError('x') });
    const total = (await collect()).histograms(TOTAL);
    expect(total[0]!.attributes['error.type']).toBe('RangeError');
  });

  it('an unbound timeline is not recorded and warns once', async () => {
    const diag = captureDiag();
    const { collect } = setup();
    new Timeline().end();
    new Timeline().end();
    expect((await collect()).histograms(TOTAL)).toEqual([]);
    expect(diag.warnings.filter((w) => w.includes('without a pipeline meter'))).toHaveLength(1);
  });
});

describe('worker attributes', () => {
  it('labels with ml.worker.type and ml.worker.id inside the pool, leaves out ids outside it with one warning', async () => {
    const diag = captureDiag();
    const { meter, collect } = setup({ workerPool: { type: 'model', size: 4 } });
    meter.timeline({ workerId: 3 }).end();
    meter.timeline({ workerId: 7 }).end();
    meter.timeline({ workerId: -1 }).end();
    meter.timeline().end({ workerId: 0 });
    const points = (await collect())
      .histograms(TOTAL)
      .map((p) => [p.attributes['ml.worker.id'], p.attributes['ml.worker.type'], p.count]);
    expect(points).toEqual([
      [undefined, 'model', 2],
      ['0', 'model', 1],
      ['3', 'model', 1],
    ]);
    expect(diag.warnings.filter((w) => w.includes('ml.worker.id'))).toHaveLength(1);
  });
});

describe('inference, batches and queues', () => {
  it('records inference latency by model, version and error type', async () => {
    const { meter, collect } = setup();
    meter.recordInference({ seconds: 0.02, model: 'ms-marco-MiniLM', modelVersion: 'v2' });
    meter.recordInference({ seconds: 0.03, model: 'ms-marco-MiniLM', error: { code: 'ETIMEDOUT' } });
    const points = (await collect()).histograms('ml.inference.duration');
    expect(points.map((p) => [p.attributes['ml.model.version'], p.attributes['error.type'], p.sum])).toEqual([
      ['v2', undefined, 0.02],
      [undefined, 'ETIMEDOUT', 0.03],
    ]);
  });

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

  it('observes queue depth from a function, an array or a Map, and stops', async () => {
    const { meter, collect } = setup();
    const list = [1, 2, 3];
    let depth = 5;
    meter.observeQueue('tokenizer', () => depth);
    const stop = meter.observeQueue('model', list);
    meter.observeQueue('broken', () => {
      throw new Error('boom');
    });
    let points = (await collect()).points('ml.queue.size').map((p) => [p.attributes['ml.queue.name'], p.value]);
    expect(points).toEqual([
      ['model', 3],
      ['tokenizer', 5],
    ]);
    depth = 1;
    stop();
    list.push(4);
    points = (await collect()).points('ml.queue.size').map((p) => [p.attributes['ml.queue.name'], p.value]);
    // The stopped queue is no longer read (the SDK may repeat its last value; it does not move).
    expect(points).toContainEqual(['tokenizer', 1]);
    expect(points).not.toContainEqual(['model', 4]);
  });

  it('never throws on bad input, drops it and warns', async () => {
    const diag = captureDiag();
    const { meter, collect } = setup();
    // biome-ignore lint/suspicious/noExplicitAny: the test calls the public API with values its types forbid
    const bad: any = meter;
    expect(() => {
      bad.record(null);
      bad.record({});
      bad.recordStage('tokenize', -1);
      bad.recordStage('tokenize', Number.NaN);
      bad.recordInference(undefined);
      bad.recordInference({ seconds: 'fast', model: 'm' });
      bad.recordBatch({ model: 'm', sequenceLengths: [1, -3, 'x'], size: Number.POSITIVE_INFINITY });
      bad.recordBatch(42);
      bad.observeQueue('q', 12);
      bad.timeline(null).end(null);
      Timeline.from('{not json').end();
      bad.resume(42).add('tokenize', 0.001);
    }).not.toThrow();
    const c = await collect();
    expect(c.histograms('ml.inference.duration')).toEqual([]);
    expect(c.histograms('ml.sequence.length')[0]).toMatchObject({ count: 1, sum: 1 });
    expect(c.histograms('ml.batch.size')).toEqual([]);
    expect(diag.warnings.length).toBeGreaterThan(5);
  });
});
