import { metrics } from '@opentelemetry/api';
import type { Counter, MeterProvider } from '@opentelemetry/api';
import { sdkHarness } from '@mltel/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderBinding } from './provider-binding.js';
import { announceProviderChange } from './provider-change.js';

const { sdkProvider, captureDiag } = sdkHarness([]);

interface Instruments {
  counter: Counter;
}

/** A binding with one counter and one gauge whose callback counts its runs. */
function binding(meterProvider?: MeterProvider) {
  const runs = { gauge: 0, builds: 0 };
  const bound = new ProviderBinding<Instruments>(
    'test-scope',
    (meter, callbacks) => {
      runs.builds++;
      const gauge = meter.createObservableGauge('test.gauge');
      callbacks.observe(gauge, (result) => {
        runs.gauge++;
        result.observe(1);
      });
      const batched = meter.createObservableGauge('test.batched');
      callbacks.observeBatch((result) => result.observe(batched, 2), [batched]);
      return { counter: meter.createCounter('test.counter') };
    },
    { meterProvider },
  );
  return { bound, runs };
}

afterEach(() => {
  metrics.disable();
});

describe('ProviderBinding', () => {
  it('builds the instruments once per provider, with the mltel scope version', async () => {
    const sdk = sdkProvider();
    const { bound, runs } = binding(sdk.provider);
    bound.get().counter.add(1);
    bound.get().counter.add(2);
    expect(runs.builds).toBe(1);
    const c = await sdk.collect();
    expect(c.points('test.counter').map((p) => p.value)).toEqual([3]);
    expect(c.points('test.gauge').map((p) => p.value)).toEqual([1]);
    expect(c.points('test.batched').map((p) => p.value)).toEqual([2]);
  });

  it('moves to a new global provider and removes its callbacks from the old one', async () => {
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    const { bound, runs } = binding();
    bound.get().counter.add(1);
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    bound.get().counter.add(5);
    expect(runs.builds).toBe(2);
    const old = await first.collect();
    expect(old.points('test.gauge')).toEqual([]);
    expect(old.points('test.batched')).toEqual([]);
    expect(old.points('test.counter').map((p) => p.value)).toEqual([1]);
    const now = await second.collect();
    expect(now.points('test.counter').map((p) => p.value)).toEqual([5]);
    expect(now.points('test.gauge').map((p) => p.value)).toEqual([1]);
  });

  it('onRelease(): runs what was registered when the binding moves, once', () => {
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    const released: string[] = [];
    const bound = new ProviderBinding('test-scope', (_meter, callbacks) => {
      callbacks.onRelease(() => released.push('undone'));
      return {};
    });
    bound.get();
    expect(released).toEqual([]);
    metrics.disable();
    metrics.setGlobalMeterProvider(sdkProvider().provider);
    bound.get();
    bound.get();
    expect(released).toEqual(['undone']);
  });

  it('follow(): gauges reach an announced provider without any record call', async () => {
    const { bound, runs } = binding();
    bound.follow();
    const sdk = sdkProvider();
    metrics.setGlobalMeterProvider(sdk.provider);
    announceProviderChange();
    const c = await sdk.collect();
    expect(c.points('test.gauge').map((p) => p.value)).toEqual([1]);
    expect(runs.gauge).toBe(1);
    bound.dispose();
  });

  it('never moves with an explicit provider, and dispose() removes its callbacks', async () => {
    const explicit = sdkProvider();
    const { bound, runs } = binding(explicit.provider);
    bound.follow();
    metrics.setGlobalMeterProvider(sdkProvider().provider);
    announceProviderChange();
    expect(runs.builds).toBe(1);
    expect((await explicit.collect()).points('test.gauge')).toHaveLength(1);
    expect(runs.gauge).toBe(1);
    bound.dispose();
    await explicit.collect();
    expect(runs.gauge).toBe(1);
  });

  it('a provider that throws gives no-op instruments and one warning, never an exception', () => {
    const diag = captureDiag();
    const broken = {
      getMeter() {
        throw new Error('broken provider');
      },
    } as unknown as MeterProvider;
    const { bound } = binding(broken);
    expect(() => bound.get().counter.add(1)).not.toThrow();
    expect(() => bound.get().counter.add(1)).not.toThrow();
    expect(diag.warnings.filter((w) => w.includes('test-scope'))).toHaveLength(1);
  });
});
