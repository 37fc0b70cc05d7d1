// requireEsm is tested in a child Node process on the build: vitest runs modules in its own
// module graph, not Node's, and the point is the identity with Node's own ES module instances.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { built } from '../test/harness.js';
import { VENDORED, vendorFile, vendoredPath } from './require-esm.js';

function inNode(script: string): string {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

describe('requireEsm', () => {
  it('loads, synchronously, the same ES module instance that an import gives', { timeout: 30_000 }, () => {
    const module = JSON.stringify(pathToFileURL(built('require-esm')).href);
    const cost = JSON.stringify(import.meta.resolve('@mltel/cost'));
    expect(
      inNode(`import { requireEsm } from ${module};
const required = requireEsm('@mltel/cost');
const imported = await import(${cost});
console.log(required.CostMeter === imported.CostMeter, typeof required.CostMeter);`),
    ).toBe('true function');
  });

  it('throws for a package that is not installed', { timeout: 30_000 }, () => {
    const module = JSON.stringify(pathToFileURL(built('require-esm')).href);
    expect(
      inNode(`import { requireEsm } from ${module};
try { requireEsm('@mltel/no-such-package'); console.log('loaded'); } catch (error) { console.log(error.code); }`),
    ).toBe('ERR_MODULE_NOT_FOUND');
  });
});

describe('the vendored packages (bundled by scripts/bundle-dist.mjs)', () => {
  it('are dependencies of @mltel/node: their types, and what src/ loads in the tests', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const from of Object.values(VENDORED)) expect(manifest.dependencies).toHaveProperty([from.split('#')[0]!]);
  });

  it('name files in dist/vendor/ that the build writes; src/ has none and loads the packages', () => {
    expect(vendorFile('@opentelemetry/exporter-prometheus/serializer')).toBe(
      'opentelemetry-exporter-prometheus-serializer.js',
    );
    const dist = fileURLToPath(new URL('../dist/vendor/', import.meta.url));
    for (const key of Object.keys(VENDORED)) {
      expect(existsSync(`${dist}${vendorFile(key)}`), key).toBe(true);
      expect(vendoredPath(key)).toBeUndefined();
    }
    expect(vendoredPath('@opentelemetry/sdk-metrics')).toBeUndefined();
  });

  it('load from the build as one instance, which shares the SDK with the bundles', { timeout: 30_000 }, () => {
    const module = JSON.stringify(pathToFileURL(built('require-esm')).href);
    expect(
      inNode(`import { requireEsm, vendoredPath } from ${module};
const first = requireEsm('@opentelemetry/instrumentation-runtime-node');
const again = requireEsm('@opentelemetry/instrumentation-runtime-node');
console.log(first === again, vendoredPath('@opentelemetry/instrumentation-runtime-node').endsWith('/dist/vendor/opentelemetry-instrumentation-runtime-node.js'), typeof first.RuntimeNodeInstrumentation);`),
    ).toBe('true true function');
  });
});
