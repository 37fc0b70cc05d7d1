import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MLTEL_VERSION, ProviderBinding, WarnOnce } from '@mltel/kit';
import { parseXml } from '@mltel/nvidia-smi-parser';
import { fixture, MiB, sdkProvider } from '../test/harness.js';
import { devicesOf } from './devices.js';
import { executableName, GpuInstruments, SCOPE_NAME, SCOPE_VERSION } from './metrics.js';
import type { CollectionFailureReason, CollectionResult, GpuExtras } from './types.js';

describe('executableName', () => {
  it.each([
    ['/usr/bin/python3', 'python3'],
    ['./gpu_burn', 'gpu_burn'],
    ['C:\\Program Files\\Mozilla Firefox\\firefox.exe', 'firefox.exe'],
    ['python', 'python'],
  ])('%s → %s', (path, name) => {
    expect(executableName(path)).toBe(name);
  });
});

/** GpuInstruments on a real provider, fed `results` one per collection, with its health figures. */
function instruments(results: CollectionResult[], extras: GpuExtras = {}) {
  const sdk = sdkProvider();
  const failures = new Map<CollectionFailureReason, number>();
  let exitCode: number | undefined;
  let calls = 0;
  const binding = new ProviderBinding(
    SCOPE_NAME,
    (meter, callbacks) =>
      new GpuInstruments(
        meter,
        callbacks,
        extras,
        async () => results[Math.min(calls++, results.length - 1)]!,
        () => failures,
        () => exitCode,
        new WarnOnce(),
      ),
    { meterProvider: sdk.provider },
  );
  binding.get();
  return {
    ...sdk,
    binding,
    failures,
    calls: () => calls,
    setExitCode: (code: number) => {
      exitCode = code;
    },
  };
}

const T4 = parseXml(readFileSync(fixture('xml-tesla-t4-processes-driver515-v11.xml'), 'utf8'));
const T4_ID = 'GPU-d37e67a5-91dd-3774-a5cb-99096249601a';
const T4_DEVICES = devicesOf(T4.gpus, new Map(), T4.driverVersion);

function success(run: number, durationSeconds = 0.25): CollectionResult {
  return { ok: true, devices: T4_DEVICES, source: 'xml', durationSeconds, exitCode: 0, run };
}

describe('GpuInstruments', () => {
  it('observes each device of a collection (Tesla T4 XML) with its hw.* attributes', async () => {
    const { collect, setExitCode } = instruments([success(1)]);
    setExitCode(0);
    const c = await collect();
    const device = {
      'hw.id': T4_ID,
      'hw.type': 'gpu',
      'hw.name': 'GPU 0',
      'hw.model': 'Tesla T4',
      'hw.vendor': 'NVIDIA',
      'hw.driver_version': '515.105.01',
    };
    expect(c.points('hw.gpu.memory.usage')).toEqual([{ attributes: device, value: 1032 * MiB }]);
    expect(c.points('hw.gpu.memory.limit')).toEqual([{ attributes: device, value: 15360 * MiB }]);
    expect(c.points('hw.gpu.memory.utilization')[0]?.value).toBeCloseTo(1032 / 15360, 12);
    expect(c.points('hw.power')).toEqual([{ attributes: device, value: 26.78 }]);
    expect(c.points('hw.temperature')).toEqual([{ attributes: device, value: 40 }]);
    expect(c.points('hw.fan.speed_ratio')).toEqual([]); // no fan: not observed, never 0
    // ECC errors carry `error.type` (the hardware conventions' attribute), not `hw.error.type`.
    expect(c.points('hw.errors').map((p) => p.attributes)).toEqual([
      { ...device, 'error.type': 'corrected' },
      { ...device, 'error.type': 'uncorrected' },
    ]);
    expect(c.points('ml.gpu.collection.exit_code')).toEqual([{ attributes: {}, value: 0 }]);
    expect(c.histograms('ml.gpu.collection.duration').map((h) => [h.count, h.sum])).toEqual([[1, 0.25]]);
    // The extras are off.
    expect(c.metric('nvidia.gpu.clock.frequency')).toBeUndefined();
    expect(c.metric('nvidia.gpu.process.memory.usage')).toBeUndefined();
  });

  it('opted-in extras: clocks in Hz, the power limit, process memory by executable name', async () => {
    const { collect } = instruments([success(1)], { clocks: true, powerLimit: true, processMemory: true });
    const c = await collect();
    expect(c.points('nvidia.gpu.clock.frequency').map((p) => [p.attributes['nvidia.gpu.clock.type'], p.value])).toEqual(
      expect.arrayContaining([
        ['graphics', 585e6],
        ['memory', 5000e6],
      ]),
    );
    expect(c.points('nvidia.gpu.power.limit').map((p) => p.value)).toEqual([70]);
    expect(
      c.points('nvidia.gpu.process.memory.usage').map((p) => [p.attributes['process.executable.name'], p.value]),
    ).toEqual([
      ['Xorg', 22 * MiB],
      ['python', 1005 * MiB],
    ]);
  });

  it('records the duration once per run, however many readers collect it', async () => {
    const { collect } = instruments([success(1, 0.5), success(1, 0.5), success(2, 0.25)]);
    await collect();
    await collect(); // the same run again (a second reader): not recorded twice
    const c = await collect();
    expect(c.histograms('ml.gpu.collection.duration').map((h) => [h.count, h.sum])).toEqual([[2, 0.75]]);
  });

  it('a failed collection observes no device, but the failures by reason and the exit code', async () => {
    const failed: CollectionResult = {
      ok: false,
      reason: 'timeout',
      message: 'killed',
      exitCode: 137,
      durationSeconds: 3,
      run: 1,
    };
    const { collect, failures, setExitCode } = instruments([failed]);
    failures.set('timeout', 1);
    failures.set('gpu-lost', 2);
    setExitCode(137);
    const c = await collect();
    expect(c.points('hw.power')).toEqual([]);
    expect(c.points('ml.gpu.collection.failures')).toEqual([
      { attributes: { 'error.type': 'gpu-lost' }, value: 2 },
      { attributes: { 'error.type': 'timeout' }, value: 1 },
    ]);
    expect(c.points('ml.gpu.collection.exit_code')).toEqual([{ attributes: {}, value: 137 }]);
    expect(c.histograms('ml.gpu.collection.duration').map((h) => [h.count, h.sum])).toEqual([[1, 3]]);
  });

  it('disposing the binding removes the callback: no collection runs any more', async () => {
    const { collect, binding, calls } = instruments([success(1)]);
    expect((await collect()).points('hw.power')).toHaveLength(1);
    expect(calls()).toBe(1);
    binding.dispose();
    await collect();
    expect(calls()).toBe(1);
  });

  it('the scope is @mltel/host-metrics-gpu at the mltel version', async () => {
    expect([SCOPE_NAME, SCOPE_VERSION]).toEqual(['@mltel/host-metrics-gpu', MLTEL_VERSION]);
    const { reader } = instruments([success(1)]);
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics.map((s) => [s.scope.name, s.scope.version])).toEqual([
      ['@mltel/host-metrics-gpu', MLTEL_VERSION],
    ]);
  });
});
