import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MLTEL_VERSION } from './version.js';

const packages = new URL('../../', import.meta.url);

function manifest(name: string): { name: string; version: string; private?: boolean } {
  return JSON.parse(readFileSync(new URL(`${name}/package.json`, packages), 'utf8'));
}

describe('MLTEL_VERSION', () => {
  it('is the version in packages/kit/package.json (run node scripts/gen-version.mjs when not)', () => {
    expect(MLTEL_VERSION).toBe(manifest('kit').version);
  });

  it('is the version of every public package (they are released in lockstep)', () => {
    const folders = readdirSync(packages, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    const publicPackages = folders.map((entry) => manifest(entry.name)).filter((pkg) => pkg.private !== true);
    expect(publicPackages.length).toBeGreaterThan(10);
    for (const pkg of publicPackages) expect(`${pkg.name}@${pkg.version}`).toBe(`${pkg.name}@${MLTEL_VERSION}`);
  });
});
