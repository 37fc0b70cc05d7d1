import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSmallFile } from './file.js';

const dir = mkdtempSync(join(tmpdir(), 'mltel-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readSmallFile', () => {
  it('reads a small regular file', () => {
    writeFileSync(join(dir, 'ok'), 'hello');
    expect(readSmallFile(join(dir, 'ok'), 100)).toEqual({ data: Buffer.from('hello') });
  });

  it('refuses a FIFO without blocking, /dev/zero, a directory, an oversized or missing file', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(dir, 'big'), Buffer.alloc(101));
    expect(readSmallFile(fifo, 100)).toEqual({ why: 'not a regular file: a FIFO' });
    expect(readSmallFile('/dev/zero', 100)).toEqual({ why: 'not a regular file: a character device' });
    expect(readSmallFile(dir, 100)).toEqual({ why: 'not a regular file: a directory' });
    expect(readSmallFile(join(dir, 'big'), 100)).toEqual({ why: 'larger than 100 bytes: 101 bytes' });
    expect(readSmallFile(join(dir, 'missing'), 100)).toEqual({ why: 'ENOENT' });
  });

  it('writes a limit of whole mebibytes as MiB', () => {
    writeFileSync(join(dir, 'two-mib'), Buffer.alloc(2 * 1024 * 1024));
    expect(readSmallFile(join(dir, 'two-mib'), 1024 * 1024)).toEqual({ why: 'larger than 1 MiB: 2097152 bytes' });
  });
});
