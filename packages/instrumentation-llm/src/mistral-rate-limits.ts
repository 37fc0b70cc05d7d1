// The response headers of @mistralai/mistralai's requests. Its methods return parsed results, not
// the HTTP response; the SDK's own hooks (Speakeasy's `afterSuccess` / `afterError`, on the
// client's `_options.hooks`, shared by its resources) see every response. The call a response
// belongs to is carried by an AsyncLocalStorage run around the wrapped method: a hook outside a
// recorded call (another caller's client, an unpatched one) does nothing.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ProviderCall } from '@mltel/genai';
import type { CallObservers } from './api-promise.js';

type Method = (...args: unknown[]) => unknown;

interface SdkHooks {
  registerAfterSuccessHook(hook: { afterSuccess(context: unknown, response: Response): Response }): void;
  registerAfterErrorHook(hook: {
    afterError(
      context: unknown,
      response: Response | null,
      error: unknown,
    ): { response: Response | null; error: unknown };
  }): void;
}

const current = new AsyncLocalStorage<{ call: ProviderCall; observers: CallObservers }>();
const hooked = new WeakSet<object>();

function observe(response: Response | null | undefined): void {
  const store = current.getStore();
  if (store === undefined || response === null || response === undefined) return;
  try {
    store.observers.headers?.(store.call, response.headers);
  } catch {
    // Headroom is best effort: never disturb the call.
  }
}

/** Registers the response hooks on the SDK hooks of `resource`, once per hooks object. */
function hook(resource: unknown): void {
  const hooks = (resource as { _options?: { hooks?: Partial<SdkHooks> } } | undefined)?._options?.hooks;
  if (typeof hooks !== 'object' || hooks === null || hooked.has(hooks)) return;
  if (typeof hooks.registerAfterSuccessHook !== 'function' || typeof hooks.registerAfterErrorHook !== 'function')
    return;
  hooked.add(hooks);
  hooks.registerAfterSuccessHook({
    afterSuccess: (_context, response) => {
      observe(response);
      return response;
    },
  });
  hooks.registerAfterErrorHook({
    afterError: (_context, response, error) => {
      observe(response);
      return { response, error };
    },
  });
}

/**
 * `method` (a Mistral resource method), with the headers of the responses it receives sent to
 * `observers` for the call `describe` names.
 */
export function withResponseHeaders(
  method: Method,
  describe: (self: unknown, args: readonly unknown[]) => ProviderCall | undefined,
  observers: CallObservers,
): Method {
  return function withHeaders(this: unknown, ...args: unknown[]): unknown {
    let call: ProviderCall | undefined;
    try {
      call = describe(this, args);
      if (call !== undefined) hook(this);
    } catch {
      call = undefined;
    }
    return call === undefined
      ? method.apply(this, args)
      : current.run({ call, observers }, () => method.apply(this, args));
  };
}
