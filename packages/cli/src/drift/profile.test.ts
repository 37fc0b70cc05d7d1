// `mltel drift profile`, in-process through main() and profileCommand(), on files in a temp directory.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProfile } from '@mltel/quality';
import { category, driftFiles, profile } from '../../test/drift-files.js';
import { memoryIo } from '../../test/memory-io.js';
import { main } from '../main.js';
import { PROFILE_USAGE, profileCommand } from './profile.js';

const { dir, remove } = driftFiles();
afterAll(remove);
const io = (tty = false) => memoryIo(dir, { tty });

describe('mltel drift profile', () => {
  it('infers column types, writes a valid profile, and prints nothing to stderr off a terminal', async () => {
    const { code, stdout, stderr } = await profile(dir);
    expect(code).toBe(0);
    expect(stdout()).toContain('profiled 5000 rows: numeric [x], categorical [c], confidence conf, prediction label');
    expect(stderr()).toBe('');
    const parsed = parseProfile(readFileSync(join(dir, 'profile.json'), 'utf8'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const x = parsed.profile.features.find((f) => f.name === 'x')!;
    expect(x.type === 'numeric' && x.counts.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(x.type === 'numeric' && x.edges).toHaveLength(11);
    const c = parsed.profile.features.find((f) => f.name === 'c')!;
    expect(c.type === 'categorical' && c.categories).toEqual(category.categories);
    expect(parsed.profile.prediction?.categories.sort()).toEqual(['cat', 'dog']);
  });

  it('draws a progress bar on a terminal', async () => {
    const run = io(true);
    const code = await main(['drift', 'profile', 'ref.csv', '--out', 'tty.json', '--numeric', 'x'], run.io);
    expect(code).toBe(0);
    expect(run.stderr()).toContain('profiling [');
  });

  it.each([
    [['drift', 'profile', 'ref.csv'], 'needs one data file and --out'],
    [['drift', 'profile', 'ref.csv', '--out', 'p.json', '--bins', '0'], '--bins and --max-categories must be integers'],
    [['drift', 'profile', 'ref.csv', '--out', 'p.json', '--nope'], "Unknown option '--nope'"],
  ])('%j exits 2 with a message', async (argv, message) => {
    const run = io();
    expect(await main(argv, run.io)).toBe(2);
    expect(run.stderr()).toContain(message);
  });

  it.each([
    [['missing.csv', '--out', 'p.json'], 'cannot read <dir>/missing.csv: ENOENT: no such file or directory'],
    [
      ['ref.csv', '--out', 'no/such/p.json'],
      'cannot write <dir>/no/such/p.json: the folder <dir>/no/such does not exist',
    ],
    [['ref.csv', '--out', '.'], 'cannot write <dir>: it is a directory'],
    [
      ['ref.csv', '--out', 'p.json', '--numeric', 'x,nope'],
      'cannot read <dir>/ref.csv: no column "nope" (--numeric); its columns: "x", "c", "conf", "label", "id"',
    ],
    [
      ['ref.csv', '--out', 'p.json', '--numeric', 'x', '--categorical', 'x'],
      'cannot profile <dir>/ref.csv: ProfileBuilder: the column "x" is given twice (numeric and categorical)',
    ],
  ])('%j exits 3 naming the file and the reason', async (argv, message) => {
    const run = io();
    expect(await main(['drift', 'profile', ...argv], run.io)).toBe(3);
    expect(run.stderr()).toBe(`mltel drift profile: ${message.replaceAll('<dir>', dir)}\n`);
    expect(run.stdout()).toBe('');
  });
});

describe('profileCommand', () => {
  it('profiles only the named columns, with the given bins and categories, from JSON lines', async () => {
    const run = io();
    const code = await profileCommand(
      [
        'shifted.jsonl',
        '--out',
        'named.json',
        '--numeric',
        'x, conf',
        '--categorical',
        'c',
        '--bins',
        '4',
        '--max-categories',
        '2',
      ],
      run.io,
    );
    expect(code).toBe(0);
    expect(run.stdout()).toBe(
      `profiled 3000 rows (2 lines skipped: not JSON objects): numeric [x, conf], categorical [c]\nwrote ${join(dir, 'named.json')}\n`,
    );
    const written = JSON.parse(readFileSync(join(dir, 'named.json'), 'utf8')) as {
      features: { name: string; edges?: number[]; categories?: string[]; counts: number[] }[];
    };
    expect(written.features.map((f) => f.name)).toEqual(['x', 'conf', 'c']);
    expect(written.features[0]!.edges).toHaveLength(5);
    expect(written.features[2]!.categories).toHaveLength(2);
    expect(written.features[2]!.counts.reduce((a, b) => a + b, 0)).toBe(3000);
  });

  it('refuses an unknown --format, and a file with no rows in the format given', async () => {
    const run = io();
    expect(await profileCommand(['ref.csv', '--out', 'x.json', '--format', 'xml'], run.io)).toBe(2);
    expect(run.stderr()).toBe('mltel drift profile: --format must be csv or jsonl, got "xml"\n');
    // Every CSV line fails JSON.parse or is not an object: nothing to profile.
    await expect(profileCommand(['ref.csv', '--out', 'x.json', '--format', 'jsonl'], io().io)).rejects.toThrow(
      `cannot read ${join(dir, 'ref.csv')}: no rows: the file has no JSON object line (5001 lines are not JSON objects)`,
    );
  });

  it('prints its usage with --help', async () => {
    const run = io();
    expect(await profileCommand(['--help'], run.io)).toBe(0);
    expect(run.stdout()).toBe(PROFILE_USAGE);
  });

  it('stops inferring new columns past what a profile may hold (10 000), and says so', async () => {
    const keys = (i: number) =>
      JSON.stringify(Object.fromEntries(Array.from({ length: 2000 }, (_, j) => [`k${i}_${j}`, j])));
    writeFileSync(join(dir, 'wide.jsonl'), `${Array.from({ length: 6 }, (_, i) => keys(i)).join('\n')}\n`);
    await expect(profileCommand(['wide.jsonl', '--out', 'w.json'], io().io)).rejects.toThrow(
      `cannot profile ${join(dir, 'wide.jsonl')}: ProfileBuilder: 10001 features, more than a profile may have (10000)`,
    );
  });
});
