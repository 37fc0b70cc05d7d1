// Each catalog metric has one owning package (`owner` in its definition). This suite reads the
// source of every package and fails when an instrument of the catalog is created anywhere but in
// its owner: a second creator means two APIs and two sets of attributes for one series.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as catalog from '@mltel/semconv';
import type { MetricDefinition } from '@mltel/semconv';
import { describe, expect, it } from 'vitest';

const PACKAGES = new URL('../../packages/', import.meta.url).pathname;

/** The catalog's definitions by the name of their exported constant (`ML_TASKS`). */
const DEFINITIONS = new Map<string, MetricDefinition>();
for (const [constant, value] of Object.entries(catalog) as [string, unknown][]) {
  if (typeof value === 'object' && value !== null && 'owner' in value && 'prometheusName' in value) {
    DEFINITIONS.set(constant, value as MetricDefinition);
  }
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Package name → the catalog constants its sources create instruments from. */
function creators(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const folder of readdirSync(PACKAGES)) {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, folder, 'package.json'), 'utf8')) as { name: string };
    const created = new Set<string>();
    for (const file of sourceFiles(join(PACKAGES, folder, 'src'))) {
      const text = readFileSync(file, 'utf8');
      // meter.createX(DEF.name, ...) and instrumentOptions(DEF): both name the definition.
      for (const match of text.matchAll(/\.create\w+\(\s*([A-Z][A-Z0-9_]+)\.name\b/g)) created.add(match[1]!);
      for (const match of text.matchAll(/instrumentOptions\(\s*([A-Z][A-Z0-9_]+)\s*\)/g)) created.add(match[1]!);
    }
    found.set(manifest.name, created);
  }
  return found;
}

describe('metric owners', () => {
  const found = creators();

  it('the scan sees the catalog (so it can fail)', () => {
    expect(DEFINITIONS.size).toBeGreaterThanOrEqual(49);
    expect(found.get('@mltel/tasks')).toContain('ML_TASKS');
  });

  it('every catalog instrument is created by its owner only', () => {
    const strangers: string[] = [];
    for (const [pkg, created] of found) {
      for (const constant of created) {
        const definition = DEFINITIONS.get(constant);
        if (definition !== undefined && definition.owner !== pkg && !definition.alsoCreatedBy?.includes(pkg as never)) {
          strangers.push(`${pkg} creates ${definition.name}, owned by ${definition.owner}`);
        }
      }
    }
    expect(strangers).toEqual([]);
  });

  it('every catalog instrument is created by its owner', () => {
    // Upstream owners (the host-metrics instrumentation) are checked against a real collection
    // in packages/node/src/host-metrics.test.ts; here only mltel's own sources are read.
    const missing = [...DEFINITIONS.entries()]
      .filter(([, definition]) => definition.owner.startsWith('@mltel/'))
      .filter(([constant, definition]) => !found.get(definition.owner)?.has(constant))
      .map(([, definition]) => `${definition.name} (${definition.owner})`);
    expect(missing).toEqual([]);
  });

  it('every mltel package named as another creator does create the instrument', () => {
    const missing = [...DEFINITIONS.entries()].flatMap(([constant, definition]) =>
      (definition.alsoCreatedBy ?? [])
        .filter((pkg) => pkg.startsWith('@mltel/') && !found.get(pkg)?.has(constant))
        .map((pkg) => `${definition.name} (${pkg})`),
    );
    expect(missing).toEqual([]);
  });
});
