import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceProfile } from '../../test/reference.js';
import {
  MAX_NAME_LENGTH,
  MAX_PROFILE_BYTES,
  MAX_PROFILE_CATEGORIES,
  MAX_PROFILE_EDGES,
  parseProfile,
  readProfileFile,
} from './parse.js';
import type { ReferenceProfile } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'mltel-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = referenceProfile();
/** The JSON form of a profile, loosely typed so a test can break any part of it. */
interface LooseFeature {
  name: unknown;
  count: unknown;
  type: unknown;
  edges: unknown[];
  counts: unknown[];
  categories: unknown[];
  sketch: { n: number };
}
interface LooseProfile {
  format: unknown;
  version: unknown;
  rows: unknown;
  features: [LooseFeature, LooseFeature];
  confidence: unknown;
  prediction: unknown;
}
/** A copy of the good profile with `change` applied to its JSON form. */
const changed = (change: (p: LooseProfile) => void): unknown => {
  const p = JSON.parse(JSON.stringify(good)) as LooseProfile;
  change(p);
  return p;
};
const reasonOf = (input: unknown) => {
  const parsed = parseProfile(input);
  return parsed.ok ? 'ok' : parsed.reason;
};

describe('parseProfile', () => {
  it('accepts a profile as an object or as JSON text, and returns it', () => {
    expect(parseProfile(good)).toEqual({ ok: true, profile: good });
    const text = JSON.stringify(good);
    expect(parseProfile(text)).toEqual({ ok: true, profile: JSON.parse(text) as ReferenceProfile });
  });

  it.each([
    ['not JSON', '{"format":', /^not valid JSON \(/],
    ['an array', [], /^not a JSON object$/],
    ['a number', 3, /^not a JSON object$/],
    ['another format', changed((p) => (p.format = 'x')), /^"format" is not "mltel\.drift\.profile"$/],
    ['version 0', changed((p) => (p.version = 0)), /^"version" must be a positive integer$/],
    [
      'a newer version',
      changed((p) => (p.version = 2)),
      /^profile version 2 is newer than this @mltel\/quality reads \(1\); upgrade/,
    ],
    ['negative rows', changed((p) => (p.rows = -1)), /^"rows" must be a non-negative integer$/],
    [
      'features not an array',
      changed((p) => (p.features = {} as never)),
      /^"features" must be an array of at most 10000 features$/,
    ],
    [
      'a feature that is not an object',
      changed((p) => (p.features[1] = 'c' as never)),
      /^features\[1\] must be an object$/,
    ],
    [
      'an empty name',
      changed((p) => (p.features[0].name = '')),
      /^features\[0\]\.name must be a non-empty string of at most 128/,
    ],
    [
      'a long name',
      changed((p) => (p.features[0].name = 'n'.repeat(MAX_NAME_LENGTH + 1))),
      /^features\[0\]\.name must be/,
    ],
    [
      'a fractional count',
      changed((p) => (p.features[0].count = 1.5)),
      /^features\[0\]\.count and \.invalid must be non-negative integers$/,
    ],
    [
      'an unknown type',
      changed((p) => (p.features[0].type = 'text')),
      /^features\[0\]\.type must be "numeric" or "categorical"$/,
    ],
    [
      'too many edges',
      changed((p) => (p.features[0].edges = Array.from({ length: MAX_PROFILE_EDGES + 1 }, (_, i) => i))),
      /^features\[0\]\.edges must be an array of at most 1001 numbers$/,
    ],
    [
      'a repeated edge',
      changed((p) => (p.features[0].edges[1] = p.features[0].edges[0])),
      /^features\[0\]\.edges must be finite and strictly increasing$/,
    ],
    [
      'a wrong count of bins',
      changed((p) => p.features[0].counts.pop()),
      /^features\[0\]\.counts must hold 12 non-negative integers$/,
    ],
    [
      'a bad sketch',
      changed((p) => (p.features[0].sketch.n += 1)),
      /^features\[0\]\.sketch is not a valid quantile sketch$/,
    ],
    [
      'too many categories',
      changed(
        (p) => (p.features[1].categories = Array.from({ length: MAX_PROFILE_CATEGORIES + 1 }, (_, i) => `c${i}`)),
      ),
      /^features\[1\]\.categories must be at most 1000 non-empty strings/,
    ],
    [
      'a duplicate category',
      changed((p) => (p.features[1].categories[1] = p.features[1].categories[0])),
      /^features\[1\]\.categories has duplicates$/,
    ],
    [
      'no "other" count',
      changed((p) => p.features[1].counts.pop()),
      /^features\[1\]\.counts must hold one non-negative integer per category plus one for "other"$/,
    ],
    ['a feature twice', changed((p) => (p.features[1] = p.features[0])), /^feature "x" appears twice$/],
    ['a categorical confidence', changed((p) => (p.confidence = p.prediction)), /^confidence\.type must be "numeric"$/],
    ['a numeric prediction', changed((p) => (p.prediction = p.confidence)), /^prediction\.type must be "categorical"$/],
  ])('refuses %s, naming the problem', (_label, input, reason) => {
    expect(reasonOf(input)).toMatch(reason);
  });

  it('accepts a numeric feature without edges (no finite reference value) and without counts', () => {
    expect(reasonOf(changed((p) => Object.assign(p.features[0], { edges: [], counts: [] })))).toBe('ok');
  });
});

describe('readProfileFile', () => {
  it('reads and checks a file', () => {
    const path = join(dir, 'profile.json');
    writeFileSync(path, JSON.stringify(good));
    expect(readProfileFile(path)).toEqual({ ok: true, profile: good });
    writeFileSync(path, '[]');
    expect(readProfileFile(path)).toEqual({ ok: false, reason: 'not a JSON object' });
  });

  it('names the file it cannot read, without throwing', () => {
    const path = join(dir, 'missing.json');
    const parsed = readProfileFile(path);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(new RegExp(`^cannot read ${path} \\(ENOENT`));
  });

  it('reads regular files only: a FIFO nobody writes to, /dev/zero and a directory fail at once', () => {
    const fifo = join(dir, 'profile.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(readProfileFile(fifo)).toEqual({ ok: false, reason: `${fifo} is not a regular file (a FIFO)` });
    expect(readProfileFile('/dev/zero')).toEqual({
      ok: false,
      reason: '/dev/zero is not a regular file (a character device)',
    });
    mkdirSync(join(dir, 'sub'));
    expect(readProfileFile(join(dir, 'sub'))).toEqual({
      ok: false,
      reason: `${join(dir, 'sub')} is not a regular file (a directory)`,
    });
  });

  it('refuses a file over MAX_PROFILE_BYTES (64 MiB) without reading it', () => {
    expect(MAX_PROFILE_BYTES).toBe(64 * 1024 * 1024);
    const path = join(dir, 'huge.json');
    writeFileSync(path, '');
    truncateSync(path, MAX_PROFILE_BYTES + 1);
    expect(readProfileFile(path)).toEqual({
      ok: false,
      reason: `${path} is ${MAX_PROFILE_BYTES + 1} bytes, more than a profile may have (64 MiB)`,
    });
  });
});
