// Synchronous loading of an optional part of the preload, only when the configuration uses it
// (start() stays synchronous: no top-level await, no dynamic import). The package is loaded in
// its ES module form, the form the rest of mltel imports and the application imports too: a
// plain require() would load its CommonJS build, a second copy of the package (and of
// @opentelemetry/core and the SDK behind it), with classes that fail instanceof against the
// application's.
//
// The OpenTelemetry SDK packages the preload runs are bundled into @mltel/node's dist/ by the
// build (scripts/bundle-dist.mjs): the SDK in the bundles of src/, and each package loaded here
// in dist/vendor/, built in the same pass so that they share one copy of the SDK. Why: loaded
// from node_modules the SDK is about 120 module files, and @opentelemetry/semantic-conventions
// alone is 333 KB of which the SDK uses a few constants; bundled, the preload loads 103 files
// instead of 221 and starts in +156 ms over bare node instead of +221 (raw OTel by hand: +161;
// A/B in 25 rounds, docs/benchmarks.md). Tests of src/ load the packages.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The packages of {@link requireEsm} that the build bundles, and the module each is built from:
 * the package's ES entry, or `package#file` for one module beside that entry. Their bundles are
 * dist/vendor/{@link vendorFile}(key).
 */
export const VENDORED: Readonly<Record<string, string>> = {
  '@opentelemetry/context-async-hooks': '@opentelemetry/context-async-hooks',
  '@opentelemetry/exporter-metrics-otlp-http': '@opentelemetry/exporter-metrics-otlp-http',
  '@opentelemetry/exporter-metrics-otlp-proto': '@opentelemetry/exporter-metrics-otlp-proto',
  // The serializer alone: the package's entry also loads its exporter (./prometheus/upstream.ts).
  '@opentelemetry/exporter-prometheus/serializer': '@opentelemetry/exporter-prometheus#PrometheusSerializer.mjs',
  '@opentelemetry/instrumentation-express': '@opentelemetry/instrumentation-express',
  '@opentelemetry/instrumentation-http': '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-pg': '@opentelemetry/instrumentation-pg',
  '@opentelemetry/instrumentation-runtime-node': '@opentelemetry/instrumentation-runtime-node',
  '@opentelemetry/instrumentation-undici': '@opentelemetry/instrumentation-undici',
};

/** The file name of `key`'s bundle in dist/vendor/: `@opentelemetry/x` -> `opentelemetry-x.js`. */
export function vendorFile(key: string): string {
  return `${key.replace(/^@/, '').replaceAll('/', '-')}.js`;
}

/** The path of `key`'s bundle in dist/vendor/ (written by the build), or undefined where there is none. */
export function vendoredPath(key: string): string | undefined {
  if (!Object.hasOwn(VENDORED, key)) return undefined;
  const path = fileURLToPath(new URL(`./vendor/${vendorFile(key)}`, import.meta.url));
  return existsSync(path) ? path : undefined;
}

/**
 * The package `specifier` (resolved from @mltel/node), loaded now as an ES module: its bundle in
 * dist/vendor/ when the build wrote one. A package the ES resolver cannot resolve (no `import`
 * condition) is required as it is; when that fails too, the resolver's error is thrown
 * (ERR_MODULE_NOT_FOUND for a package that is not installed).
 */
export function requireEsm<T>(specifier: string): T {
  const vendored = vendoredPath(specifier);
  if (vendored !== undefined) return require(vendored) as T;
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve(specifier));
  } catch (error) {
    try {
      return require(specifier) as T;
    } catch {
      throw error;
    }
  }
  return require(entry) as T;
}
