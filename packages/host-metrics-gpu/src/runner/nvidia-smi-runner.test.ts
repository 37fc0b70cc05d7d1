import { afterEach, describe, expect, it } from 'vitest';
import { FAKE, fakeEnv, fixture, MiB } from '../../test/harness.js';
import type { RunnerOptions } from './nvidia-smi-runner.js';
import { NvidiaSmiRunner } from './nvidia-smi-runner.js';

const L40S = 'capture-multi-l40s-driver595.txt';
const ZERO_UUID = 'GPU-00000000-0000-0000-0000-000000000000';

const runners: NvidiaSmiRunner[] = [];
afterEach(() => {
  for (const runner of runners.splice(0)) runner.close();
});

function runner(vars: Record<string, string>, options: Partial<RunnerOptions> = {}) {
  const fake = fakeEnv(vars);
  const r = new NvidiaSmiRunner({
    path: FAKE,
    timeoutMs: 10_000,
    killGraceMs: 100,
    source: 'auto',
    processes: false,
    env: fake.env,
    ...options,
  });
  runners.push(r);
  return { ...fake, runner: r };
}

describe('NvidiaSmiRunner', () => {
  it('negotiates once (-L, --help-query-gpu), then one --query-gpu per collection (L40S)', async () => {
    const { runner: r, starts } = runner({ FAKE_NVIDIA_SMI_CAPTURE: fixture(L40S) });
    const first = await r.collect();
    expect(first).toMatchObject({ ok: true, source: 'csv', exitCode: 0, run: 1 });
    expect(first.durationSeconds).toBeGreaterThan(0);
    if (!first.ok) throw new Error(first.message);
    expect(first.devices).toHaveLength(1);
    expect(first.devices[0]).toMatchObject({
      id: ZERO_UUID,
      name: 'GPU 0',
      model: 'NVIDIA L40S',
      driverVersion: '595.80',
      index: 0,
      memory: { usedBytes: 1235 * MiB, totalBytes: 46068 * MiB },
      utilization: { gpu: 0.09, encoder: 0.6, decoder: 0 },
      powerDrawWatts: 110.23,
      temperatureCelsius: 54,
      ecc: { correctedVolatile: 0 },
    });
    expect(r.spawns()).toBe(3);
    const second = await r.collect();
    expect(second).toMatchObject({ ok: true, run: 2 });
    expect(starts().map((s) => s.args[0]!.split('=')[0])).toEqual([
      '-L',
      '--help-query-gpu',
      '--query-gpu',
      '--query-gpu',
    ]);
    expect(r.spawns()).toBe(4);
    expect(r.lastExitCode()).toBe(0);
    expect([...r.failureCounts()]).toEqual([]);
  });

  it('shares the collection in flight: one child, one run number', async () => {
    const { runner: r, starts } = runner({ FAKE_NVIDIA_SMI_CAPTURE: fixture(L40S), FAKE_NVIDIA_SMI_DELAY_MS: '100' });
    const a = r.collect();
    const b = r.collect();
    expect(b).toBe(a);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.run).toBe(1);
    expect(rb).toBe(ra);
    expect(starts()).toHaveLength(3);
    expect(starts().some((s) => s.overlap)).toBe(false);
  });

  it('reads -q -x when asked for processes (Tesla T4 XML, two processes)', async () => {
    const { runner: r, starts } = runner(
      {
        FAKE_NVIDIA_SMI_XML: fixture('xml-tesla-t4-processes-driver515-v11.xml'),
        FAKE_NVIDIA_SMI_CAPTURE: fixture(L40S),
      },
      { processes: true },
    );
    const result = await r.collect();
    if (!result.ok) throw new Error(result.message);
    expect(result.source).toBe('xml');
    expect(result.devices.map((d) => [d.id, d.model, d.driverVersion])).toEqual([
      ['GPU-d37e67a5-91dd-3774-a5cb-99096249601a', 'Tesla T4', '515.105.01'],
    ]);
    expect(result.devices[0]!.processes.map((p) => [p.pid, p.name, p.usedMemoryBytes])).toEqual([
      [675, '/usr/lib/xorg/Xorg', 22 * MiB],
      [5762, 'python', 1005 * MiB],
    ]);
    // No field negotiation for -q -x.
    expect(starts().map((s) => s.args.join(' '))).toEqual(['-L', '-q -x']);
  });

  it('counts failures by reason and says where it looked for a bare name', async () => {
    const { runner: r, env } = runner({}, { path: 'no-such-nvidia-smi' });
    const first = await r.collect();
    expect(first).toMatchObject({
      ok: false,
      reason: 'not-found',
      message: `no-such-nvidia-smi was not found on PATH (${env.PATH})`,
      exitCode: 127,
      run: 1,
    });
    await r.collect();
    expect([...r.failureCounts()]).toEqual([['not-found', 2]]);
    expect(r.lastExitCode()).toBe(127);
  });

  it('a negotiation that fails (driver not loaded) is retried at the next collection', async () => {
    const { runner: r, starts } = runner({ FAKE_NVIDIA_SMI_MODE: 'exit9' });
    expect(await r.collect()).toMatchObject({ ok: false, reason: 'driver-not-loaded', exitCode: 9 });
    expect(await r.collect()).toMatchObject({ ok: false, reason: 'driver-not-loaded', run: 2 });
    expect(starts().map((s) => s.args[0])).toEqual(['-L', '-L']);
    expect([...r.failureCounts()]).toEqual([['driver-not-loaded', 2]]);
  });

  it('loop mode: one -l child, samples without a run per collection; closed, it stops', async () => {
    const { runner: r, starts } = runner({ FAKE_NVIDIA_SMI_CAPTURE: fixture(L40S) }, { loopIntervalSeconds: 1 });
    const result = await r.collect();
    expect(result).toMatchObject({ ok: true, source: 'loop', durationSeconds: 0 });
    if (!result.ok) throw new Error(result.message);
    expect(result.devices[0]).toMatchObject({ id: ZERO_UUID, powerDrawWatts: 110.23 });
    expect(await r.collect()).toMatchObject({ ok: true, source: 'loop', run: 2 });
    expect(starts().filter((s) => s.args.includes('-l'))).toHaveLength(1);
    r.close();
    expect(await r.collect()).toEqual({
      ok: false,
      reason: 'exit-code',
      message: 'the GPU plugin is disabled',
      exitCode: undefined,
      durationSeconds: expect.any(Number),
      run: 3,
    });
  });
});
