import { afterAll, describe, expect, it } from 'vitest';
import { MLTEL_VERSION } from '@mltel/kit';
import { driftFiles } from '../test/drift-files.js';
import { memoryIo } from '../test/memory-io.js';
import { INTERNAL_ERROR_EXIT, main, usage } from './main.js';

const { dir, remove } = driftFiles();
afterAll(remove);

describe('usage', () => {
  it('lists every command with its summary', () => {
    const text = usage();
    expect(text).toMatch(/^Usage: mltel <command> \[options\]\n\nCommands:\n/);
    expect(text).toContain(
      '  drift    build a reference profile from a CSV/JSON-lines file, or score a file against one\n',
    );
    expect(text).toContain('  gpu      show what the GPU plugin sees on this host');
    expect(
      text.endsWith(
        'Run `mltel <command> --help` for the options and exit codes of a command.\n' +
          'Exit 2 is a usage error for every command; 70 an internal error (please report it).\n',
      ),
    ).toBe(true);
  });
});

describe('main', () => {
  it('prints the usage: exit 2 without a command, 0 when asked', async () => {
    for (const [argv, code] of [
      [[], 2],
      [['--help'], 0],
      [['-h'], 0],
      [['help'], 0],
    ] as const) {
      const run = memoryIo(dir);
      expect(await main([...argv], run.io)).toBe(code);
      expect(run.stdout()).toBe(usage());
      expect(run.stderr()).toBe('');
    }
  });

  it('prints MLTEL_VERSION with --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const run = memoryIo(dir);
      expect(await main([flag], run.io)).toBe(0);
      expect(run.stdout()).toBe(`${MLTEL_VERSION}\n`);
    }
    expect(MLTEL_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses an unknown command with the usage (exit 2)', async () => {
    const run = memoryIo(dir);
    expect(await main(['nope'], run.io)).toBe(2);
    expect(run.stderr()).toBe(`mltel: unknown command "nope"\n\n${usage()}`);
  });

  it('runs the command with the remaining arguments', async () => {
    const run = memoryIo(dir);
    expect(await main(['drift', '--help'], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^Usage: mltel drift/);
  });

  it("turns a command's unexpected error into one printable line and exit 70, never 1 (drift found)", async () => {
    const run = memoryIo(dir);
    run.io.stdout.write = () => {
      throw new Error('stdout \u001b[31mis gone');
    };
    expect(await main(['drift', '--help'], run.io)).toBe(INTERNAL_ERROR_EXIT);
    expect(INTERNAL_ERROR_EXIT).toBe(70);
    expect(run.stderr()).toBe('mltel drift: internal error: stdout \\x1b[31mis gone\n');
  });
});
