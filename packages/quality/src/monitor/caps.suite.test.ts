// Issue 13, finding 6 on the model monitor: every value a caller controls is bounded. 100k
// distinct predicted classes make at most 101 `ml.predictions` series (100 + `_OTHER`), and 100k
// distinct prediction ids keep at most `maxPendingLabels` pending labels in memory.
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { captureDiag, setup } from '../../test/harness.js';

afterEach(() => diag.disable());

describe('model monitor: caller-controlled values stay bounded', () => {
  it('100k distinct classes: 101 series, one warning', async () => {
    const log = captureDiag();
    const { monitor, collect } = setup({ modelName: 'm' });
    for (let i = 0; i < 100_000; i++) monitor.recordPrediction({ predictedClass: `class-${i}` });
    const points = (await collect()).points('ml.predictions');
    expect(points).toHaveLength(101);
    expect(points.reduce((n, p) => n + p.value, 0)).toBe(100_000);
    expect(log.warnings.filter((w) => w.includes('ml.prediction.class'))).toHaveLength(1);
    monitor.close();
  });

  it('100k distinct prediction ids: pending labels capped at maxPendingLabels', () => {
    captureDiag();
    const { monitor } = setup({ modelName: 'm', maxPendingLabels: 1000 });
    for (let i = 0; i < 100_000; i++) monitor.recordPrediction({ predictedClass: 'a', id: `id-${i}` });
    expect(monitor.stats().pendingLabels).toBe(1000);
    expect(monitor.stats().pendingEvicted).toBe(99_000);
    monitor.close();
  });
});
