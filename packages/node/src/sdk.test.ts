import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { built } from '../test/harness.js';
import { current, shutdown, start } from './sdk.js';

afterEach(async () => {
  await shutdown();
  diag.disable();
});

describe('start() / shutdown()', () => {
  it('sets the global provider, serves Prometheus on a chosen port and stops cleanly', async () => {
    const sdk = start({ env: {}, prometheusPort: 0, handleExit: false, hostMetrics: false, serviceName: 'unit' });
    expect(current()).toBe(sdk);
    expect(metrics.getMeterProvider()).toBe(sdk.meterProvider);
    const port = await sdk.prometheusPort;
    expect(port).toBeGreaterThan(0);
    metrics.getMeter('t').createCounter('ml.tasks', { unit: '{task}' }).add(2, { 'ml.task.name': 'x' });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain('ml_tasks_total{ml_task_name="x"} 2');
    expect(text).toMatch(/target_info\{[^}]*service_name="unit"/);
    await sdk.shutdown();
    expect(current()).toBeUndefined();
    expect(metrics.getMeterProvider()).not.toBe(sdk.meterProvider);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('a second start() keeps the first and says so once', async () => {
    const warnings: string[] = [];
    const first = start({ env: {}, exporters: [], handleExit: false, hostMetrics: false });
    diag.setLogger(
      { warn: (m: string) => warnings.push(m), error() {}, info() {}, debug() {}, verbose() {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    const second = start({ env: {}, exporters: ['console'], handleExit: false });
    expect(second).toBe(first);
    expect(warnings).toEqual([expect.stringContaining('start() was called again')]);
  });

  it('OTEL_SDK_DISABLED=true starts nothing', async () => {
    const sdk = start({ env: { OTEL_SDK_DISABLED: 'true' }, handleExit: false });
    expect(sdk.meterProvider).toBeUndefined();
    expect(await sdk.prometheusPort).toBeUndefined();
    expect(await sdk.scrape()).toBeUndefined();
  });

  it('host metrics are on by default, under OTel-compatible names', async () => {
    const sdk = start({ env: {}, exporters: ['prometheus'], prometheusPort: 0, handleExit: false });
    await sdk.prometheusPort;
    const text = (await sdk.scrape())!;
    expect(text).toMatch(/^process_cpu_time_seconds_total\{/m);
    expect(text).toMatch(/^system_cpu_time_seconds_total\{/m);
  });
});

describe('exit handlers', () => {
  it('are first in line for SIGTERM and SIGINT, stay installed, and leave with shutdown()', async () => {
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
    const app = (): void => {};
    process.once('SIGTERM', app);
    try {
      const sdk = start({ env: {}, exporters: [], hostMetrics: false, gpu: false });
      // Prepended: when it runs, the app's own `once` listener is still there to be seen.
      expect(process.listeners('SIGTERM')[1]).toBe(app);
      expect(process.listenerCount('SIGTERM')).toBe(before.term + 2);
      expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
      await sdk.shutdown();
      expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
      expect(process.listenerCount('SIGINT')).toBe(before.int);
    } finally {
      process.off('SIGTERM', app);
    }
  });

  it('shutdown() is bounded by shutdownTimeoutMillis', async () => {
    const sdk = start({
      env: {},
      exporters: ['otlp'],
      // Accepts nothing in time: a blackhole address keeps the connection pending.
      otlpEndpoint: 'http://10.255.255.1:4318/v1/metrics',
      shutdownTimeoutMillis: 300,
      handleExit: false,
      hostMetrics: false,
      gpu: false,
    });
    metrics.getMeter('t').createCounter('c').add(1);
    const started = performance.now();
    await sdk.shutdown();
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

// On the build, in a child Node process: the build bundles the SDK (scripts/bundle-dist.mjs), and
// the application's reader comes from the SDK in node_modules, another copy of its classes.
describe('start() on the build, with SDK objects of the application', () => {
  it("records into the application's own reader and exporter", { timeout: 30_000 }, () => {
    const index = JSON.stringify(pathToFileURL(built('index')).href);
    const sdk = JSON.stringify(import.meta.resolve('@opentelemetry/sdk-metrics'));
    const api = JSON.stringify(import.meta.resolve('@opentelemetry/api'));
    const script = `import { start, shutdown } from ${index};
import { metrics } from ${api};
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from ${sdk};
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 });
start({ env: { OTEL_METRICS_EXPORTER: 'none' }, readers: [reader], hostMetrics: false, handleExit: false });
metrics.getMeter('app').createCounter('app.hits').add(2);
await reader.forceFlush();
const names = exporter.getMetrics().at(-1).scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name + ' ' + m.dataPoints[0].value));
console.log(names.filter((n) => n.startsWith('app.')).join());
await shutdown();`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('app.hits 2');
  });
});
