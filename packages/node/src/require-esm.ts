// Synchronous loading of an optional part of the preload, only when the configuration uses it
// (start() stays synchronous: no top-level await, no dynamic import). The package is loaded in
// its ES module form, the form the rest of mltel imports and the application imports too: a
// plain require() would load its CommonJS build, a second copy of the package (and of
// @opentelemetry/core and the SDK behind it), with classes that fail instanceof against the
// application's.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/**
 * The package `specifier` (resolved from @mltel/node), loaded now as an ES module. A package the
 * ES resolver cannot resolve (no `import` condition) is required as it is; when that fails too,
 * the resolver's error is thrown (ERR_MODULE_NOT_FOUND for a package that is not installed).
 */
export function requireEsm<T>(specifier: string): T {
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
