import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { announceProviderChange } from '@mltel/kit';
import { captureDiag, sdkProvider, setup } from '../test/harness.js';
import { createPipelineMeter, PipelineMeter } from './pipeline-meter.js';
import { Timeline } from './timeline.js';

afterEach(() => {
  metrics.disable();
});

describe('PipelineMeter', () => {
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

  it('options that are not an object give a meter named _OTHER that still records', async () => {
    const sdk = sdkProvider();
    metrics.setGlobalMeterProvider(sdk.provider);
    const meter = createPipelineMeter(null as never);
    expect(meter).toBeInstanceOf(PipelineMeter);
    meter.timeline({ origin: 0 }).end({ at: 2000 });
    expect((await sdk.collect()).histograms('ml.pipeline.duration').map((p) => [p.attributes, p.sum])).toEqual([
      [{ 'ml.pipeline.name': '_OTHER' }, 2],
    ]);
  });

  it('without a provider, records on the global provider of the moment', async () => {
    const meter = createPipelineMeter({ pipelineName: 'rerank' });
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    meter.recordStage('tokenize', 0.5);
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    meter.recordStage('tokenize', 0.25);
    expect((await first.collect()).histograms('ml.pipeline.stage.duration').map((p) => p.sum)).toEqual([0.5]);
    expect((await second.collect()).histograms('ml.pipeline.stage.duration').map((p) => p.sum)).toEqual([0.25]);
  });

  it('observed queues move to a global provider announced later, without a record call', async () => {
    const meter = createPipelineMeter({ pipelineName: 'rerank' });
    const stop = meter.observeQueue('pipeline-meter-test', () => 3);
    try {
      const sdk = sdkProvider();
      metrics.setGlobalMeterProvider(sdk.provider);
      announceProviderChange();
      const points = (await sdk.collect()).points('ml.queue.size');
      expect(points).toContainEqual({ attributes: { 'ml.queue.name': 'pipeline-meter-test' }, value: 3 });
    } finally {
      stop();
    }
  });

  it('with an explicit provider, never records on the global one', async () => {
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    const { meter, collect } = setup();
    meter.recordInference({ seconds: 0.1, model: 'm' });
    meter.observeQueue('explicit', () => 1);
    expect((await collect()).histograms('ml.inference.duration')).toHaveLength(1);
    const c = await global.collect();
    expect(c.metric('ml.inference.duration')).toBeUndefined();
    expect(c.points('ml.queue.size')).not.toContainEqual({ attributes: { 'ml.queue.name': 'explicit' }, value: 1 });
  });
});
