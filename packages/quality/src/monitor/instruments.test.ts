import { metrics } from '@opentelemetry/api';
import { announceProviderChange, MLTEL_VERSION } from '@mltel/kit';
import { ML_PREDICTIONS, ML_PREDICTION_CONFIDENCE } from '@mltel/semconv';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkProvider } from '../../test/harness.js';
import { bindQualityInstruments, SCOPE_NAME } from './instruments.js';

afterEach(() => {
  metrics.disable();
});

/** Gauges that report fixed values, counting their runs. */
function gauges() {
  const runs = { accuracy: 0, driftScore: 0 };
  return {
    runs,
    gauges: {
      accuracy: (result: { observe(value: number, attributes?: Record<string, string>): void }) => {
        runs.accuracy++;
        result.observe(0.75, { 'ml.model.name': 'm' });
      },
      driftScore: (result: { observe(value: number, attributes?: Record<string, string>): void }) => {
        runs.driftScore++;
        result.observe(0.5, { 'ml.model.name': 'm' });
      },
    },
  };
}

describe('bindQualityInstruments', () => {
  it('creates the five catalog instruments it owns under the @mltel/quality scope at MLTEL_VERSION', async () => {
    const sdk = sdkProvider();
    const { gauges: g } = gauges();
    const binding = bindQualityInstruments(sdk.provider, g);
    const i = binding.get();
    i.predictions.add(2);
    i.confidence.record(0.9);
    i.alerts.add(1);
    const { resourceMetrics } = await sdk.reader.collect();
    const [scope] = resourceMetrics.scopeMetrics;
    expect(resourceMetrics.scopeMetrics).toHaveLength(1);
    expect(scope!.scope).toMatchObject({ name: SCOPE_NAME, version: MLTEL_VERSION });
    expect(SCOPE_NAME).toBe('@mltel/quality');
    const byName = new Map(scope!.metrics.map((m) => [m.descriptor.name, m]));
    expect([...byName.keys()].sort()).toEqual([
      'ml.drift.alerts',
      'ml.drift.score',
      'ml.model.accuracy',
      'ml.prediction.confidence',
      'ml.predictions',
    ]);
    expect(byName.get('ml.predictions')!.descriptor.unit).toBe(ML_PREDICTIONS.unit);
    expect(byName.get('ml.prediction.confidence')!.descriptor.description).toBe(ML_PREDICTION_CONFIDENCE.description);
    expect(byName.get('ml.model.accuracy')!.dataPoints.map((p) => p.value)).toEqual([0.75]);
    expect(byName.get('ml.drift.score')!.dataPoints.map((p) => p.value)).toEqual([0.5]);
    binding.dispose();
  });

  it('dispose() removes the gauge callbacks from the provider', async () => {
    const sdk = sdkProvider();
    const { gauges: g, runs } = gauges();
    const binding = bindQualityInstruments(sdk.provider, g);
    binding.follow();
    await sdk.collect();
    expect(runs).toEqual({ accuracy: 1, driftScore: 1 });
    binding.dispose();
    // The SDK keeps a gauge's last point; what shows the callbacks are gone is that they no longer run.
    await sdk.collect();
    expect(runs).toEqual({ accuracy: 1, driftScore: 1 });
  });

  it('without a provider, follows the global one: the gauges move to a provider announced later', async () => {
    const { gauges: g, runs } = gauges();
    const binding = bindQualityInstruments(undefined, g);
    binding.follow();
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    announceProviderChange();
    expect((await first.collect()).points('ml.model.accuracy')).toEqual([
      { attributes: { 'ml.model.name': 'm' }, value: 0.75 },
    ]);
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    announceProviderChange();
    await first.collect();
    expect(runs).toEqual({ accuracy: 1, driftScore: 1 });
    expect((await second.collect()).points('ml.drift.score').map((p) => p.value)).toEqual([0.5]);
    expect(runs).toEqual({ accuracy: 2, driftScore: 2 });
    binding.dispose();
  });
});
