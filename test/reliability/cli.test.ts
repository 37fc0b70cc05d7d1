// Issue 13, finding 12: the `mltel` command (the built packages/cli/dist/bin.js as a real child
// process) on hostile input. Exit codes are the documented ones (drift: 0 ok, 1 drift at
// --fail-on, 2 usage, 3 input/output error naming the file; gpu: 0 shown, 1 failed, 2 bad options,
// 3 not found), every problem names the file and the reason, nothing hangs (FIFOs, /dev/zero), and
// what is echoed is bounded and printable. Every child is waited for with a timeout and killed
// after it.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/dist/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'mltel-cli-reliability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Bytes written to stderr (all of them, even past what is kept in `stderr`). */
  stderrBytes: number;
  timedOut: boolean;
}

const KEEP = 1 << 20;

/** Runs `mltel …args` in `dir`; killed (SIGKILL) after `timeoutMs`. */
function mltel(args: string[], timeoutMs = 20_000, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdoutBytes < KEEP) stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes < KEEP) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
      resolve({ code, signal, stdout: text(stdout), stderr: text(stderr), stderrBytes, timedOut });
    });
  });
}

const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** A FIFO nobody writes to: opening it for reading blocks for ever. */
function fifo(name: string): string {
  const path = join(dir, name);
  const made = spawnSync('mkfifo', [path], { timeout: 5000 });
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  return path;
}

const okCsv = file('ok.csv', 'a,b,c\n1,2,red\n3,4,green\n5,6,blue\n');
// ok.json: the profile of ok.csv, for the compare runs.
beforeAll(async () => {
  expect((await mltel(['drift', 'profile', okCsv, '--out', 'ok.json'])).code).toBe(0);
});

/** Exit 3, one message on stderr naming `path`, no stack trace. */
function inputError(r: Ran, path: string, reason: RegExp): void {
  expect(r.timedOut).toBe(false);
  expect(r.stderr).toContain(path);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).not.toMatch(/\n\s+at |node:internal|Unhandled/);
  expect(r.code).toBe(3);
}

describe('mltel drift: unreadable input is an input error (exit 3) naming the file', () => {
  it('an unterminated quote', async () => {
    const path = file('quote.csv', 'a,b\n1,"x\n2,y\n');
    inputError(await mltel(['drift', 'profile', path, '--out', 'p.json']), path, /quote/i);
  });

  it('binary input (CSV and JSON lines)', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    for (const name of ['binary.csv', 'binary.jsonl']) {
      const path = file(name, bytes);
      inputError(await mltel(['drift', 'profile', path, '--out', 'p.json']), path, /binary/);
      inputError(await mltel(['drift', 'compare', 'ok.json', path]), path, /binary/);
    }
  });

  it('a directory as the data file', async () => {
    const path = join(dir, 'adir.csv');
    mkdirSync(path, { recursive: true });
    inputError(await mltel(['drift', 'profile', path, '--out', 'p.json']), path, /not a regular file/);
  });

  it('an unwritable --out, before reading the data', async () => {
    const missing = join(dir, 'no/such/dir/p.json');
    inputError(await mltel(['drift', 'profile', okCsv, '--out', missing]), missing, /cannot write/);
    const asDir = join(dir, 'outdir');
    mkdirSync(asDir, { recursive: true });
    inputError(await mltel(['drift', 'profile', okCsv, '--out', asDir]), asDir, /cannot write/);
  });

  it('a data file that is not there, for profile and compare', async () => {
    const missing = join(dir, 'missing.csv');
    inputError(await mltel(['drift', 'profile', missing, '--out', 'p.json']), missing, /ENOENT|no such file/);
    inputError(await mltel(['drift', 'compare', 'ok.json', missing]), missing, /ENOENT|no such file/);
  });

  it('an invalid profile for compare', async () => {
    const bad = file('bad.json', '{"format":"nope"}');
    inputError(await mltel(['drift', 'compare', bad, okCsv]), bad, /format/);
  });

  it('keeps 0, 1 and 2 for what they mean', async () => {
    expect((await mltel(['drift', 'profile', okCsv, '--out', 'same.json'])).code).toBe(0);
    expect((await mltel(['drift', 'compare', 'same.json', okCsv, '--fail-on', 'warning'])).code).toBe(0);
    const shifted = file(
      'shifted.csv',
      `a,b,c\n${Array.from({ length: 50 }, (_, i) => `${100 + i},2,red`).join('\n')}\n`,
    );
    expect((await mltel(['drift', 'compare', 'same.json', shifted, '--fail-on', 'critical'])).code).toBe(1);
    expect((await mltel(['drift', 'compare', 'same.json'])).code).toBe(2);
    expect((await mltel(['drift', 'profile', okCsv, '--out', 'x.json', '--bins', '0'])).code).toBe(2);
  });
});

describe('mltel drift: nothing to profile fails clearly (exit 3)', () => {
  it('empty and header-only input', async () => {
    for (const [name, content] of [
      ['empty.csv', ''],
      ['header.csv', 'a,b\n'],
      ['empty.jsonl', '\n\n'],
      ['garbage.jsonl', 'not json\n[1]\n'],
    ] as const) {
      const path = file(name, content);
      inputError(await mltel(['drift', 'profile', path, '--out', 'e.json']), path, /no rows/);
      inputError(await mltel(['drift', 'compare', 'ok.json', path]), path, /no rows/);
    }
  });

  it('a --numeric, --categorical, --prediction or --confidence column the file does not have', async () => {
    for (const option of ['--numeric', '--categorical', '--prediction', '--confidence']) {
      const r = await mltel(['drift', 'profile', okCsv, '--out', 'u.json', option, 'zz']);
      inputError(r, okCsv, /column "zz"/);
    }
  });
});

describe('mltel drift: profile and compare agree', () => {
  it('categories longer than 128 characters: the profile compare reads, counted as "other"', async () => {
    const long = (i: number) => `${'x'.repeat(200)}${i % 3}`;
    const path = file(
      'long.csv',
      `c,n\n${Array.from({ length: 60 }, (_, i) => `${long(i)},${i}`).join('\n')}\nshort,1\n`,
    );
    const profiled = await mltel(['drift', 'profile', path, '--out', 'long.json', '--categorical', 'c']);
    expect(profiled.code).toBe(0);
    const compared = await mltel(['drift', 'compare', 'long.json', path, '--json']);
    expect(compared.stderr).toBe('');
    expect(compared.code).toBe(0);
    const c = (JSON.parse(compared.stdout) as { features: { feature: string; scores: { psi: number } }[] })
      .features[0]!;
    expect(c.feature).toBe('c');
    expect(c.scores.psi).toBe(0);
  });

  it('numbers are decimal or exponent forms only: 0x10 is not 16', async () => {
    const path = file('hex.csv', 'h,d\n0x10,1e3\n0x10,-2.5\n0b1,.5\n');
    const profiled = await mltel(['drift', 'profile', path, '--out', 'hex.json']);
    expect(profiled.code).toBe(0);
    expect(profiled.stdout).toContain('numeric [d], categorical [h]');
    // Asked for as numeric, the hex values are invalid, not 16.
    expect((await mltel(['drift', 'profile', path, '--out', 'hex.json', '--numeric', 'h'])).code).toBe(0);
    const written = JSON.parse(readFileSync(join(dir, 'hex.json'), 'utf8')) as {
      features: { name: string; count: number; invalid: number }[];
    };
    expect(written.features[0]).toMatchObject({ name: 'h', count: 0, invalid: 3 });
  });
});

describe('mltel drift: file reads are bounded and never hang', () => {
  it('a FIFO or /dev/zero as the profile', async () => {
    inputError(
      await mltel(['drift', 'compare', fifo('profile.fifo'), okCsv], 10_000),
      join(dir, 'profile.fifo'),
      /not a regular file/,
    );
    inputError(await mltel(['drift', 'compare', '/dev/zero', okCsv], 10_000), '/dev/zero', /not a regular file/);
  });

  it('a profile over 64 MiB', async () => {
    const path = join(dir, 'huge.json');
    const fd = openSync(path, 'w');
    closeSync(fd);
    spawnSync('truncate', ['-s', `${65 * 1024 * 1024}`, path], { timeout: 5000 });
    inputError(await mltel(['drift', 'compare', path, okCsv], 10_000), path, /64 MiB/);
  });

  it('a FIFO as the data file of profile, /dev/zero as the data file of compare', async () => {
    const path = fifo('data.fifo');
    inputError(await mltel(['drift', 'profile', path, '--out', 'f.json'], 10_000), path, /not a regular file/);
    inputError(
      await mltel(['drift', 'compare', 'ok.json', '/dev/zero', '--format', 'csv'], 10_000),
      '/dev/zero',
      /binary/,
    );
  });

  it('a JSON line or CSV record over 8 MiB', async () => {
    const line = Buffer.alloc(9 * 1024 * 1024, 'a');
    const jsonl = file('long-line.jsonl', line);
    inputError(await mltel(['drift', 'profile', jsonl, '--out', 'l.json']), jsonl, /8 MiB/);
    const csv = file('long-record.csv', Buffer.concat([Buffer.from('a\n'), line]));
    inputError(await mltel(['drift', 'profile', csv, '--out', 'l.json']), csv, /8 MiB/);
  });
});

describe('mltel gpu: bounded options and output', () => {
  const fake = (name: string, script: string): string => {
    const path = file(name, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it('--timeout outside 1..600000 ms is a usage error, with no timer overflow', async () => {
    const smi = fake('slow-smi', 'sleep 1; echo "No devices were found"; exit 6');
    for (const timeout of ['99999999999999', '600001', '0', '-5', '1.5', '1e3', 'abc']) {
      const r = await mltel(['gpu', '--nvidia-smi', smi, `--timeout=${timeout}`]);
      expect(r.stderr).not.toContain('TimeoutOverflowWarning');
      expect(r.stderr).toMatch(/--timeout must be a whole number of milliseconds from 1 to 600000/);
      expect(r.code).toBe(2);
    }
    const r = await mltel(['gpu', '--nvidia-smi', smi, '--timeout', '600000']);
    expect(r.stderr).toContain('No devices were found');
    expect(r.code).toBe(1);
  });

  it("echoes at most 4 KiB of nvidia-smi's output, control characters escaped", async () => {
    const smi = fake(
      'big-smi',
      "printf 'Failed to initialize NVML: \\033[31mboom\\033]0;title\\007\\n'; head -c 33000000 /dev/zero | tr '\\0' 'A'; exit 9",
    );
    const r = await mltel(['gpu', '--nvidia-smi', smi], 60_000);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderrBytes).toBeLessThan(8192);
    expect(r.stderr).toMatch(/… 3\d{7} more bytes/);
    expect(r.stderr).toContain('\\x1b[31mboom');
    const control = [...r.stderr].filter((c) => (c < ' ' && c !== '\n' && c !== '\t') || c === '\x7f');
    expect(control).toEqual([]);
  });
});
