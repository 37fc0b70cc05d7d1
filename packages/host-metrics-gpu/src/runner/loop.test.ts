import { afterEach, describe, expect, it } from 'vitest';
import { fakeEnv, FAKE, fixture, processExists } from '../../test/harness.js';
import type { Failure } from './failure.js';
import { LoopSampler } from './loop.js';

const FIELDS = ['index', 'uuid', 'name', 'memory.used', 'memory.total', 'power.draw', 'temperature.gpu'];
const MiB = 1048576;

const samplers: LoopSampler[] = [];
afterEach(() => {
  for (const sampler of samplers.splice(0)) sampler.stop();
});

function sampler(vars: Record<string, string>, path = FAKE) {
  const fake = fakeEnv(vars);
  const failures: Failure[] = [];
  const loop = new LoopSampler({
    path,
    fields: FIELDS,
    intervalSeconds: 1,
    env: fake.env,
    killGraceMs: 100,
    onFailure: (failure) => failures.push(failure),
  });
  samplers.push(loop);
  return { ...fake, loop, failures };
}

async function until(test: () => boolean, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('LoopSampler', () => {
  it('runs one `-l` child and keeps its latest row (L40S capture); stop() ends it', async () => {
    const { loop, starts, events, failures } = sampler({
      FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'),
    });
    const sample = await loop.nextSample(10_000);
    expect(sample).toEqual([
      expect.objectContaining({
        index: 0,
        uuid: 'GPU-00000000-0000-0000-0000-000000000000',
        name: 'NVIDIA L40S',
        memory: expect.objectContaining({ usedBytes: 1235 * MiB, totalBytes: 46068 * MiB }),
        powerDrawWatts: 110.23,
        temperatureCelsius: 54,
      }),
    ]);
    expect(loop.latest()).toEqual(sample);
    expect(starts().map((s) => s.args)).toEqual([
      [`--query-gpu=${FIELDS.join(',')}`, '--format=csv,noheader,nounits', '-l', '1'],
    ]);
    expect(loop.spawns()).toBe(1);
    loop.stop();
    await until(() => events().some((e) => e.event === 'end'));
    expect(events().find((e) => e.event === 'end')?.code).toBe(143); // the fake's SIGTERM exit
    await until(() => loop.lastExitCode() === 143);
    expect(starts().every((s) => !processExists(s.pid))).toBe(true);
    expect(failures).toEqual([]); // a stop is not a failure
    expect(loop.spawns()).toBe(1); // and is not restarted
  });

  it('counts a child that exits as a failure and restarts it after the backoff; a good sample clears it', async () => {
    const { loop, starts, failures } = sampler({
      FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt'),
      FAKE_NVIDIA_SMI_LOOP_SAMPLES: '1',
    });
    await until(() => failures.length >= 1);
    expect(failures[0]).toEqual({
      ok: false,
      reason: 'exit-code',
      message: 'the nvidia-smi loop exited (code 0)',
      exitCode: 0,
    });
    expect(loop.lastFailure()).toEqual(failures[0]);
    expect(loop.lastExitCode()).toBe(0);
    // The restart comes after 1 s; its first good sample clears the failure.
    const next = await loop.nextSample(10_000);
    expect(loop.lastFailure()).toBeUndefined();
    expect(next?.map((r) => r.powerDrawWatts)).toEqual([110.23]);
    expect(starts()).toHaveLength(2);
    expect(loop.spawns()).toBe(2);
  });

  it('reads a failure line of the child (driver not loaded) as a typed failure', async () => {
    const { loop, failures } = sampler({ FAKE_NVIDIA_SMI_MODE: 'exit9' });
    await until(() => failures.length >= 2);
    expect(failures[0]).toEqual({
      ok: false,
      reason: 'driver-not-loaded',
      message: 'nvidia-smi cannot communicate with the NVIDIA driver (driver not loaded or not installed)',
      output:
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
      exitCode: undefined,
    });
    // Then its exit: the line was already read, so the exit is counted as an exit code.
    expect(failures[1]).toEqual({
      ok: false,
      reason: 'exit-code',
      message: `${FAKE} exited with code 9`,
      output: '',
      exitCode: 9,
    });
    expect(loop.latest()).toBeUndefined();
    expect(loop.lastExitCode()).toBe(9);
  });

  it('a path that does not exist is not-found, exit code 127', async () => {
    const { loop, failures } = sampler({}, '/nonexistent/nvidia-smi');
    await until(() => failures.length >= 1);
    expect(failures[0]).toEqual({
      ok: false,
      reason: 'not-found',
      message: '/nonexistent/nvidia-smi was not found',
      exitCode: 127,
    });
    expect(loop.lastExitCode()).toBe(127);
  });

  it('nextSample() gives up after its timeout when no line comes', async () => {
    const { loop } = sampler({ FAKE_NVIDIA_SMI_MODE: 'hang' });
    const started = Date.now();
    expect(await loop.nextSample(300)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
