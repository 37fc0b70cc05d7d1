import { metrics } from '@opentelemetry/api';
import { defaultProviderMeter } from '@mltel/genai';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from './config/env.js';
import { startProviderMetering } from './metering.js';

afterEach(() => {
  metrics.disable();
});

describe('startProviderMetering', () => {
  it('configures the shared provider meter and prices its calls', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    });
    metrics.setGlobalMeterProvider(provider);
    const cost = startProviderMetering(resolveConfig({ env: {}, genAiModels: ['gpt-4o'] }).config);
    expect(cost).toBeDefined();
    defaultProviderMeter()
      .start({ provider: 'openai', operation: 'chat', model: 'unlisted-model' })
      .end({ inputTokens: 1, outputTokens: 1 });
    defaultProviderMeter()
      .start({ provider: 'openai', operation: 'chat', model: 'gpt-4o' })
      .end({ inputTokens: 1000, outputTokens: 1000 });
    await provider.forceFlush();
    const metricsOut = exporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.flatMap((s) => s.metrics);
    const duration = metricsOut.find((m) => m.descriptor.name === 'gen_ai.client.operation.duration')!;
    const models = duration.dataPoints.map((p) => p.attributes['gen_ai.request.model']).sort();
    expect(models).toEqual(['_OTHER', 'gpt-4o']);
    expect(metricsOut.map((m) => m.descriptor.name)).toContain('ml.cost.usd');
    await cost?.close();
    await provider.shutdown();
  });

  it('is undefined with MLTEL_COST=false', () => {
    expect(startProviderMetering(resolveConfig({ env: { MLTEL_COST: 'false' } }).config)).toBeUndefined();
  });
});
