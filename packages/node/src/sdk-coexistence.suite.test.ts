// start() next to another SDK's global MeterProvider (./coexistence.ts): adopted, not replaced.
import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { defaultProviderMeter } from '@mltel/genai';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { shutdown, start } from './sdk.js';

afterEach(async () => {
  await shutdown();
  metrics.disable();
  diag.disable();
});

function otherSdk(): { provider: MeterProvider; exporter: InMemoryMetricExporter } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const provider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  expect(metrics.setGlobalMeterProvider(provider)).toBe(true);
  return { provider, exporter };
}

function exportedNames(exporter: InMemoryMetricExporter): string[] {
  const last = exporter.getMetrics().at(-1);
  return (last?.scopeMetrics ?? []).flatMap((s) => s.metrics.map((m) => m.descriptor.name)).sort();
}

describe('start() after another SDK registered the global provider', () => {
  it("records mltel's metrics into that provider, starts no exporter and says so once", async () => {
    const { provider, exporter } = otherSdk();
    const lines: string[] = [];
    const log = (m: string): void => {
      lines.push(m);
    };
    diag.setLogger(
      { error: log, warn: log, info: log, debug() {}, verbose() {} },
      { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true },
    );
    const sdk = start({ env: {}, prometheusPort: 0, handleExit: false, gpu: false, llmInstrumentations: [] });
    expect(sdk.adoptedProvider).toBe(provider);
    expect(sdk.meterProvider).toBeUndefined();
    expect(metrics.getMeterProvider()).toBe(provider);
    expect(await sdk.prometheusPort).toBeUndefined();
    expect(await sdk.scrape()).toBeUndefined();
    const adoption = lines.filter((l) => l.includes('set the global MeterProvider first'));
    expect(adoption).toHaveLength(1);
    expect(adoption[0]).toContain('Fix: set OTEL_METRICS_EXPORTER=otlp,prometheus');

    const call = defaultProviderMeter().start({ provider: 'openai', operation: 'chat', model: 'gpt-4o' });
    call.end({ inputTokens: 3, outputTokens: 4 });
    await sdk.flush();
    const names = exportedNames(exporter);
    expect(names).toContain('gen_ai.client.operation.duration');
    expect(names).toContain('gen_ai.client.token.usage');
    // Host metrics are left to the other SDK unless asked for: none was recorded twice.
    expect(names.filter((n) => n.startsWith('process.') || n.startsWith('system.'))).toEqual([]);

    // shutdown() flushes but leaves the other SDK's provider running.
    await sdk.shutdown();
    expect(metrics.getMeterProvider()).toBe(provider);
    provider.getMeter('t').createCounter('after').add(1);
    await provider.forceFlush();
    expect(exportedNames(exporter)).toContain('after');
    await provider.shutdown();
  });

  it('runs host metrics on the adopted provider when MLTEL_HOST_METRICS asks for them', async () => {
    const { provider, exporter } = otherSdk();
    const sdk = start({
      env: { MLTEL_HOST_METRICS: 'process.memory', OTEL_METRICS_EXPORTER: 'otlp' },
      handleExit: false,
      gpu: false,
      llmInstrumentations: [],
    });
    expect(sdk.adoptedProvider).toBe(provider);
    await sdk.flush();
    expect(exportedNames(exporter)).toContain('process.memory.usage');
    await sdk.shutdown();
    await provider.shutdown();
  });
});
