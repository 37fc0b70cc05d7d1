import { afterAll, describe, expect, it } from 'vitest';
import { driftFiles } from '../../test/drift-files.js';
import { memoryIo } from '../../test/memory-io.js';
import { drift } from './command.js';
import { COMPARE_USAGE } from './compare.js';

const { dir, remove } = driftFiles();
afterAll(remove);

describe('drift', () => {
  it('prints its usage with --help (exit 0), and to stderr without a subcommand (exit 2)', async () => {
    let run = memoryIo(dir);
    expect(await drift(['--help'], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^Usage: mltel drift <profile\|compare> \[options\]\n/);
    run = memoryIo(dir);
    expect(await drift([], run.io)).toBe(2);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toMatch(/^Usage: mltel drift <profile\|compare>/);
  });

  it('refuses an unknown subcommand (exit 2)', async () => {
    const run = memoryIo(dir);
    expect(await drift(['bogus'], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/^mltel drift: unknown subcommand "bogus"\n\nUsage: mltel drift/);
  });

  it("turns a subcommand's unknown option into its usage (exit 2)", async () => {
    const run = memoryIo(dir);
    expect(await drift(['compare', 'a.json', 'b.csv', '--nope'], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/^mltel drift compare: Unknown option '--nope'/);
    expect(run.stderr().endsWith(`\n\n${COMPARE_USAGE}`)).toBe(true);
  });

  it('turns a file it cannot use into exit 3, naming the file', async () => {
    const run = memoryIo(dir);
    expect(await drift(['profile', 'ref.csv', '--out', 'no/such/dir/p.json', '--numeric', 'x'], run.io)).toBe(3);
    expect(run.stderr()).toBe(
      `mltel drift profile: cannot write ${dir}/no/such/dir/p.json: the folder ${dir}/no/such/dir does not exist\n`,
    );
  });

  it('lets other errors through, for main() to report', async () => {
    const run = memoryIo(dir);
    run.io.stdout.write = () => {
      throw new Error('stdout is gone');
    };
    await expect(drift(['--help'], run.io)).rejects.toThrow('stdout is gone');
  });
});
