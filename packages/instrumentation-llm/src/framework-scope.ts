// Frameworks that call model clients (the Vercel AI SDK, LangChain.js) record their model calls
// themselves. While such a call runs, the client instrumentations underneath (openai, Anthropic,
// ...) pass through, so one model call is never counted twice. One store per process, shared
// through globalThis so two copies of this package agree.
import { AsyncLocalStorage } from 'node:async_hooks';

const KEY = Symbol.for('@mltel/instrumentation-llm/framework-scope');
type Holder = { [KEY]?: AsyncLocalStorage<string> };

function storage(): AsyncLocalStorage<string> {
  const holder = globalThis as Holder;
  holder[KEY] ??= new AsyncLocalStorage<string>();
  return holder[KEY];
}

/** Runs `fn` as a model call that `framework` records. */
export function runInFramework<T>(framework: string, fn: () => T): T {
  return storage().run(framework, fn);
}

/** The framework recording the current model call, if any. */
export function recordingFramework(): string | undefined {
  return storage().getStore();
}

// The client modules an instrumentation has patched in this process (by module name, counted:
// two copies of a package may be patched), so a framework that calls a client can leave the call
// to that client's record.
const PATCHED = Symbol.for('@mltel/instrumentation-llm/patched-clients');
type PatchedHolder = { [PATCHED]?: Map<string, number> };

function patched(): Map<string, number> {
  const holder = globalThis as PatchedHolder;
  holder[PATCHED] ??= new Map();
  return holder[PATCHED];
}

/** Notes that `module` was patched (`on`) or unpatched. */
export function markClientPatched(module: string, on: boolean): void {
  const counts = patched();
  const next = (counts.get(module) ?? 0) + (on ? 1 : -1);
  if (next > 0) counts.set(module, next);
  else counts.delete(module);
}

/** Whether an instrumentation records the calls of `module` in this process. */
export function isClientPatched(module: string): boolean {
  return patched().has(module);
}
