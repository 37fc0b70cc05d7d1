// The dependency and metadata policy of the published packages (CONTRIBUTING.md, "Dependency
// policy"): what `npm install @mltel/…` gives a team is what the workspace tests, and every
// package can be published as it is.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The one base URL of the repository; CONTRIBUTING.md names it too. */
const BASE = 'https://github.com/mltel/mltel';
/** The one `@opentelemetry/api` peer range: the floor of the SDK and instrumentation mltel uses. */
const API_RANGE = '^1.10.0';
/** The packages whose import runs code with effects (the preload); every other is side-effect free. */
const SIDE_EFFECT_ENTRIES: Record<string, string[]> = { '@mltel/node': ['./dist/register.js'] };
/**
 * Packages whose manifest another change owns while it lands; each needs: @opentelemetry/api
 * peer ^1.10.0, caret @opentelemetry/instrumentation, and the metadata above. Empty it then.
 */
const PENDING = new Set<string>();
/**
 * The OpenTelemetry SDK family: the upstream exporters pin core, resources and sdk-metrics
 * exactly, so a caret here would install a newer copy beside theirs (x4 sdk-metrics, x7 core
 * measured). They are pinned to the versions the installed Prometheus exporter pins.
 */
const SDK_FAMILY = /^@opentelemetry\/(core|resources|sdk-metrics|exporter-[\w-]+)$/;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  homepage?: string;
  repository?: { type?: string; url?: string; directory?: string };
  bugs?: { url?: string };
  keywords?: string[];
  publishConfig?: { access?: string };
  engines?: { node?: string };
  main?: string;
  types?: string;
  typesVersions?: Record<string, Record<string, string[]>>;
  sideEffects?: boolean | string[];
  exports?: Record<string, Record<string, string> | string>;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

const read = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;
const dirs = readdirSync(join(ROOT, 'packages')).filter((d) => existsSync(join(ROOT, 'packages', d, 'package.json')));
const all = dirs.map((dir) => ({ dir, manifest: read(join(ROOT, 'packages', dir, 'package.json')) }));
const published = all.filter((p) => p.manifest.private !== true && !PENDING.has(p.manifest.name));

/** The bare module specifiers of the package's non-test `.ts` files under `folder` (src, dist). */
function importsOf(dir: string, folder = 'src', suffix = '.ts'): Set<string> {
  const found = new Set<string>();
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(suffix) && !entry.name.includes('.test.')) {
        const text = readFileSync(child, 'utf8');
        for (const m of text.matchAll(/(?:from\s+|import\(|require\()'([^'.][^']*)'/g)) {
          const spec = m[1]!;
          if (spec.startsWith('node:')) continue;
          found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
  };
  walk(join(ROOT, 'packages', dir, folder));
  return found;
}

/** The version installed for a dependency of a workspace package (pnpm links it beside). */
function installed(dir: string, dep: string): Manifest | undefined {
  const path = join(ROOT, 'packages', dir, 'node_modules', dep, 'package.json');
  return existsSync(path) ? read(path) : undefined;
}

describe('published package policy', () => {
  it('covers the published packages, all in lockstep', () => {
    expect(published.length).toBeGreaterThanOrEqual(12);
    const versions = new Set(published.map((p) => p.manifest.version));
    expect([...versions]).toHaveLength(1);
  });

  it('keeps every other workspace package private, so pnpm -r publish skips it', () => {
    const workspace = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
    const others: string[] = [];
    for (const m of workspace.matchAll(/^\s*-\s*(\S+)\s*$/gm)) {
      const glob = m[1]!.replace(/['"]/g, '');
      if (glob === 'packages/*') continue;
      if (glob.endsWith('/*')) {
        const base = join(ROOT, glob.slice(0, -2));
        for (const d of readdirSync(base)) if (existsSync(join(base, d, 'package.json'))) others.push(join(base, d));
      } else if (existsSync(join(ROOT, glob, 'package.json'))) others.push(join(ROOT, glob));
    }
    expect(others.length).toBeGreaterThan(0);
    for (const dir of others) expect(read(join(dir, 'package.json')).private, dir).toBe(true);
    expect(read(join(ROOT, 'packages/test-kit/package.json')).private).toBe(true);
  });

  it.each(published.map((p) => [p.manifest.name, p] as const))('%s has complete metadata', (_, { dir, manifest }) => {
    expect(manifest.license).toBe('Apache-2.0');
    expect(readFileSync(join(ROOT, 'packages', dir, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
    );
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
    expect(manifest.repository).toEqual({ type: 'git', url: `git+${BASE}.git`, directory: `packages/${dir}` });
    expect(manifest.homepage).toBe(`${BASE}/tree/main/packages/${dir}#readme`);
    expect(manifest.bugs?.url).toBe(`${BASE}/issues`);
    expect(manifest.publishConfig?.access).toBe('public');
    expect(manifest.keywords).toContain('opentelemetry');
    expect(manifest.engines?.node).toBe('>=22.15.0');
    const readme = readFileSync(join(ROOT, 'packages', dir, 'README.md'), 'utf8');
    // Relative links are dead on the npm page and inside node_modules.
    expect(readme.match(/\]\((?!https?:\/\/|#)[^)]*\)/g) ?? []).toEqual([]);
    expect(readme).toContain(`npm install ${manifest.name}`);
  });

  it.each(published.map((p) => [p.manifest.name, p] as const))(
    '%s resolves types first, and under moduleResolution node10',
    (_, { manifest }) => {
      const exports = manifest.exports ?? {};
      const root = exports['.'] as Record<string, string>;
      expect(manifest.types).toBe(root.types);
      expect(manifest.main).toBe(root.default);
      for (const [subpath, target] of Object.entries(exports)) {
        if (typeof target === 'string') continue;
        expect(Object.keys(target)[0], subpath).toBe('types');
        if (subpath === '.') continue;
        // node10 ignores exports: typesVersions maps the subpath to its declarations.
        expect(manifest.typesVersions?.['*']?.[subpath.slice(2)], subpath).toEqual([target.types]);
      }
      expect(manifest.sideEffects).toEqual(SIDE_EFFECT_ENTRIES[manifest.name] ?? false);
    },
  );

  it.each(published.map((p) => [p.manifest.name, p] as const))(
    '%s follows the dependency policy',
    (_, { dir, manifest }) => {
      const deps = manifest.dependencies ?? {};
      const peers = manifest.peerDependencies ?? {};
      const dev = manifest.devDependencies ?? {};
      // The API is a singleton per process: a regular dependency can install a second copy.
      expect(deps['@opentelemetry/api']).toBeUndefined();
      const usesOtel =
        importsOf(dir).has('@opentelemetry/api') || Object.keys(deps).some((d) => d.startsWith('@opentelemetry/'));
      const usesMltelWithApi = Object.keys(deps).some(
        (d) =>
          d.startsWith('@mltel/') &&
          published.find((p) => p.manifest.name === d)?.manifest.peerDependencies?.['@opentelemetry/api'],
      );
      if (usesOtel || usesMltelWithApi) expect(peers['@opentelemetry/api']).toBe(API_RANGE);
      for (const [dep, range] of Object.entries(deps)) {
        if (dep.startsWith('@mltel/')) {
          expect(range, dep).toBe('workspace:^');
          continue;
        }
        if (SDK_FAMILY.test(dep)) {
          const exporter = installed(dir, '@opentelemetry/exporter-prometheus');
          const pinned = exporter?.dependencies?.[dep] ?? exporter?.version;
          if (dep.startsWith('@opentelemetry/exporter-')) expect(range, dep).toBe(exporter?.version);
          else expect(range, dep).toBe(pinned);
          continue;
        }
        // Caret from the version the workspace installs and tests: the tested lower bound.
        expect(range, dep).toMatch(/^\^\d+\.\d+\.\d+$/);
        expect(installed(dir, dep)?.version, dep).toBe(range.slice(1));
      }
      for (const [peer, range] of Object.entries(peers)) {
        // Every peer is tested: the workspace installs it as a devDependency within the range.
        expect(dev[peer], peer).toBeDefined();
        if (peer === '@opentelemetry/api') continue;
        expect(manifest.peerDependenciesMeta?.[peer]?.optional, `${peer} ${range} is optional`).toBe(true);
      }
    },
  );

  it.each(published.map((p) => [p.manifest.name, p] as const))(
    '%s depends on the types its published declarations import',
    (_, { dir, manifest }) => {
      const deps = { ...manifest.dependencies, ...manifest.peerDependencies };
      // The built declarations (scripts/bootstrap.sh builds before the tests).
      expect(existsSync(join(ROOT, 'packages', dir, 'dist/index.d.ts')), 'run pnpm build first').toBe(true);
      for (const spec of importsOf(dir, 'dist', '.d.ts')) {
        if (!(spec in deps)) continue;
        const own = installed(dir, spec);
        const typed =
          own?.types !== undefined ||
          (own as { typings?: string } | undefined)?.typings !== undefined ||
          JSON.stringify(own?.exports ?? {}).includes('"types"') ||
          existsSync(join(ROOT, 'packages', dir, 'node_modules', spec, 'index.d.ts'));
        if (typed) continue;
        // `skipLibCheck: false` consumers need the types package: TS7016 otherwise.
        const types = `@types/${spec.replace(/^@/, '').replace('/', '__')}`;
        expect(manifest.dependencies?.[types], `${spec} needs ${types} as a dependency`).toMatch(/^\^/);
      }
    },
  );
});
