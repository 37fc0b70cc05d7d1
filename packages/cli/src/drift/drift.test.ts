// `mltel drift` run in-process through main(), on files written to a temp directory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProfile } from '@mltel/quality';
import { CATEGORICAL, NUMERIC } from '../../../quality/test/datasets.js';
import type { CliIo } from '../io.js';
import { main } from '../main.js';

const dir = mkdtempSync(join(tmpdir(), 'mltel-drift-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          into.push(String(chunk));
          done();
        },
      }),
      { isTTY: tty, columns: 100 },
    );
  const value: CliIo = { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env: {}, cwd: dir };
  return { io: value, stdout: () => out.join(''), stderr: () => err.join('') };
}

const shift = NUMERIC.find((d) => d.name === 'normal_mean_shift')!;
const still = NUMERIC.find((d) => d.name === 'normal_no_shift')!;
const category = CATEGORICAL[0]!;

// Reference CSV: x, a category c, confidence, predicted label, an id column to ignore.
writeFileSync(
  join(dir, 'ref.csv'),
  'x,c,conf,label,id\n' +
    shift.reference
      .map((x, i) => `${x},${category.reference[i]},${0.5 + (i % 50) / 100},${i % 2 ? 'cat' : 'dog'},${i}`)
      .join('\n') +
    '\n',
);
const jsonl = (values: number[], categories: string[]) =>
  `${values
    .map((x, i) =>
      JSON.stringify({
        x,
        c: categories[i % categories.length],
        conf: 0.5 + (i % 50) / 100,
        label: i % 2 ? 'cat' : 'dog',
      }),
    )
    .join('\n')}\n`;
writeFileSync(join(dir, 'shifted.jsonl'), `${jsonl(shift.current, category.current)}not json\n[1,2]\n`);
writeFileSync(join(dir, 'same.jsonl'), jsonl(still.current, category.reference));

async function profile() {
  const run = io();
  const code = await main(
    [
      'drift',
      'profile',
      'ref.csv',
      '--out',
      'profile.json',
      '--prediction',
      'label',
      '--confidence',
      'conf',
      '--ignore',
      'id',
    ],
    run.io,
  );
  return { code, ...run };
}

describe('mltel drift profile', () => {
  it('infers column types, writes a valid profile, and prints nothing to stderr off a terminal', async () => {
    const { code, stdout, stderr } = await profile();
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
    [['drift', 'profile', 'missing.csv', '--out', 'p.json'], 'cannot read'],
    [['drift', 'profile', 'ref.csv', '--out', 'p.json', '--nope'], "Unknown option '--nope'"],
    [['drift', 'bogus'], 'unknown subcommand "bogus"'],
  ])('%j exits 2 with a message', async (argv, message) => {
    const run = io();
    expect(await main(argv, run.io)).toBe(2);
    expect(run.stderr()).toContain(message);
  });
});

describe('mltel drift compare', () => {
  it('prints a table with critical marks and exits 1 with --fail-on critical', async () => {
    await profile();
    const run = io();
    const code = await main(['drift', 'compare', 'profile.json', 'shifted.jsonl', '--fail-on', 'critical'], run.io);
    expect(code).toBe(1);
    const lines = run.stdout().split('\n');
    expect(lines[0]).toMatch(/^feature\s+kind\s+n\s+missing\s+invalid\s+psi\s+js\s+hellinger\s+ks\s+wasserstein$/);
    expect(lines.find((l) => l.startsWith('x '))).toMatch(/^x\s+distribution\s+3000\s+0\s+0\s+0\.2\d+!!/);
    expect(lines.find((l) => l.startsWith('c '))).toContain('1.5541!!');
    expect(run.stdout()).toContain('3000 rows, 2 lines skipped');
  });

  it('scores a categorical feature exactly as numpy/scipy, in JSON', async () => {
    await profile();
    const run = io();
    expect(await main(['drift', 'compare', 'profile.json', 'shifted.jsonl', '--json'], run.io)).toBe(0);
    const out = JSON.parse(run.stdout()) as {
      rows: number;
      features: { feature: string; unknownCategory: number; scores: Record<string, number> }[];
    };
    const c = out.features.find((f) => f.feature === 'c')!;
    expect(Math.abs(c.scores.psi! - category.expected.psi)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(c.scores.js! - category.expected.js)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(c.scores.hellinger! - category.expected.hellinger)).toBeLessThanOrEqual(1e-9);
    expect(c.unknownCategory).toBe(category.currentCounts.at(-1));
    const x = out.features.find((f) => f.feature === 'x')!;
    expect(Math.abs(x.scores.ks! - shift.expected.ks)).toBeLessThan(0.02);
  });

  it('exits 0 on undrifted data even with --fail-on warning', async () => {
    await profile();
    const run = io();
    const code = await main(['drift', 'compare', 'profile.json', 'same.jsonl', '--fail-on', 'warning'], run.io);
    expect(
      run
        .stdout()
        .split('\n')
        .find((l) => l.startsWith('x ')),
    ).not.toContain('!');
    expect(
      run
        .stdout()
        .split('\n')
        .find((l) => l.startsWith('c ')),
    ).not.toContain('!');
    expect(code).toBe(0);
  });

  it.each([
    [
      'a newer version',
      (p: Record<string, unknown>) => JSON.stringify({ ...p, version: 99 }),
      'profile version 99 is newer',
    ],
    ['truncated JSON', (p: Record<string, unknown>) => JSON.stringify(p).slice(0, 100), 'not valid JSON'],
  ])('refuses a profile with %s: exit 2 and one line naming the problem', async (_label, corrupt, message) => {
    await profile();
    const good = JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'bad.json'), corrupt(good));
    const run = io();
    expect(await main(['drift', 'compare', 'bad.json', 'same.jsonl'], run.io)).toBe(2);
    expect(run.stderr()).toContain(message);
    expect(run.stdout()).toBe('');
  });
});
