import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { NvidiaSmiError } from '@mltel/nvidia-smi-parser';
import { fixture } from '../../test/harness.js';
import { failureOf, parseFailure } from './failure.js';
import type { ProcessOutcome } from './spawn.js';

const synthetic = (name: string): string => readFileSync(fixture(`synthetic/${name}`), 'utf8');

function outcome(fields: Partial<ProcessOutcome>): ProcessOutcome {
  return { stdout: '', stderr: '', exitCode: 0, timedOut: false, pid: 4242, ...fields };
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`spawn ${code}`), { code });
}

describe('failureOf', () => {
  it('a run that could not start: not-found (ENOENT) or spawn-error, exit code 127', () => {
    expect(failureOf(outcome({ spawnError: errno('ENOENT'), exitCode: undefined }), '/opt/nvidia-smi', 1000)).toEqual({
      ok: false,
      reason: 'not-found',
      message: '/opt/nvidia-smi was not found',
      exitCode: 127,
    });
    expect(failureOf(outcome({ spawnError: errno('EACCES'), exitCode: undefined }), '/opt/nvidia-smi', 1000)).toEqual({
      ok: false,
      reason: 'spawn-error',
      message: '/opt/nvidia-smi cannot be run (EACCES)',
      exitCode: 127,
    });
  });

  it('a killed run is a timeout with its signal exit code, whatever it printed', () => {
    expect(failureOf(outcome({ timedOut: true, exitCode: 137, stdout: 'GPU 0: half' }), 'nvidia-smi', 3000)).toEqual({
      ok: false,
      reason: 'timeout',
      message: 'nvidia-smi did not finish within 3000 ms and was killed',
      exitCode: 137,
    });
  });

  it.each([
    [
      'error-driver-not-loaded.txt',
      9,
      'driver-not-loaded',
      'nvidia-smi cannot communicate with the NVIDIA driver (driver not loaded or not installed)',
    ],
    [
      'error-driver-mismatch.txt',
      18,
      'driver-mismatch',
      'NVML driver/library version mismatch (driver upgraded without reloading the kernel module; reboot)',
    ],
    ['error-no-devices.txt', 6, 'no-devices', 'nvidia-smi found no NVIDIA GPU'],
    ['error-gpu-lost.txt', 15, 'gpu-lost', 'GPU 0000:CB:00.0 is unreachable: Unknown Error'],
    [
      'error-invalid-field.txt',
      2,
      'invalid-field',
      'nvidia-smi does not know the query field "clocks_event_reasons.active"',
    ],
  ])('%s (exit %i) is %s, with the original text', (name, exitCode, reason, known) => {
    const text = synthetic(name);
    expect(failureOf(outcome({ stdout: text, exitCode }), 'nvidia-smi', 1000)).toEqual({
      ok: false,
      reason,
      message: `${known}: "${text.trim()}"`,
      output: text,
      exitCode,
    });
  });

  it('finds a failure line among good rows even with exit 0 (a GPU lost mid-output)', () => {
    const text = synthetic('csv-nounits-gpu-lost-mid-output.csv');
    const failure = failureOf(outcome({ stdout: text }), 'nvidia-smi', 1000);
    expect(failure?.reason).toBe('gpu-lost');
    expect(failure?.message).toMatch(/^GPU 0000:CB:00.0 is unreachable: Unknown Error: "name, uuid, fan.speed/);
  });

  it('a non-zero exit with unknown text is exit-code: the first three lines, at most 300 characters', () => {
    const text = 'first\n\n  second  \nthird\nfourth\n';
    expect(failureOf(outcome({ stdout: text, exitCode: 3 }), 'nvidia-smi', 1000)).toEqual({
      ok: false,
      reason: 'exit-code',
      // Blank lines are skipped; the others are kept as printed.
      message: 'nvidia-smi exited with code 3: "first /   second   / third"',
      output: text,
      exitCode: 3,
    });
    const long = 'x'.repeat(400);
    expect(failureOf(outcome({ stderr: long, exitCode: 1 }), 'nvidia-smi', 1000)?.message).toBe(
      `nvidia-smi exited with code 1: "${'x'.repeat(300)}…"`,
    );
    expect(failureOf(outcome({ exitCode: 4 }), 'nvidia-smi', 1000)?.message).toBe('nvidia-smi exited with code 4');
  });

  it('exit 0 with no failure text is no failure', () => {
    expect(failureOf(outcome({ stdout: 'GPU 0: Tesla T4 (UUID: GPU-1)\n' }), 'nvidia-smi', 1000)).toBeUndefined();
  });
});

describe('parseFailure', () => {
  it("keeps the parser's typed reason and names what was read", () => {
    const error = new NvidiaSmiError('no-devices', 'nvidia-smi found no NVIDIA GPU', 'No devices were found');
    expect(parseFailure(error, 'No devices were found\n', 6, '-q -x')).toEqual({
      ok: false,
      reason: 'no-devices',
      message: 'nvidia-smi -q -x output could not be read (nvidia-smi found no NVIDIA GPU): "No devices were found"',
      output: 'No devices were found\n',
      exitCode: 6,
    });
  });

  it('anything else is malformed', () => {
    expect(parseFailure(new TypeError('boom'), '', undefined, 'unexpected')).toEqual({
      ok: false,
      reason: 'malformed',
      message: 'nvidia-smi unexpected output could not be read (boom): ""',
      output: '',
      exitCode: undefined,
    });
    expect(parseFailure('text', '<x/>', 0, '--query-gpu').message).toBe(
      'nvidia-smi --query-gpu output could not be read (text): "<x/>"',
    );
    expect(parseFailure({ reason: 'timeout' }, '', 0, '-L').reason).toBe('malformed');
  });
});
