// The hooks run around every call a provider meter records (the cost meter's pricing and
// budgets): a failing hook never fails the call, except a `beforeCall` refusal, which must.
import type { WarnOnce } from '@mltel/kit';
import type { CallAttributes } from './call-attributes.js';
import { isCallRefusal } from './call-refusal.js';
import { field } from '@mltel/kit';
import type { ProviderCall, ProviderCallEvent, ProviderCallHooks, ProviderUsage } from './types.js';

/** The call as hooks see it before it is sent. */
type HookCall = { provider: string; operation: string; model: string | undefined };

/** The hooks of one provider meter, and how each kind is run. */
export class CallHooks {
  private hooks: readonly ProviderCallHooks[] = [];

  constructor(private readonly warnings: WarnOnce) {}

  /** Whether any hooks are installed (the record path skips them all when not). */
  get active(): boolean {
    return this.hooks.length > 0;
  }

  /** Installs hooks; returns the function that removes them. */
  add(hooks: ProviderCallHooks): () => void {
    this.hooks = [...this.hooks, hooks];
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hooks);
    };
  }

  /** Runs `beforeCall`: a refusal ({@link isCallRefusal}) is thrown to the caller, other errors swallowed. */
  beforeCall(call: ProviderCall): void {
    if (this.hooks.length === 0) return;
    const request = hookCall(call);
    if (request === undefined) return;
    for (const hook of this.hooks) {
      // Hook methods read behind a guard: a hook object that is a throwing Proxy is skipped.
      const beforeCall = field(hook, 'beforeCall');
      if (typeof beforeCall !== 'function') continue;
      try {
        beforeCall.call(hook, request);
      } catch (error) {
        if (refuses(error)) throw error;
        this.warnings.warn('hook:before', 'a beforeCall hook threw; the call goes ahead');
      }
    }
  }

  /**
   * Runs `prepare`: a promise to await while one of them has something to wait for, else
   * undefined (no turn of the event loop for a call nothing prepares). Failures are swallowed.
   */
  prepare(call: ProviderCall): Promise<void> | undefined {
    if (this.hooks.length === 0) return undefined;
    const request = hookCall(call);
    if (request === undefined) return undefined;
    const hooks = this.hooks;
    for (let i = 0; i < hooks.length; i++) {
      const hook = hooks[i];
      const prepare = field(hook, 'prepare');
      if (typeof prepare !== 'function') continue;
      let pending: unknown;
      try {
        pending = prepare.call(hook, request);
      } catch {
        this.warnings.warn('hook:prepare', 'a prepare hook failed; the call goes ahead');
        continue;
      }
      // The first hook with something to wait for: it and the rest run in order, awaited.
      if (pending !== undefined && pending !== null) return this.prepareFrom(pending, hooks.slice(i + 1), request);
    }
    return undefined;
  }

  private async prepareFrom(pending: unknown, rest: readonly ProviderCallHooks[], request: HookCall): Promise<void> {
    try {
      await pending;
    } catch {
      this.warnings.warn('hook:prepare', 'a prepare hook failed; the call goes ahead');
    }
    for (const hook of rest) {
      const prepare = field(hook, 'prepare');
      if (typeof prepare !== 'function') continue;
      try {
        await prepare.call(hook, request);
      } catch {
        this.warnings.warn('hook:prepare', 'a prepare hook failed; the call goes ahead');
      }
    }
  }

  /** Runs `afterCall` with the finished call; a hook that throws is skipped for this call. */
  afterCall(call: CallAttributes, durationSeconds: number, usage: ProviderUsage | undefined, error: unknown): void {
    const event: ProviderCallEvent = {
      provider: call.provider,
      operation: call.operation,
      model: call.model,
      attributes: call.base,
      usage: usage ?? undefined,
      error,
      durationSeconds,
    };
    for (const hook of this.hooks) {
      try {
        const afterCall = field(hook, 'afterCall');
        if (typeof afterCall === 'function') afterCall.call(hook, event);
      } catch {
        this.warnings.warn('hook:after', 'an afterCall hook threw; it is skipped for this call');
      }
    }
  }
}

/** Whether a hook's error is a refusal; an error whose getters throw is not. Never throws. */
function refuses(error: unknown): boolean {
  try {
    return isCallRefusal(error);
  } catch {
    return false;
  }
}

/** The call as hooks see it; undefined when it has no provider or operation (not tracked). */
function hookCall(call: ProviderCall): HookCall | undefined {
  try {
    const { provider, operation, model } = call;
    if (typeof provider !== 'string' || typeof operation !== 'string') return undefined;
    return { provider, operation, model: typeof model === 'string' ? model : undefined };
  } catch {
    return undefined;
  }
}
