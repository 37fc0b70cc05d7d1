// `mltel drift compare`, in-process through main(), and its table.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureComparison } from '@mltel/quality';
import { category, driftFiles, profile, shift } from '../../test/drift-files.js';
import { memoryIo } from '../../test/memory-io.js';
import { main } from '../main.js';
import { COMPARE_USAGE, compareCommand, renderTable } from './compare.js';

const { dir, remove } = driftFiles();
beforeAll(async () => {
  await profile(dir);
});
afterAll(remove);
const io = () => memoryIo(dir);

describe('mltel drift compare', () => {
  it('prints a table with critical marks and exits 1 with --fail-on critical', async () => {
    await profile(dir);
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
    await profile(dir);
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
    await profile(dir);
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
  ])('refuses a profile with %s: exit 3 and one line naming the problem', async (_label, corrupt, message) => {
    await profile(dir);
    const good = JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'bad.json'), corrupt(good));
    const run = io();
    expect(await main(['drift', 'compare', 'bad.json', 'same.jsonl'], run.io)).toBe(3);
    expect(run.stderr()).toContain(`mltel drift compare: the profile ${join(dir, 'bad.json')} is not usable: `);
    expect(run.stderr()).toContain(message);
    expect(run.stdout()).toBe('');
  });
});

describe('compareCommand', () => {
  it('exits 1 with --fail-on warning on drifted data, and 0 without --fail-on', async () => {
    expect(await compareCommand(['profile.json', 'shifted.jsonl', '--fail-on', 'warning'], io().io)).toBe(1);
    expect(await compareCommand(['profile.json', 'shifted.jsonl'], io().io)).toBe(0);
  });

  it.each([
    [['profile.json'], 'needs a profile and a data file'],
    [['profile.json', 'same.jsonl', '--fail-on', 'info'], '--fail-on must be warning or critical, got "info"'],
    [['profile.json', 'same.jsonl', '--format', 'xml'], '--format must be csv or jsonl, got "xml"'],
  ])('%j exits 2 with a message', async (args, message) => {
    const run = io();
    expect(await compareCommand(args, run.io)).toBe(2);
    expect(run.stderr()).toContain(message);
  });

  it.each([
    [
      ['missing.json', 'same.jsonl'],
      'the profile <dir>/missing.json is not usable: cannot read <dir>/missing.json (ENOENT',
    ],
    [['profile.json', 'missing.jsonl'], 'cannot read <dir>/missing.jsonl: ENOENT: no such file or directory\n'],
    [['profile.json', '.'], 'cannot read <dir>: not a regular file (a directory)\n'],
  ])('%j exits 3 naming the file', async (args, message) => {
    const run = io();
    expect(await main(['drift', 'compare', ...args], run.io)).toBe(3);
    expect(run.stderr()).toContain(`mltel drift compare: ${message.replaceAll('<dir>', dir)}`);
  });

  it('escapes control characters of feature names in the table', () => {
    expect(renderTable([{ ...row0, feature: 'a\u001b[2Jb' }]).split('\n')[1]).toMatch(/^a\\x1b\[2Jb /);
  });

  it('prints its usage with --help', async () => {
    const run = io();
    expect(await compareCommand(['-h'], run.io)).toBe(0);
    expect(run.stdout()).toBe(COMPARE_USAGE);
  });
});

const row0: FeatureComparison = {
  feature: 'f',
  kind: 'distribution',
  type: 'numeric',
  samples: 1,
  missing: 0,
  invalid: 0,
  unknownCategory: 0,
  scores: {},
};

describe('renderTable', () => {
  const row = (feature: string, scores: FeatureComparison['scores']): FeatureComparison => ({
    feature,
    kind: 'distribution',
    type: 'numeric',
    samples: 120,
    missing: 3,
    invalid: 0,
    unknownCategory: 0,
    scores,
  });

  it('aligns the columns and marks each score by the default thresholds; "-" where there is none', () => {
    const table = renderTable([
      row('amount', { psi: 0.3, js: 0.15, hellinger: 0.05, ks: 0.2, wasserstein: 12.5 }),
      row('country', { psi: Number.NaN }),
    ]);
    expect(table).toBe(
      [
        'feature  kind            n  missing  invalid       psi       js  hellinger        ks  wasserstein',
        'amount   distribution  120        3        0  0.3000!!  0.1500!     0.0500  0.2000!!      12.5000',
        'country  distribution  120        3        0         -        -          -         -            -',
        '',
      ].join('\n'),
    );
  });
});
