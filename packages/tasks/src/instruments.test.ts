import { diag } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MLTEL_VERSION } from '@mltel/kit';
import { SCOPE_NAME } from './index.js';
import { bindTaskInstruments } from './instruments.js';
import { metrics } from '@opentelemetry/api';
import { setup, captureDiag, sdkProvider, BUCKETS, NAME, STATUS } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  diag.disable();
});

describe('instruments', () => {
  it("creates the six instruments with their names, units and kinds: five in the @mltel/tasks scope, ml.queue.size in kit's queue registry", async () => {
    const { meter, reader } = setup();
    meter.record({ name: 'embed', status: 'error', durationSeconds: 0.2, errorType: 'CudaError' });
    meter.start('embed');
    meter.recordQueueWait('embed', 'gpu', 0.1);
    meter.setQueueSize('gpu', 3);

    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    expect(SCOPE_NAME).toBe('@mltel/tasks');
    const described = resourceMetrics.scopeMetrics
      .map((s) => [
        s.scope.name,
        s.scope.version,
        s.metrics
          .map((m) => ({
            name: m.descriptor.name,
            unit: m.descriptor.unit,
            type: m.dataPointType,
            monotonic: m.dataPointType === DataPointType.SUM ? m.isMonotonic : undefined,
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      ])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    // ml.queue.size has one owner, kit's process-wide queue registry, whichever meter observes a queue.
    expect(described).toEqual([
      [
        '@mltel/kit/queues',
        MLTEL_VERSION,
        [{ name: 'ml.queue.size', unit: '{item}', type: DataPointType.GAUGE, monotonic: undefined }],
      ],
      [
        SCOPE_NAME,
        MLTEL_VERSION,
        [
          { name: 'ml.task.duration', unit: 's', type: DataPointType.HISTOGRAM, monotonic: undefined },
          { name: 'ml.task.errors', unit: '{error}', type: DataPointType.SUM, monotonic: true },
          { name: 'ml.task.queue.duration', unit: 's', type: DataPointType.HISTOGRAM, monotonic: undefined },
          { name: 'ml.tasks', unit: '{task}', type: DataPointType.SUM, monotonic: true },
          { name: 'ml.tasks.active', unit: '{task}', type: DataPointType.SUM, monotonic: false },
        ],
      ],
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('uses the seconds-scale TASK_DURATION_BUCKETS for both histograms', async () => {
    const { meter, collect } = setup();
    meter.record({ name: 'embed', durationSeconds: 1 });
    meter.recordQueueWait('embed', 'gpu', 1);
    const c = await collect();
    expect(BUCKETS).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]);
    expect(c.histograms('ml.task.duration').map((h) => h.boundaries)).toEqual([BUCKETS]);
    expect(c.histograms('ml.task.queue.duration').map((h) => h.boundaries)).toEqual([BUCKETS]);
  });
});

describe('bindTaskInstruments()', () => {
  afterEach(() => {
    metrics.disable();
  });

  it('builds the instruments once on an explicit provider and records through them', async () => {
    const sdk = sdkProvider();
    const binding = bindTaskInstruments(sdk.provider, (_instruments, addActive) =>
      addActive('embed', undefined, 1, { [NAME]: 'embed' }),
    );
    const instruments = binding.get();
    expect(binding.get()).toBe(instruments);
    instruments.tasks.add(2, { [NAME]: 'embed', [STATUS]: 'success' });
    instruments.duration.record(0.5, { [NAME]: 'embed', [STATUS]: 'success' });
    const c = await sdk.collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'embed', [STATUS]: 'success' }, value: 2 }]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'embed' }, value: 1 }]);
    expect(c.histograms('ml.task.duration').map((h) => [h.count, h.sum, h.boundaries])).toEqual([[1, 0.5, BUCKETS]]);
  });

  it('runs the collect callback at each collection, before the counters are read', async () => {
    const sdk = sdkProvider();
    let pending = 0;
    const binding = bindTaskInstruments(sdk.provider, (instruments) => {
      instruments.tasks.add(pending, { [NAME]: 'late', [STATUS]: 'success' });
      pending = 0;
    });
    binding.get();
    pending = 3;
    expect((await sdk.collect()).points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'late', [STATUS]: 'success' }, value: 3 },
    ]);
    pending = 2;
    expect((await sdk.collect()).points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'late', [STATUS]: 'success' }, value: 5 },
    ]);
  });

  it('without a provider, moves to the global provider once it is set', async () => {
    const binding = bindTaskInstruments(undefined, () => {});
    const before = binding.get();
    before.tasks.add(1, { [NAME]: 'lost' });
    const sdk = sdkProvider();
    metrics.setGlobalMeterProvider(sdk.provider);
    const after = binding.get();
    expect(after).not.toBe(before);
    after.tasks.add(1, { [NAME]: 'kept', [STATUS]: 'success' });
    expect((await sdk.collect()).points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'kept', [STATUS]: 'success' }, value: 1 },
    ]);
  });
});
