import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FAKE, fakeEnv, fixture, processExists } from '../../test/harness.js';
import { runProcess } from './spawn.js';

const OPTIONS = { timeoutMs: 10_000, killGraceMs: 100 };

describe('runProcess', () => {
  it('returns the whole stdout and the exit code once the child has exited', async () => {
    const list = fixture('list-L-8xRTX2080Ti.txt');
    const { env } = fakeEnv({ FAKE_NVIDIA_SMI_LIST: list });
    const outcome = await runProcess(FAKE, ['-L'], { ...OPTIONS, env });
    expect(outcome).toEqual({
      stdout: `${readFileSync(list, 'utf8').trimEnd()}\n`,
      stderr: '',
      exitCode: 0,
      timedOut: false,
      pid: expect.any(Number),
    });
    expect(processExists(outcome.pid!)).toBe(false);
  });

  it('keeps a failure printed on stdout with its exit code (driver not loaded, exit 9)', async () => {
    const { env } = fakeEnv({ FAKE_NVIDIA_SMI_MODE: 'exit9' });
    const outcome = await runProcess(FAKE, ['-L'], { ...OPTIONS, env });
    expect(outcome.exitCode).toBe(9);
    expect(outcome.stdout).toBe(
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
    );
    expect(outcome.timedOut).toBe(false);
  });

  it('a child that cannot start: spawnError ENOENT or EACCES, no exit code, no pid', async () => {
    const { env } = fakeEnv();
    const missing = await runProcess('/nonexistent/nvidia-smi', ['-L'], { ...OPTIONS, env });
    expect(missing).toMatchObject({ stdout: '', exitCode: undefined, timedOut: false, pid: undefined });
    expect(missing.spawnError?.code).toBe('ENOENT');
    const notExecutable = await runProcess(fixture('list-L-8xRTX2080Ti.txt'), [], { ...OPTIONS, env });
    expect(notExecutable.spawnError?.code).toBe('EACCES');
    expect(notExecutable.exitCode).toBeUndefined();
  });

  // A 3 s timeout leaves the fake time to start and install its SIGTERM handler on a loaded machine.
  it('kills a child that ignores SIGTERM with SIGKILL after the grace, reaps it: exit 128 + 9', async () => {
    const fake = fakeEnv({ FAKE_NVIDIA_SMI_MODE: 'hang' });
    const started = Date.now();
    const outcome = await runProcess(FAKE, ['-q', '-x'], { timeoutMs: 3000, killGraceMs: 100, env: fake.env });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(outcome).toMatchObject({ timedOut: true, exitCode: 137, stdout: '' });
    expect(fake.starts().map((s) => s.pid)).toEqual([outcome.pid]);
    expect(processExists(outcome.pid!)).toBe(false);
  }, 30_000);

  it('caps the captured stdout: chunks past maxOutputBytes are dropped, the run still completes', async () => {
    const xml = fixture('xml-2xA5000-processes-driver590-v13.xml');
    const full = readFileSync(xml, 'utf8');
    const { env } = fakeEnv({ FAKE_NVIDIA_SMI_XML: xml });
    const whole = await runProcess(FAKE, ['-q', '-x'], { ...OPTIONS, env });
    expect(whole.stdout).toBe(full);
    const capped = await runProcess(FAKE, ['-q', '-x'], { ...OPTIONS, env, maxOutputBytes: 1 });
    expect(capped.exitCode).toBe(0);
    expect(capped.stdout.length).toBeGreaterThan(0);
    expect(capped.stdout.length).toBeLessThan(full.length);
    expect(full.startsWith(capped.stdout)).toBe(true);
  });
});
