import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import type { Counter } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createMeterProvider, registerExtraInstrumentations } from './extensions.js';

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

afterEach(() => {
  metrics.disable();
  diag.disable();
});

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

describe('createMeterProvider', () => {
  function warnings(): string[] {
    const lines: string[] = [];
    const push = (m: string) => lines.push(m);
    diag.setLogger(
      { error: push, warn: push, info: push, debug: push, verbose: push },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
    return lines;
  }
  const builtIn = [{ instrumentName: 'app.jobs', description: 'built-in' }];

  it("reads with the application's readers and views next to mltel's", async () => {
    const ours = new Reader();
    const theirs = new Reader();
    const provider = createMeterProvider({
      resource: undefined,
      readers: [ours],
      builtInViews: builtIn,
      buckets: {},
      extraReaders: [theirs],
      extraViews: [{ instrumentName: 'app.jobs', name: 'app.renamed' }],
    });
    provider.getMeter('t').createCounter('app.jobs').add(1);
    for (const reader of [ours, theirs]) {
      const { resourceMetrics } = await reader.collect();
      const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
      expect(names).toEqual(['app.renamed']);
    }
    await provider.shutdown();
  });

  it('a view or a reader the SDK refuses: built without them, one line with the fix, no throw', async () => {
    const lines = warnings();
    const ours = new Reader();
    const bound = new Reader();
    new MeterProvider({ readers: [bound] });
    const provider = createMeterProvider({
      resource: undefined,
      readers: [ours],
      builtInViews: builtIn,
      buckets: { 'app.duration': [0.6] },
      extraReaders: [bound],
      extraViews: [],
    });
    provider.getMeter('t').createCounter('app.jobs').add(1);
    provider.getMeter('t').createHistogram('app.duration').record(1);
    const { resourceMetrics } = await ours.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    // mltel's reader and views are intact: the built-in description, the bucket view.
    expect(metrics.map((m) => [m.descriptor.name, m.descriptor.description])).toEqual([
      ['app.jobs', 'built-in'],
      ['app.duration', ''],
    ]);
    expect((metrics[1]?.dataPoints[0]?.value as { buckets?: unknown } | undefined)?.buckets).toEqual({
      boundaries: [0.6],
      counts: [0, 1],
    });
    expect(lines).toEqual([expect.stringContaining('mltel: the views or readers given to start() were refused')]);
    expect(lines[0]).toContain('Fix:');

    const viewLines = warnings();
    const again = new Reader();
    expect(() =>
      createMeterProvider({
        resource: undefined,
        readers: [again],
        builtInViews: [],
        buckets: {},
        extraReaders: [],
        extraViews: [{ instrumentName: '*', name: 'everything' }],
      }),
    ).not.toThrow();
    expect(viewLines).toEqual([expect.stringContaining('were refused')]);
    await provider.shutdown();
  });
});
