// The import graph of the packages' sources: no cycle between files or packages, no import
// from a parent folder's module that itself reaches down into subfolders (config/ importing a
// feature that imports config/ is an upward arrow), and every @mltel import declared.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGES = new URL('../../packages/', import.meta.url).pathname;

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The module specifiers a file imports (types included: a type import is an arrow too). */
function specifiers(text: string): { spec: string }[] {
  const found: { spec: string }[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g))
    found.push({ spec: match[1]! });
  for (const match of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push({ spec: match[1]! });
  return found;
}

const manifests = new Map<string, Manifest>();
const packageOfFolder = new Map<string, string>();
for (const folder of readdirSync(PACKAGES)) {
  const manifest = JSON.parse(readFileSync(join(PACKAGES, folder, 'package.json'), 'utf8')) as Manifest;
  manifests.set(manifest.name, manifest);
  packageOfFolder.set(folder, manifest.name);
}

/** file → files it imports (relative imports resolved; `@mltel/x` → that package's src/index.ts). */
const edges = new Map<string, string[]>();
/** package → @mltel packages its sources import. */
const packageEdges = new Map<string, Set<string>>();
for (const [folder, name] of packageOfFolder) {
  const used = new Set<string>();
  packageEdges.set(name, used);
  for (const file of walk(join(PACKAGES, folder, 'src'))) {
    const targets: string[] = [];
    for (const { spec } of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const base = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        const target = existsSync(base) ? base : join(base.replace(/\.ts$/, ''), 'index.ts');
        if (!existsSync(target)) continue;
        targets.push(target);
      } else if (spec.startsWith('@mltel/')) {
        const pkg = spec.split('/').slice(0, 2).join('/');
        used.add(pkg);
        const targetFolder = [...packageOfFolder].find(([, n]) => n === pkg)?.[0];
        if (targetFolder !== undefined) targets.push(join(PACKAGES, targetFolder, 'src', 'index.ts'));
      }
    }
    edges.set(file, targets);
  }
}

function findCycle(graph: Map<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('import graph', () => {
  it('sees every package and its files (so it can fail)', () => {
    expect(manifests.size).toBeGreaterThanOrEqual(12);
    expect(edges.size).toBeGreaterThan(100);
  });

  it('has no cycle between source files, across all packages', () => {
    const cycle = findCycle(edges);
    expect(cycle?.map((file) => relative(PACKAGES, file))).toBeUndefined();
  });

  it('has no cycle between packages, and every @mltel import is a declared dependency', () => {
    const graph = new Map([...packageEdges].map(([pkg, used]) => [pkg, [...used].filter((u) => u !== pkg)]));
    expect(findCycle(graph)).toBeUndefined();
    const undeclared: string[] = [];
    for (const [pkg, used] of packageEdges) {
      const manifest = manifests.get(pkg)!;
      const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
      for (const dep of used) if (dep !== pkg && declared[dep] === undefined) undeclared.push(`${pkg} → ${dep}`);
    }
    expect(undeclared).toEqual([]);
  });

  it('declares no @mltel dependency it does not import', () => {
    const unused: string[] = [];
    for (const [pkg, used] of packageEdges) {
      for (const dep of Object.keys(manifests.get(pkg)!.dependencies ?? {})) {
        if (dep.startsWith('@mltel/') && !used.has(dep)) unused.push(`${pkg} → ${dep}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it('has no upward arrow: a module imported from a subfolder does not itself import from subfolders', () => {
    const upward: string[] = [];
    for (const [file, targets] of edges) {
      for (const target of targets) {
        const targetDir = dirname(target);
        // The target lies in an ancestor folder of the importing file (same package)?
        if (target.endsWith('index.ts') || !dirname(file).startsWith(`${targetDir}/`)) continue;
        const reachesDown = (edges.get(target) ?? []).some((t) => dirname(t).startsWith(`${targetDir}/`));
        if (reachesDown) upward.push(`${relative(PACKAGES, file)} → ${relative(PACKAGES, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
