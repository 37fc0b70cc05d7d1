import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { mltelParts, mltelPrometheusReader, PartInstrumentation } from './parts.js';

afterEach(() => {
  metrics.disable();
  diag.disable();
});

function listening(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

async function freePort(): Promise<number> {
  const { server, port } = await listening();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function scrape(port: number): Promise<string> {
  for (let i = 0; i < 50; i++) {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`nothing serves on ${port}`);
}

describe('mltelPrometheusReader', () => {
  it("serves a provider of the application's own under mltel's names, and stops with it", async () => {
    const port = await freePort();
    const provider = new MeterProvider({ readers: [mltelPrometheusReader({ prometheusPort: port, env: {} })] });
    provider.getMeter('t').createHistogram('ml.task.duration', { unit: 's' }).record(0.2, { 'ml.task.name': 'x' });
    const text = await scrape(port);
    expect(text).toMatch(/^ml_task_duration_seconds_count\{ml_task_name="x"\} 1$/m);
    expect(text).not.toContain('otel_scope_name');
    await provider.shutdown();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('a port in use is one error line naming the setting', async () => {
    const { server, port } = await listening();
    const errors: string[] = [];
    diag.setLogger(
      { error: (m: string) => errors.push(m), warn() {}, info() {}, debug() {}, verbose() {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    const provider = new MeterProvider({
      readers: [mltelPrometheusReader({ env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } })],
    });
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toEqual([expect.stringContaining('the port is already in use')]);
    expect(errors[0]).toContain('OTEL_EXPORTER_PROMETHEUS_PORT');
    await provider.shutdown();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('PartInstrumentation', () => {
  it('is enabled by registerInstrumentations and follows the provider it is given', () => {
    const started: ApiMeterProvider[] = [];
    const moved: ApiMeterProvider[] = [];
    let stops = 0;
    const part = new PartInstrumentation('@mltel/test', (provider) => {
      started.push(provider);
      return { stop: () => stops++, setMeterProvider: (next) => moved.push(next) };
    });
    expect(part.getConfig().enabled).toBe(false);
    const provider = new MeterProvider();
    const unregister = registerInstrumentations({ instrumentations: [part], meterProvider: provider });
    expect(started).toEqual([provider]);
    expect(part.getConfig().enabled).toBe(true);
    part.enable();
    expect(started).toHaveLength(1);
    const next = new MeterProvider();
    part.setMeterProvider(next);
    expect(moved).toEqual([next]);
    unregister();
    part.disable();
    expect(stops).toBe(1);
    expect(part.getConfig().enabled).toBe(false);
  });
});

describe('mltelParts', () => {
  it('gives the reader, the LLM and GPU instrumentations and the cost meter as configured', async () => {
    const port = await freePort();
    const parts = mltelParts({ env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), MLTEL_GPU: 'true' } });
    expect(parts.metricReader).toBeDefined();
    expect(parts.instrumentations.map((i) => i.instrumentationName)).toEqual([
      '@mltel/instrumentation-llm',
      '@mltel/host-metrics-gpu',
    ]);
    expect(parts.cost).toBeDefined();
    const provider = new MeterProvider({ readers: [parts.metricReader!] });
    await provider.shutdown();
    await parts.cost?.close();
  });

  it('leaves out what the settings turn off', async () => {
    const parts = mltelParts({
      env: {
        OTEL_METRICS_EXPORTER: 'otlp',
        MLTEL_GPU: 'false',
        MLTEL_COST: 'false',
        OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http',
      },
    });
    expect(parts).toEqual({ metricReader: undefined, instrumentations: [], cost: undefined });
  });
});
