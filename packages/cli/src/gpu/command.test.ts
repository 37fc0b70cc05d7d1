// `mltel gpu` in-process through main(), with the fake nvidia-smi (test/fixtures/fake-nvidia-smi)
// replaying real captures, and once as a real child process (node packages/cli/dist/bin.js).
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../io.js';
import { main } from '../main.js';
import { GPU_MAX_TIMEOUT_MS } from './command.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FAKE_DIR = join(ROOT, 'test/fixtures/fake-nvidia-smi');
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const fixture = (name: string): string => join(ROOT, 'packages/nvidia-smi-parser/test/fixtures', name);
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'mltel-gpu-cli-'));

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
}

async function run(args: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env, cwd: ROOT };
  const code = await main(['gpu', ...args], io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const withFake = (vars: Record<string, string>) => ({ PATH: `${FAKE_DIR}:${process.env.PATH ?? ''}`, ...vars });

describe('mltel gpu', () => {
  it('prints one row per GPU (L40S capture)', async () => {
    const r = await run([], withFake({ FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-l40s-driver595.txt') }));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      `nvidia-smi: ${join(FAKE_DIR, 'nvidia-smi')} (--query-gpu, driver 595.80, ${/\d+\.\d\d s/.exec(lines[0]!)![0]})`,
    );
    expect(lines[2]).toMatch(/^GPU\s+UUID\s+NAME\s+MEMORY MiB \(used \/ total\)\s+UTIL\s+POWER\s+TEMP$/);
    expect(lines.slice(3).map((l) => l.split(/\s{2,}/))).toEqual([
      ['0', 'GPU-00000000-0000-0000-0000-000000000000', 'NVIDIA L40S', '1235 / 46068', '9%', '110.2 W', '54 C'],
    ]);
  });

  it('prints one row per GPU and MIG instance (A100 MIG, -q -x)', async () => {
    const r = await run(
      ['--source', 'xml'],
      withFake({ FAKE_NVIDIA_SMI_XML: fixture('xml-a100-sxm4-mig-driver535-v12.xml') }),
    );
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .slice(3)
      .map((l) => l.split(/\s{2,}/));
    expect(rows.map((c) => [c[0], c[1], c[3], c[4]])).toEqual([
      ['0', 'GPU-513536b6-7d19-9063-b049-1e69664bb298', '50 / 81920', '-'], // N/A under MIG
      ['0/0', 'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/3/0', '12 / 19968', '-'],
      ['0/1', 'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/4/0', '12 / 19968', '-'],
      ['0/2', 'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/5/0', '12 / 19968', '-'],
      ['0/3', 'MIG-GPU-513536b6-7d19-9063-b049-1e69664bb298/6/0', '12 / 19968', '-'],
    ]);
  });

  it('prints JSON with --json', async () => {
    const r = await run(
      ['--json'],
      withFake({ FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-ubuntu-rtx2080super-driver465.txt') }),
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      source: string;
      devices: Array<{ id: string; memory: { usedBytes: number } }>;
    };
    expect(json.ok).toBe(true);
    expect(json.source).toBe('csv');
    expect(json.devices.map((d) => [d.id, d.memory.usedBytes])).toEqual([
      ['GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa', 344 * 1048576],
    ]);
  });

  it('says which PATH it searched when nvidia-smi is not there (exit 3)', async () => {
    const r = await run([], { PATH: EMPTY_DIR });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`mltel gpu: no GPU metrics: nvidia-smi is not on PATH (PATH=${EMPTY_DIR}) [not-found]\n`);
  });

  it('names MLTEL_NVIDIA_SMI when it points nowhere', async () => {
    const r = await run(['--json'], { PATH: EMPTY_DIR, MLTEL_NVIDIA_SMI: '/opt/none/nvidia-smi' });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      reason: 'not-found',
      message: '/opt/none/nvidia-smi is not an executable file (from MLTEL_NVIDIA_SMI)',
      nvidiaSmi: null,
    });
  });

  it('shows the driver text when the driver is not loaded (exit 1)', async () => {
    const r = await run([], withFake({ FAKE_NVIDIA_SMI_MODE: 'exit9' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[driver-not-loaded]');
    expect(r.stderr).toContain(
      "nvidia-smi said:\n  NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    );
  });

  it('reports a timeout, and gives the exact reason for a driver/library mismatch', async () => {
    const hang = await run(['--timeout', '200'], withFake({ FAKE_NVIDIA_SMI_MODE: 'hang' }));
    expect(hang.code).toBe(1);
    expect(hang.stderr).toContain('did not finish within 200 ms and was killed [timeout]');
    const mismatch = await run(
      [],
      withFake({
        FAKE_NVIDIA_SMI_MODE: 'text',
        FAKE_NVIDIA_SMI_EXIT: '18',
        FAKE_NVIDIA_SMI_TEXT: fixture('synthetic/error-driver-mismatch.txt'),
      }),
    );
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('[driver-mismatch]');
    expect(mismatch.stderr).toContain('Failed to initialize NVML: Driver/library version mismatch');
  });

  it('takes --timeout from 1 to GPU_MAX_TIMEOUT_MS (600000) ms, digits only (exit 2 otherwise)', async () => {
    expect(GPU_MAX_TIMEOUT_MS).toBe(600_000);
    for (const timeout of ['99999999999999', '600001', '0', '-5', '1.5', '1e3', '0x10', ' 5', '']) {
      const r = await run([`--timeout=${timeout}`], {});
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `mltel gpu: --timeout must be a whole number of milliseconds from 1 to 600000, got "${timeout}"\n`,
      );
    }
    const r = await run(['--timeout', '600000'], { PATH: EMPTY_DIR });
    expect(r.code).toBe(3);
  });

  it("echoes at most 4 KiB of nvidia-smi's output, escaped; --json keeps 4 KiB and the byte count", async () => {
    const smi = join(EMPTY_DIR, 'noisy-smi');
    writeFileSync(
      smi,
      "#!/bin/sh\nprintf 'Failed to initialize NVML: \\033[31mboom\\007\\n'; head -c 100000 /dev/zero | tr '\\0' 'A'; exit 9\n",
    );
    chmodSync(smi, 0o755);
    const r = await run(['--nvidia-smi', smi], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mltel gpu: no GPU metrics: NVML failed to initialise: \\x1b\[31mboom\\x07: "Failed/);
    expect(r.stderr).toContain(`nvidia-smi said:\n  Failed to initialize NVML: \\x1b[31mboom\\x07\n  AAAA`);
    expect(r.stderr).toMatch(/A… 95\d{3} more bytes\n$/);
    expect(r.stderr.length).toBeLessThan(4096 + 600);
    const json = await run(['--nvidia-smi', smi, '--json'], {});
    const parsed = JSON.parse(json.stdout) as { output: string; outputBytes: number };
    expect(parsed.output).toHaveLength(4096);
    expect(parsed.outputBytes).toBeGreaterThan(100_000);
  });

  it('rejects bad options (exit 2)', async () => {
    expect((await run(['--timeout', 'soon'], {})).code).toBe(2);
    expect((await run(['--source', 'nvml'], {})).code).toBe(2);
    expect((await run(['--bogus'], {})).code).toBe(2);
    const help = await run(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 GPUs shown');
  });

  it('runs as a real child process: node packages/cli/dist/bin.js gpu', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'gpu', '--json'], {
      env: { ...withFake({ FAKE_NVIDIA_SMI_CAPTURE: fixture('capture-multi-rtx4080super-driver595.txt') }) },
      timeout: 30_000,
    });
    const json = JSON.parse(stdout) as {
      devices: Array<{ model: string; temperatureCelsius: number; fanSpeedRatio: number }>;
    };
    expect(json.devices.map((d) => [d.model, d.temperatureCelsius, d.fanSpeedRatio])).toEqual([
      ['NVIDIA GeForce RTX 4080 SUPER', 46, 0],
    ]);
    const failed = await promisify(execFile)(process.execPath, [BIN, 'gpu'], { env: { PATH: EMPTY_DIR } }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((failed as { code: number }).code).toBe(3);
  });
});
