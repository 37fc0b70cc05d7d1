import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { FAKE, FAKE_DIR, fixture } from '../test/harness.js';
import { findExecutable } from './find.js';

describe('findExecutable', () => {
  it('looks a name up on PATH, in order, skipping empty entries and folders without it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mltel-find-'));
    expect(findExecutable('nvidia-smi', ['', empty, FAKE_DIR].join(delimiter))).toBe(FAKE);
    expect(findExecutable('nvidia-smi', [empty].join(delimiter))).toBeUndefined();
    expect(findExecutable('nvidia-smi', undefined)).toBeUndefined();
    expect(findExecutable('nvidia-smi', '')).toBeUndefined();
  });

  it('takes a command with a slash as a path: an executable file or nothing', () => {
    expect(findExecutable(FAKE, undefined)).toBe(FAKE);
    expect(findExecutable(FAKE_DIR, undefined)).toBeUndefined(); // a folder
    expect(findExecutable(fixture('list-L-8xRTX2080Ti.txt'), undefined)).toBeUndefined(); // not executable
    expect(findExecutable('/nonexistent/nvidia-smi', FAKE_DIR)).toBeUndefined(); // PATH is not searched
  });

  it('skips a non-executable file of that name and finds the next one on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mltel-find-'));
    writeFileSync(join(dir, 'nvidia-smi'), '#!/bin/sh\n');
    chmodSync(join(dir, 'nvidia-smi'), 0o644);
    expect(findExecutable('nvidia-smi', [dir, FAKE_DIR].join(delimiter))).toBe(FAKE);
    chmodSync(join(dir, 'nvidia-smi'), 0o755);
    expect(findExecutable('nvidia-smi', [dir, FAKE_DIR].join(delimiter))).toBe(join(dir, 'nvidia-smi'));
  });
});
