import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { GpuHostMetrics } from './gpu-host-metrics.js';
import type { GpuHostMetricsConfig } from './types.js';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  captureDiag,
  collect,
  fakeEnv,
  fixture,
  MiB,
  processExists,
  sdkProvider,
  TestReader,
} from '../test/harness.js';
import type { Collection } from '../test/harness.js';

const started: GpuHostMetrics[] = [];
afterEach(() => {
  for (const plugin of started.splice(0)) plugin.disable();
});

function setup(vars: Record<string, string>, config: Omit<GpuHostMetricsConfig, 'env' | 'meterProvider'> = {}) {
  const fake = fakeEnv(vars);
  const sdk = sdkProvider();
  const plugin = new GpuHostMetrics({ meterProvider: sdk.provider, env: fake.env, ...config });
  started.push(plugin);
  return { ...fake, ...sdk, plugin };
}

/** `value` of the point of `name` whose attributes include `match`; undefined when none. */
function value(c: Collection, name: string, match: Record<string, string>): number | undefined {
  return c.points(name).find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))?.value;
}

interface Expected {
  capture: string;
  uuid: string;
  model: string;
  driver: string;
  usedMiB: number;
  totalMiB: number;
  utilization: { general?: number; encoder?: number; decoder?: number };
  watts: number;
  celsius: number;
  fan?: number;
  eccCorrected?: number;
}

// The values of the last --query-gpu section of each capture (the "load" phase where there are two).
const CAPTURES: Expected[] = [
  {
    capture: 'capture-multi-h100-mig-4instances-driver590.txt',
    uuid: 'GPU-00000000-0000-0000-0000-000000000000',
    model: 'NVIDIA H100 80GB HBM3',
    driver: '590.48.01',
    usedMiB: 11125,
    totalMiB: 81559,
    utilization: {}, // [N/A] under MIG
    watts: 433.78,
    celsius: 53,
    eccCorrected: 0,
  },
  {
    capture: 'capture-multi-l40s-driver595.txt',
    uuid: 'GPU-00000000-0000-0000-0000-000000000000',
    model: 'NVIDIA L40S',
    driver: '595.80',
    usedMiB: 1235,
    totalMiB: 46068,
    utilization: { general: 0.09, encoder: 0.6, decoder: 0 },
    watts: 110.23,
    celsius: 54,
    eccCorrected: 0,
  },
  {
    capture: 'capture-multi-rtx4080super-driver595.txt',
    uuid: 'GPU-00000000-0000-0000-0000-000000000000',
    model: 'NVIDIA GeForce RTX 4080 SUPER',
    driver: '595.71.05',
    usedMiB: 1474,
    totalMiB: 16376,
    utilization: { general: 0.07, encoder: 0.72, decoder: 0 },
    watts: 84.24,
    celsius: 46,
    fan: 0,
  },
  {
    capture: 'capture-multi-ubuntu-rtx2080super-driver465.txt',
    uuid: 'GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa',
    model: 'NVIDIA GeForce RTX 2080 SUPER',
    driver: '465.27',
    usedMiB: 344,
    totalMiB: 7979,
    utilization: { general: 0 }, // driver 465 knows no utilization.encoder/decoder: negotiated away
    watts: 30.37,
    celsius: 32,
    fan: 0.38,
  },
  {
    capture: 'capture-multi-win-rtx2080super-wddm-driver610.txt',
    uuid: 'GPU-00000000-0000-0000-0000-000000000000',
    model: 'NVIDIA GeForce RTX 2080 SUPER',
    driver: '610.62',
    usedMiB: 1366,
    totalMiB: 8192,
    utilization: { general: 0.07, encoder: 0.99, decoder: 0 },
    watts: 97.99,
    celsius: 44,
    fan: 0.38,
  },
];

describe('replaying real captures through a real MeterProvider', () => {
  it.each(CAPTURES)('$capture: hw.* values of GPU 0', async (e) => {
    const { collect, starts } = setup({ FAKE_NVIDIA_SMI_CAPTURE: fixture(e.capture) }, { source: 'csv' });
    const c = await collect();
    const id = { 'hw.id': e.uuid };
    const [point] = c.points('hw.gpu.memory.usage');
    expect(point?.attributes).toEqual({
      'hw.id': e.uuid,
      'hw.type': 'gpu',
      'hw.name': 'GPU 0',
      'hw.model': e.model,
      'hw.vendor': 'NVIDIA',
      'hw.driver_version': e.driver,
    });
    expect(value(c, 'hw.gpu.memory.usage', id)).toBe(e.usedMiB * MiB);
    expect(value(c, 'hw.gpu.memory.limit', id)).toBe(e.totalMiB * MiB);
    expect(value(c, 'hw.gpu.memory.utilization', id)).toBeCloseTo(e.usedMiB / e.totalMiB, 12);
    const tasks = Object.fromEntries(c.points('hw.gpu.utilization').map((p) => [p.attributes['hw.gpu.task'], p.value]));
    expect(tasks).toEqual(e.utilization);
    expect(value(c, 'hw.power', id)).toBe(e.watts);
    expect(value(c, 'hw.temperature', id)).toBe(e.celsius);
    expect(value(c, 'hw.fan.speed_ratio', id)).toBe(e.fan);
    expect(value(c, 'hw.errors', { ...id, 'error.type': 'corrected' })).toBe(e.eccCorrected);
    // The OTel hardware conventions: `hw.type` on every hw.* point, `error.type` (not hw.error.type) on hw.errors.
    for (const name of ['hw.gpu.utilization', 'hw.power', 'hw.temperature', 'hw.fan.speed_ratio', 'hw.errors'])
      for (const p of c.points(name)) expect(p.attributes['hw.type'], name).toBe('gpu');
    expect(c.points('hw.errors').some((p) => 'hw.error.type' in p.attributes)).toBe(false);
    // Health: no failure, exit code 0, one duration sample.
    expect(c.points('ml.gpu.collection.failures')).toEqual([]);
    expect(c.points('ml.gpu.collection.exit_code')).toEqual([{ attributes: {}, value: 0 }]);
    expect(c.histograms('ml.gpu.collection.duration')[0]?.count).toBe(1);
    // Negotiation once (--help-query-gpu, -L), then the query.
    expect(starts().map((s) => s.args[0]!.split('=')[0])).toEqual(['-L', '--help-query-gpu', '--query-gpu']);
  });

  it('reports MIG instances as devices of their own (A100, -q -x v12: 4 instances)', async () => {
    const { collect } = setup(
      { FAKE_NVIDIA_SMI_XML: fixture('xml-a100-sxm4-mig-driver535-v12.xml') },
      { source: 'xml' },
    );
    const c = await collect();
    const gpu = 'GPU-513536b6-7d19-9063-b049-1e69664bb298';
    const usage = c.points('hw.gpu.memory.usage');
    expect(usage.map((p) => [p.attributes['hw.id'], p.attributes['hw.name'], p.value])).toEqual([
      // The XML carries no nvidia-smi index (minor_number is the device node): its position is.
      [gpu, 'GPU 0', 50 * MiB],
      // No -L in this replay, and v12 XML has no MIG UUID: the pre-R470 MIG id.
      [`MIG-${gpu}/3/0`, 'GPU 0 MIG 0', 12 * MiB],
      [`MIG-${gpu}/4/0`, 'GPU 0 MIG 1', 12 * MiB],
      [`MIG-${gpu}/5/0`, 'GPU 0 MIG 2', 12 * MiB],
      [`MIG-${gpu}/6/0`, 'GPU 0 MIG 3', 12 * MiB],
    ]);
    expect(value(c, 'hw.gpu.memory.limit', { 'hw.id': `MIG-${gpu}/3/0` })).toBe(19968 * MiB);
    expect(c.points('hw.gpu.memory.usage')[1]?.attributes['hw.model']).toBe('NVIDIA A100-SXM4-80GB MIG');
    // Utilisation is not observed for instances (nvidia-smi gives none), nor power/temperature.
    expect(c.points('hw.power').map((p) => p.attributes['hw.id'])).toEqual([gpu]);
    expect(c.points('hw.gpu.utilization').every((p) => p.attributes['hw.id'] === gpu)).toBe(true);
  });

  it('asks for -q -x by itself when -L shows MIG instances (H100, auto)', async () => {
    const { collect, starts } = setup({
      FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-h100-mig-4instances-driver590.txt'),
    });
    await collect();
    // The H100 capture has no -q -x section, so the fake fails it: counted, not thrown.
    expect(starts().map((s) => s.args.join(' '))).toEqual(['-L', '-q -x']);
  });

  it('uses the MIG UUIDs of -L for the instances of the XML', async () => {
    // The 8×H100 -L capture lists 7 MIG instances per GPU; the A100 v11 XML (2 instances) is
    // GPU 0 of another host, so the ids come from -L by GPU index and MIG index.
    const { collect } = setup({
      FAKE_NVIDIA_SMI_XML: fixture('xml-a100-sxm4-mig-driver510-v11.xml'),
      FAKE_NVIDIA_SMI_LIST: fixture('list-L-8xH100-mig-56instances.txt'),
      FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'),
    });
    const c = await collect();
    const ids = c.points('hw.gpu.memory.usage').map((p) => p.attributes['hw.id'] as string);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe('GPU-27b94a00-ed54-5c24-b1fd-1054085de32a');
    expect(ids.slice(1).every((id) => /^MIG-[0-9a-f]{8}-/.test(id))).toBe(true);
    expect(c.points('hw.gpu.memory.usage')[1]?.attributes['hw.model']).toBe('NVIDIA A100-SXM4-40GB MIG 1g.10gb');
  });

  it('reports per-process GPU memory by executable name when opted in (Tesla T4, -q -x v11)', async () => {
    const { collect, starts } = setup(
      {
        FAKE_NVIDIA_SMI_XML: fixture('xml-tesla-t4-processes-driver515-v11.xml'),
        FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'),
      },
      { extras: { processMemory: true, clocks: true, powerLimit: true } },
    );
    const c = await collect();
    const gpu = 'GPU-d37e67a5-91dd-3774-a5cb-99096249601a';
    expect(
      c
        .points('nvidia.gpu.process.memory.usage')
        .map((p) => [p.attributes['hw.id'], p.attributes['process.executable.name'], p.value]),
    ).toEqual([
      [gpu, 'Xorg', 22 * MiB],
      [gpu, 'python', 1005 * MiB],
    ]);
    expect(value(c, 'nvidia.gpu.clock.frequency', { 'nvidia.gpu.clock.type': 'memory' })).toBe(5000e6);
    expect(value(c, 'nvidia.gpu.clock.frequency', { 'nvidia.gpu.clock.type': 'graphics' })).toBe(585e6);
    expect(c.points('nvidia.gpu.power.limit')).toHaveLength(1);
    expect(starts().at(-1)?.args).toEqual(['-q', '-x']);
  });

  it('leaves the NVIDIA extras out unless opted in', async () => {
    const { collect } = setup({ FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt') });
    const c = await collect();
    expect(c.points('hw.power')).toHaveLength(1);
    expect(c.metric('nvidia.gpu.clock.frequency')).toBeUndefined();
    expect(c.metric('nvidia.gpu.power.limit')).toBeUndefined();
    expect(c.metric('nvidia.gpu.process.memory.usage')).toBeUndefined();
  });
});

describe('one spawn per collection', () => {
  it('spawns once per collection for 8 GPUs, every instrument, and two readers collecting at once', async () => {
    const fake = fakeEnv({
      FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'),
      FAKE_NVIDIA_SMI_REPEAT: '8',
      FAKE_NVIDIA_SMI_DELAY_MS: '50',
    });
    const [r1, r2] = [new TestReader(), new TestReader()];
    const provider = new MeterProvider({ readers: [r1, r2] });
    const plugin = new GpuHostMetrics({
      meterProvider: provider,
      env: fake.env,
      extras: { clocks: true, powerLimit: true },
    });
    started.push(plugin);
    await collect(r1); // negotiation (-L, --help-query-gpu) + the first query
    const before = fake.starts().length;
    const [c1, c2] = await Promise.all([collect(r1), collect(r2)]);
    expect(fake.starts().length - before).toBe(1);
    expect(c1.points('hw.gpu.memory.usage')).toHaveLength(8);
    expect(c2.points('nvidia.gpu.clock.frequency')).toHaveLength(8 * 4);
    for (let i = 0; i < 3; i++) await collect(r1);
    expect(fake.starts().length - before).toBe(4);
    expect(fake.starts().some((s) => s.overlap)).toBe(false);
    // Their duration was recorded once per run, not once per reader.
    expect(c2.histograms('ml.gpu.collection.duration')[0]?.count).toBe(2);
  });
});

describe('a misbehaving nvidia-smi', () => {
  // A 3 s timeout leaves the fake time to start and install its SIGTERM handler on a loaded machine.
  it('kills one that hangs (SIGTERM ignored → SIGKILL), reaps it, counts a timeout, and recovers', async () => {
    const diagLog = captureDiag();
    const { collect, starts, plugin } = setup(
      {
        FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'),
        FAKE_NVIDIA_SMI_MODE: 'hang',
        FAKE_NVIDIA_SMI_FAIL_ONLY: 'query',
      },
      { source: 'csv', timeoutMs: 3000, killGraceMs: 100 },
    );
    const c = await collect();
    expect(c.points('hw.gpu.memory.usage')).toEqual([]);
    expect(c.points('ml.gpu.collection.failures')).toEqual([{ attributes: { 'error.type': 'timeout' }, value: 1 }]);
    const hung = starts().at(-1)!;
    expect(hung.args[0]).toMatch(/^--query-gpu=/);
    // It logged its start, so it ignored SIGTERM from then on: only the SIGKILL ended it.
    expect(c.points('ml.gpu.collection.exit_code')).toEqual([{ attributes: {}, value: 137 }]); // 128 + SIGKILL
    expect(processExists(hung.pid)).toBe(false); // killed and reaped: no zombie
    // Concurrent collections while one hangs share it: still one child at a time.
    await Promise.all([collect(), collect(), plugin.collect()]);
    expect(starts().some((s) => s.overlap)).toBe(false);
    expect(starts().every((s) => !processExists(s.pid))).toBe(true);
    expect(mine(diagLog.warnings).filter((w) => w.includes('did not finish within 3000 ms'))).toHaveLength(1);
  }, 30_000);

  it('counts garbage output as malformed', async () => {
    const { collect } = setup(
      {
        FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'),
        FAKE_NVIDIA_SMI_MODE: 'garbage',
        FAKE_NVIDIA_SMI_FAIL_ONLY: 'query',
      },
      { source: 'csv' },
    );
    await collect();
    const c = await collect();
    expect(c.points('ml.gpu.collection.failures')).toEqual([{ attributes: { 'error.type': 'malformed' }, value: 2 }]);
    expect(c.points('hw.gpu.memory.usage')).toEqual([]);
  });

  it('reads exit 9 with the driver text on stdout as driver-not-loaded', async () => {
    const diagLog = captureDiag();
    const { collect, starts } = setup({ FAKE_NVIDIA_SMI_MODE: 'exit9' });
    await collect();
    const c = await collect();
    expect(c.points('ml.gpu.collection.failures')).toEqual([
      { attributes: { 'error.type': 'driver-not-loaded' }, value: 2 },
    ]);
    expect(c.points('ml.gpu.collection.exit_code')).toEqual([{ attributes: {}, value: 9 }]);
    // Negotiation is retried each collection while the driver is down (one spawn each).
    expect(starts().map((s) => s.args[0])).toEqual(['-L', '-L']);
    expect(mine(diagLog.warnings)).toHaveLength(1);
    expect(mine(diagLog.warnings)[0]).toContain("couldn't communicate with the NVIDIA driver");
  });

  it('counts not-found when the path does not exist, and stays quiet after the first warning', async () => {
    const diagLog = captureDiag();
    const { collect } = setup({}, { nvidiaSmiPath: '/nonexistent/nvidia-smi' });
    await collect();
    const c = await collect();
    expect(c.points('ml.gpu.collection.failures')).toEqual([{ attributes: { 'error.type': 'not-found' }, value: 2 }]);
    expect(c.points('ml.gpu.collection.exit_code')).toEqual([{ attributes: {}, value: 127 }]);
    expect(mine(diagLog.warnings)).toEqual([expect.stringContaining('/nonexistent/nvidia-smi was not found')]);
  });

  it('drops a field the query rejects even though --help-query-gpu listed it, once', async () => {
    const { collect, starts } = setup(
      {
        FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'),
        FAKE_NVIDIA_SMI_INVALID: 'utilization.encoder',
      },
      { source: 'csv' },
    );
    const first = await collect();
    expect(first.points('hw.gpu.memory.usage')).toHaveLength(1);
    expect(first.points('ml.gpu.collection.failures')).toEqual([]);
    const n = starts().length;
    const second = await collect();
    expect(starts().length - n).toBe(1);
    expect(starts().at(-1)?.args[0]).not.toContain('utilization.encoder');
    expect(second.points('hw.gpu.utilization').map((p) => p.attributes['hw.gpu.task'])).toEqual(['decoder', 'general']);
  });
});

describe('MIG layout changes', () => {
  it('lists again once when the CSV query shows MIG mode on, then stays on one spawn per collection', async () => {
    // The H100 query row says mig.mode.current = Enabled; this -L (another host's) lists no MIG
    // instance, as after `nvidia-smi -mig 1` with no instance created yet.
    const { collect, starts } = setup({
      FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-h100-mig-4instances-driver590.txt'),
      FAKE_NVIDIA_SMI_LIST: fixture('list-L-8xRTX2080Ti.txt'),
    });
    for (let i = 0; i < 4; i++) await collect();
    expect(starts().map((s) => s.args[0]!.split('=')[0])).toEqual([
      '-L',
      '--help-query-gpu',
      '--query-gpu',
      '-L', // MIG mode seen: the layout is listed again, once
      '--query-gpu',
      '--query-gpu',
      '--query-gpu',
    ]);
  });
});

describe('enable / disable', () => {
  it('runs nothing once disabled, and again after enable()', async () => {
    const { collect, plugin, starts } = setup({ FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt') });
    expect((await collect()).points('hw.power')).toHaveLength(1);
    plugin.disable();
    expect(plugin.isEnabled()).toBe(false);
    const n = starts().length;
    await collect();
    expect(starts().length).toBe(n); // the callback is gone: no run
    plugin.enable();
    expect((await collect()).points('hw.power')).toHaveLength(1);
    expect(starts().length).toBeGreaterThan(n);
  });

  it('moves to another provider with setMeterProvider', async () => {
    const { collect, plugin, env } = setup({ FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt') });
    void env;
    const other = sdkProvider();
    plugin.setMeterProvider(other.provider);
    expect((await other.collect()).points('hw.power')).toHaveLength(1);
    expect((await collect()).metric('hw.power')).toBeUndefined(); // never collected on the first
  });
});

describe('providers', () => {
  afterEach(() => {
    metrics.disable();
  });

  it('without a provider, stays on the global provider of enable() time until setMeterProvider', async () => {
    const fake = fakeEnv({ FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt') });
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    const plugin = new GpuHostMetrics({ env: fake.env, source: 'csv' });
    started.push(plugin);
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    expect((await first.collect()).points('hw.power').map((p) => p.value)).toEqual([110.23]);
    expect((await second.collect()).metric('hw.power')).toBeUndefined(); // not followed
    plugin.setMeterProvider(second.provider);
    expect((await second.collect()).points('hw.power').map((p) => p.value)).toEqual([110.23]);
  });

  it('setMeterProvider while disabled only remembers the provider for enable()', async () => {
    const { plugin, starts } = setup(
      { FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt') },
      { enabled: false },
    );
    const other = sdkProvider();
    plugin.setMeterProvider(other.provider);
    expect(plugin.isEnabled()).toBe(false);
    expect((await other.collect()).metric('hw.power')).toBeUndefined();
    expect(starts()).toEqual([]);
    plugin.enable();
    expect(plugin.isEnabled()).toBe(true);
    expect((await other.collect()).points('hw.power')).toHaveLength(1);
  });

  it('a MeterProvider that throws does not reach the application: one warning, no nvidia-smi run', () => {
    const diagLog = captureDiag();
    const fake = fakeEnv({ FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt') });
    const broken = {
      getMeter: () => {
        throw new Error('no meters today');
      },
    } as unknown as ApiMeterProvider;
    let plugin: GpuHostMetrics | undefined;
    expect(() => {
      plugin = new GpuHostMetrics({ meterProvider: broken, env: fake.env });
    }).not.toThrow();
    started.push(plugin!);
    expect(mine(diagLog.warnings)).toEqual([
      'mltel: the MeterProvider failed to create the @mltel/host-metrics-gpu instruments; nothing is recorded',
    ]);
    expect(fake.starts()).toEqual([]);
  });
});

describe('loop mode', () => {
  it('reads the latest sample of one long-running child, restarts it when it exits, kills it on disable', async () => {
    const { collect, plugin, starts } = setup(
      { FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'), FAKE_NVIDIA_SMI_LOOP_SAMPLES: '1' },
      { loopIntervalSeconds: 1 },
    );
    const c = await collect();
    expect(value(c, 'hw.power', { 'hw.id': 'GPU-00000000-0000-0000-0000-000000000000' })).toBe(110.23);
    const loops = () => starts().filter((s) => s.args.includes('-l'));
    expect(loops()).toHaveLength(1);
    expect(loops()[0]!.args.slice(-2)).toEqual(['-l', '1']);
    // The fake exits after one sample: the sampler counts it and starts another after 1 s.
    await until(() => loops().length >= 2);
    const after = await collect();
    const [failures] = after.points('ml.gpu.collection.failures');
    expect(failures?.attributes).toEqual({ 'error.type': 'exit-code' });
    expect(failures?.value).toBeGreaterThanOrEqual(1);
    plugin.disable();
    await until(() => loops().every((s) => !processExists(s.pid)));
  });
});

/** The plugin's own diag lines (not the API's logger-override notice). */
function mine(lines: string[]): string[] {
  return lines.filter((l) => l.startsWith('mltel:'));
}

async function until(test: () => boolean, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
