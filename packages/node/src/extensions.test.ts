import { metrics } from '@opentelemetry/api';
import type { Counter } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { registerExtraInstrumentations } from './extensions.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** An application's own instrumentation: counts `hit()` calls on its meter while enabled. */
export class HitInstrumentation extends InstrumentationBase {
  private hits: Counter | undefined;
  constructor() {
    super('app-hits', '1.0.0', { enabled: false });
  }
  protected override init() {
    return [];
  }
  protected override _updateMetricInstruments(): void {
    this.hits = this.meter.createCounter('app.hits');
  }
  hit(): void {
    if (this.isEnabled()) this.hits?.add(1);
  }
}

async function sumOf(reader: MetricReader, name: string): Promise<number | undefined> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return metric?.dataPoints.reduce((sum, p) => sum + (p.value as number), 0);
}

afterEach(() => metrics.disable());

describe('registerExtraInstrumentations', () => {
  it('records on the given provider, not the global one, and stops when disabled', async () => {
    const global = new Reader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [global] }));
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    const instrumentation = new HitInstrumentation();
    const stop = registerExtraInstrumentations([instrumentation], provider);
    instrumentation.hit();
    instrumentation.hit();
    expect(await sumOf(reader, 'app.hits')).toBe(2);
    expect(await sumOf(global, 'app.hits')).toBeUndefined();
    stop();
    instrumentation.hit();
    expect(await sumOf(reader, 'app.hits')).toBe(2);
    await provider.shutdown();
  });

  it('an empty list registers nothing', () => {
    expect(() => registerExtraInstrumentations([], new MeterProvider())()).not.toThrow();
  });
});
