import { describe, expect, it } from 'vitest';
import { INFERENCE_DURATION_BUCKETS } from '@mltel/semconv';
import { captureDiag, setup } from '../test/harness.js';

const INFERENCE = 'ml.inference.duration';

describe('InferenceRecorder', () => {
  it('records inference latency by model, version and error type', async () => {
    const { meter, collect } = setup();
    meter.recordInference({ seconds: 0.02, model: 'ms-marco-MiniLM', modelVersion: 'v2' });
    meter.recordInference({ seconds: 0.03, model: 'ms-marco-MiniLM', error: { code: 'ETIMEDOUT' } });
    const points = (await collect()).histograms(INFERENCE);
    expect(points.map((p) => [p.attributes['ml.model.version'], p.attributes['error.type'], p.sum])).toEqual([
      ['v2', undefined, 0.02],
      [undefined, 'ETIMEDOUT', 0.03],
    ]);
  });

  it('adds the worker, uses the inference buckets, and sums calls of one attribute set', async () => {
    const { meter, collect } = setup({ workerPool: { type: 'model', size: 2 } });
    meter.recordInference({ seconds: 0.25, model: 'bge', workerId: 1 });
    meter.recordInference({ seconds: 0.5, model: 'bge', workerId: 1 });
    const [point] = (await collect()).histograms(INFERENCE);
    expect(point).toMatchObject({
      attributes: { 'ml.model.name': 'bge', 'ml.worker.type': 'model', 'ml.worker.id': '1' },
      count: 2,
      sum: 0.75,
      min: 0.25,
      max: 0.5,
      boundaries: [...INFERENCE_DURATION_BUCKETS],
    });
  });

  it('drops bad seconds and a model that is not a string; warns once per problem', async () => {
    const diag = captureDiag();
    const { meter, collect } = setup();
    meter.recordInference({ seconds: -1, model: 'm' });
    meter.recordInference({ seconds: Number.NaN, model: 'm' });
    meter.recordInference({ seconds: 0.1, model: undefined as never });
    meter.recordInference('fast' as never);
    expect((await collect()).histograms(INFERENCE)).toEqual([]);
    expect(diag.warnings.filter((w) => w.startsWith('mltel:'))).toEqual([
      'mltel: ml.inference.duration needs seconds from 0 to 10000000, got number -1; dropped',
      'mltel: ml.model.name must be a non-empty string, got undefined; the value is dropped',
      'mltel: recordInference() needs an object, got string',
    ]);
  });
});
