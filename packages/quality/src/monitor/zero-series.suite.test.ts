// Issue 13, finding 11: a series born at its first increment loses it in increase()/rate(). The
// monitor creates its closed label sets at 0: `ml.drift.alerts` for each drift kind it scores at
// each severity as soon as it has a profile, and `ml.predictions` for each allow-listed class.
import { describe, expect, it } from 'vitest';
import { CLASS, KIND, SEVERITY, sdkProvider } from '../../test/harness.js';
import { referenceProfile } from '../../test/reference.js';
import { createModelMonitor } from './model-monitor.js';

describe('closed label sets at 0 at the first collection', () => {
  it('ml.drift.alerts: warning and critical at 0 for each scored kind, before any window closed', async () => {
    const sdk = sdkProvider();
    const monitor = createModelMonitor({ modelName: 'm', profile: referenceProfile(), meterProvider: sdk.provider });
    const alerts = (await sdk.collect()).points('ml.drift.alerts');
    expect(alerts.map((p) => [p.attributes[KIND], p.attributes[SEVERITY], p.value]).sort()).toEqual([
      ['confidence', 'critical', 0],
      ['confidence', 'warning', 0],
      ['distribution', 'critical', 0],
      ['distribution', 'warning', 0],
    ]);
    monitor.close();
  });

  it('no profile: no alert series (nothing can alert)', async () => {
    const sdk = sdkProvider();
    const monitor = createModelMonitor({ modelName: 'm', meterProvider: sdk.provider });
    expect((await sdk.collect()).points('ml.drift.alerts')).toEqual([]);
    monitor.close();
  });

  it('ml.predictions: each class of an exact allow-list at 0 (the profile’s classes by default)', async () => {
    const sdk = sdkProvider();
    const monitor = createModelMonitor({
      modelName: 'm',
      classes: ['yes', 'no', 'maybe*'],
      meterProvider: sdk.provider,
    });
    monitor.recordPrediction({ predictedClass: 'yes' });
    const points = (await sdk.collect()).points('ml.predictions');
    expect(points.map((p) => [p.attributes[CLASS], p.value]).sort()).toEqual([
      ['no', 0],
      ['yes', 1],
    ]);
    monitor.close();
  });
});
