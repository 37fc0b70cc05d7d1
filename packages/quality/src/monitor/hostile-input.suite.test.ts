// Property suite: every public recording API of the model monitor, fed hostile values (throwing
// Proxies and getters, unprintable errors, absurd numbers, huge strings, symbols, bigints, cycles)
// in options, records, batches, labels and alert handlers. Nothing throws into the caller and
// collection stays clean.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHostile, either, hostile, hostileRecord, unprintableError } from '../../../tasks/test/hostile.js';
import { collect, sdkProvider } from '../../test/harness.js';
import { referenceProfile } from '../../test/reference.js';
import type { ModelMonitorOptions, PredictionRecord } from '../types.js';
import { createModelMonitor } from './model-monitor.js';
import type { ModelMonitor } from './model-monitor.js';

const RUNS = 10000;
// Each property runs thousands of inputs: a generous bound, far above the few seconds they take.
const PROPERTY_TIMEOUT_MS = 60_000;
const PROFILE = referenceProfile();
const features = hostileRecord({
  x: fc.double({ min: -5, max: 5, noNaN: true }),
  c: fc.constantFrom('a', 'b'),
  extra: fc.constant(1),
});
const prediction = hostileRecord({
  predictedClass: fc.constantFrom<unknown>('cat', 'dog', 1, true),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  features: fc.constant({ x: 1, c: 'a' }),
  id: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.nat()),
});

/** A monitor on a fresh provider with a profile, windows of 20 records and an alert handler that throws. */
function monitor(): { monitor: ModelMonitor; reader: ReturnType<typeof sdkProvider>['reader'] } {
  const sdk = sdkProvider();
  const m = createModelMonitor({
    modelName: 'hostile',
    profile: PROFILE,
    meterProvider: sdk.provider,
    window: { count: 20 },
    minSamples: 5,
    onAlert: () => {
      throw unprintableError();
    },
  });
  return { monitor: m, reader: sdk.reader };
}

describe('model monitor: hostile input (fast-check)', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('observe(), recordPrediction(), recordLabel(), closeWindow(): nothing throws', async () => {
    const { monitor: m, reader } = monitor();
    await checkHostile(
      fc.property(features, prediction, either(fc.nat(100)), either(fc.constantFrom('cat', 'dog')), (f, p, id, cls) => {
        m.observe(f() as Record<string, unknown>);
        m.recordPrediction(p() as PredictionRecord);
        m.recordLabel(id() as number, cls() as string);
      }),
      RUNS,
    );
    m.closeWindow();
    expect(typeof m.stats().records).toBe('number');
    await collect(reader);
    m.close();
  });

  it('recordBatch() of hostile arrays and hostile items: nothing throws', async () => {
    const { monitor: m, reader } = monitor();
    await checkHostile(
      fc.property(fc.array(prediction, { maxLength: 4 }), hostile(), fc.boolean(), (items, whole, asWhole) => {
        m.recordBatch((asWhole ? whole() : items.map((make) => make())) as PredictionRecord[]);
      }),
      RUNS,
    );
    await collect(reader);
    m.close();
  });

  it('createModelMonitor() with hostile options never throws, and the monitor records', async () => {
    const options = hostileRecord({
      modelName: fc.constantFrom('m'),
      profile: fc.constantFrom<unknown>(PROFILE, JSON.stringify(PROFILE)),
      window: fc.constantFrom<unknown>({ count: 10 }, { seconds: 3600 }, { seconds: 1e308 }),
      minSamples: fc.nat(10),
      sketchK: fc.nat(100),
      classes: fc.constant(['cat']),
      accuracyWindow: fc.oneof(fc.nat(10), fc.constant(1e308)),
      maxPendingLabels: fc.nat(10),
      labelTtlSeconds: fc.nat(10),
      thresholds: fc.constant({ default: { psi: { warning: 0.2 } } }),
      now: fc.constant(() => 0),
      onAlert: fc.constant(() => {}),
    });
    await checkHostile(
      fc.property(options, (o) => {
        const sdk = sdkProvider();
        const given = o();
        let m: ModelMonitor | undefined;
        expect(() => {
          // The options' own fields (or traps) stay as generated; only the provider is added, as an own field.
          m = createModelMonitor(
            typeof given === 'object' && given !== null
              ? (Object.defineProperty(Object.create(given) as object, 'meterProvider', {
                  value: sdk.provider,
                }) as ModelMonitorOptions)
              : (given as ModelMonitorOptions),
          );
        }).not.toThrow();
        m!.recordPrediction({ predictedClass: 'cat', confidence: 0.5 });
        m!.closeWindow();
        m!.close();
      }),
      RUNS / 4,
    );
  });
});
