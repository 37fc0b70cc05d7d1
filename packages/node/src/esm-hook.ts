import { diag } from '@opentelemetry/api';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import * as nodeModule from 'node:module';

let registered = false;

/**
 * The resolve hook that runs before import-in-the-middle's (hooks registered later run first).
 * import-in-the-middle 3.6 treats a resolution without a parent as the entry point and gives it
 * the format `commonjs` when the URL has no file extension. `node -e` and `node -p` load the
 * builtin `module` that way, so Node then reads a file named `module` and every `node -e` of a
 * process started with `NODE_OPTIONS=--require @mltel/node/register` failed with
 * `ENOENT: … open 'module'`. A builtin (`node:` URL) keeps the format `builtin` here.
 */
export function keepBuiltinFormat(
  specifier: string,
  context: nodeModule.ResolveHookContext,
  nextResolve: (specifier: string, context?: Partial<nodeModule.ResolveHookContext>) => nodeModule.ResolveFnOutput,
): nodeModule.ResolveFnOutput {
  const result = nextResolve(specifier, context);
  if (result.url.startsWith('node:') && result.format !== 'builtin') return { ...result, format: 'builtin' };
  return result;
}

/**
 * Registers import-in-the-middle's loader hook once, limited to `modules` (its `include`), so
 * that the instrumentations see modules the application imports as ES modules; no other module
 * of the application is wrapped. Call it once with the union of the modules every
 * instrumentation of the process hooks: a second call is ignored (import-in-the-middle cannot
 * register twice). Nothing is registered for an empty list. Synchronous, so the hook is in place
 * before the application's own imports are linked. Never throws: a failure is one warning, and
 * CommonJS `require()` is still instrumented.
 */
export function registerEsmHook(modules: readonly string[]): void {
  if (registered || modules.length === 0) return;
  registered = true;
  const include = [...new Set(modules)];
  try {
    if (supportsSyncHooks()) {
      // In-thread hooks (Node >= 22.22.3 / 24.11.1), then the builtin fix above them.
      registerSyncHooks({ include });
      nodeModule.registerHooks({ resolve: keepBuiltinFormat });
    } else {
      nodeModule.register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include } });
    }
  } catch (error) {
    diag.warn(
      `mltel: modules imported as ES modules will not be instrumented: the import hook failed (${error instanceof Error ? error.message : String(error)}). ` +
        'CommonJS require() is still instrumented. Fix: report it, or set OTEL_NODE_DISABLED_INSTRUMENTATIONS to the instrumentations you do not need.',
    );
  }
}

/** Whether {@link registerEsmHook} has registered the hook in this process. */
export function esmHookRegistered(): boolean {
  return registered;
}
