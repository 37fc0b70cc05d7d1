import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { MLTEL_VERSION } from '@mltel/kit';
import { PIPELINE_METRICS } from '@mltel/semconv';
import { sdkProvider } from '../test/harness.js';
import { pipelineInstruments, SCOPE_NAME } from './instruments.js';

afterEach(() => {
  metrics.disable();
});

describe('pipeline instruments', () => {
  it('are the catalog instruments of the pipeline family, in the @mltel/pipeline scope at MLTEL_VERSION', async () => {
    const sdk = sdkProvider();
    const inst = pipelineInstruments(sdk.provider).get();
    inst.duration.record(1);
    inst.stageDuration.record(1);
    inst.inference.record(1);
    inst.batchSize.record(1);
    inst.sequenceLength.record(1);
    inst.batchTokens.add(1);
    const { resourceMetrics } = await sdk.reader.collect();
    expect(resourceMetrics.scopeMetrics.map((s) => [s.scope.name, s.scope.version])).toEqual([
      [SCOPE_NAME, MLTEL_VERSION],
    ]);
    expect(SCOPE_NAME).toBe('@mltel/pipeline');
    const descriptors = resourceMetrics.scopeMetrics[0]!.metrics.map((m) => ({
      name: m.descriptor.name,
      unit: m.descriptor.unit,
      description: m.descriptor.description,
    }));
    expect(descriptors).toEqual(
      PIPELINE_METRICS.map((d) => ({ name: d.name, unit: d.unit, description: d.description })),
    );
  });

  it('follow the global provider from one get() to the next', async () => {
    const binding = pipelineInstruments();
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    binding.get().batchTokens.add(2);
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    binding.get().batchTokens.add(5);
    expect((await first.collect()).points('ml.batch.tokens').map((p) => p.value)).toEqual([2]);
    expect((await second.collect()).points('ml.batch.tokens').map((p) => p.value)).toEqual([5]);
  });
});
