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
