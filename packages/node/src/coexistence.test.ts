import { createNoopMeter, diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import {
  adoptionLine,
  explicitSetting,
  flushProvider,
  foreignMeterProvider,
  LATE_SDK_LINE,
  oneVersionPerLibrary,
  watchLateRegistration,
} from './coexistence.js';

afterEach(() => {
  metrics.disable();
  diag.disable();
});

function recorder(): DiagLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
    };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('verbose') };
}

describe('foreignMeterProvider', () => {
  it('is undefined while no provider is registered', () => {
    expect(foreignMeterProvider()).toBeUndefined();
  });

  it('is the provider another SDK registered', async () => {
    const other = new MeterProvider();
    metrics.setGlobalMeterProvider(other);
    expect(foreignMeterProvider()).toBe(other);
    await other.shutdown();
  });
});

describe('watchLateRegistration', () => {
  it("follows the API's duplicate-registration error with one line saying what to do", () => {
    const sink = recorder();
    diag.setLogger(watchLateRegistration(sink), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    // mltel's provider first, then a second SDK's, as under `--import @mltel/node/register` first.
    expect(metrics.setGlobalMeterProvider(new MeterProvider())).toBe(true);
    expect(metrics.setGlobalMeterProvider(new MeterProvider())).toBe(false);
    expect(metrics.setGlobalMeterProvider(new MeterProvider())).toBe(false);
    expect(sink.lines.filter((l) => l.level === 'error')).toHaveLength(2);
    expect(sink.lines.filter((l) => l.level === 'warn')).toEqual([{ level: 'warn', message: LATE_SDK_LINE }]);
    expect(LATE_SDK_LINE).toMatch(/Fix: load that SDK before @mltel\/node\/register/);
  });

  it('passes every other message through unchanged', () => {
    const sink = recorder();
    const logger = watchLateRegistration(sink);
    logger.error('boom', 1);
    logger.warn('w');
    logger.info('i');
    logger.debug('d');
    logger.verbose('v');
    expect(sink.lines.map((l) => `${l.level}:${l.message}`)).toEqual([
      'error:boom',
      'warn:w',
      'info:i',
      'debug:d',
      'verbose:v',
    ]);
  });
});

describe('adoptionLine', () => {
  it("warns when mltel's default Prometheus endpoint is given up, with the fix", () => {
    const line = adoptionLine({ exporters: ['prometheus'], exportersExplicit: false, hostMetrics: false });
    expect(line.level).toBe('warn');
    expect(line.text).toMatch(/^mltel: another OpenTelemetry SDK set the global MeterProvider first/);
    expect(line.text).toContain('Fix: set OTEL_METRICS_EXPORTER=otlp,prometheus');
    expect(line.text).toContain('MLTEL_HOST_METRICS=true');
  });

  it('informs when the other SDK runs the exporters the variable names', () => {
    const prometheus = adoptionLine({ exporters: ['prometheus', 'otlp'], exportersExplicit: true, hostMetrics: true });
    expect(prometheus.level).toBe('info');
    expect(prometheus.text).toContain("The Prometheus endpoint is that SDK's");
    expect(prometheus.text).not.toContain('MLTEL_HOST_METRICS');
    const otlp = adoptionLine({ exporters: ['otlp'], exportersExplicit: true, hostMetrics: true });
    expect(otlp.level).toBe('info');
    expect(otlp.text).not.toContain('Prometheus');
  });
});

describe('oneVersionPerLibrary', () => {
  it('gives a second version of an instrumentation library a no-op meter; the first records once', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    });
    const sink = recorder();
    diag.setLogger(sink, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
    oneVersionPerLibrary(provider);
    const scope = '@opentelemetry/instrumentation-host-metrics';
    // mltel's copy first, then another SDK's older copy (EDOT's), as with mltel's preload first.
    provider.getMeter(scope, '0.7.0').createCounter('process.cpu.time').add(2);
    const other = provider.getMeter(scope, '0.5.0');
    expect(other).toBe(createNoopMeter());
    other.createCounter('process.cpu.time').add(2);
    expect(provider.getMeter(scope, '0.7.0')).not.toBe(createNoopMeter());
    // The application's own scopes are not libraries: every version records.
    provider.getMeter('checkout', '1').createCounter('orders').add(1);
    provider.getMeter('checkout', '2').createCounter('orders').add(1);
    await provider.forceFlush();
    const points = exporter
      .getMetrics()
      .at(-1)!
      .scopeMetrics.map(
        (s) => `${s.scope.name}@${s.scope.version}:${s.metrics.map((m) => m.dataPoints[0]!.value).join()}`,
      )
      .sort();
    expect(points).toEqual([`${scope}@0.7.0:2`, 'checkout@1:1', 'checkout@2:1']);
    expect(sink.lines).toEqual([
      { level: 'info', message: expect.stringContaining(`${scope} 0.5.0 records nothing: ${scope} 0.7.0 already`) },
    ]);
    await provider.shutdown();
  });
});

describe('adoptionLine with readers or views given to start()', () => {
  it('warns that they are not used, whatever the exporters', () => {
    const line = adoptionLine({ exporters: ['otlp'], exportersExplicit: true, hostMetrics: true, extensions: true });
    expect(line.level).toBe('warn');
    expect(line.text).toContain('The readers and views given to start() are not used. Fix: give them to that SDK.');
  });
});

describe('explicitSetting', () => {
  it('is true for an option or a non-blank variable only', () => {
    expect(explicitSetting(undefined, 'MLTEL_HOST_METRICS', {})).toBe(false);
    expect(explicitSetting(undefined, 'MLTEL_HOST_METRICS', { MLTEL_HOST_METRICS: ' ' })).toBe(false);
    expect(explicitSetting(undefined, 'MLTEL_HOST_METRICS', { MLTEL_HOST_METRICS: 'true' })).toBe(true);
    expect(explicitSetting(false, 'MLTEL_HOST_METRICS', {})).toBe(true);
  });
});

describe('flushProvider', () => {
  it("exports what was recorded through the other SDK's readers", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    });
    provider.getMeter('t').createCounter('ml.tasks').add(3);
    await flushProvider(provider);
    const names = exporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)));
    expect(names).toEqual(['ml.tasks']);
    await provider.shutdown();
  });

  it('resolves for a provider that cannot flush (the API no-op one)', async () => {
    await expect(flushProvider(metrics.getMeterProvider())).resolves.toBeUndefined();
  });
});
