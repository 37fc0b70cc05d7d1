// The hooks run around every call a provider meter records (the cost meter's pricing and
// budgets): a failing hook never fails the call, except a `beforeCall` refusal, which must.
import type { WarnOnce } from '@mltel/kit';
import type { CallAttributes } from './call-attributes.js';
import { isCallRefusal } from './call-refusal.js';
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
      if (hook.beforeCall === undefined) continue;
      try {
        hook.beforeCall(request);
      } catch (error) {
        if (isCallRefusal(error)) throw error;
        this.warnings.warn('hook:before', 'a beforeCall hook threw; the call goes ahead');
      }
    }
  }

  /** Runs and awaits `prepare`; its failures are swallowed. */
  async prepare(call: ProviderCall): Promise<void> {
    if (!this.hooks.some((hook) => hook.prepare !== undefined)) return;
    const request = hookCall(call);
    if (request === undefined) return;
    for (const hook of this.hooks) {
      try {
        await hook.prepare?.(request);
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
        hook.afterCall?.(event);
      } catch {
        this.warnings.warn('hook:after', 'an afterCall hook threw; it is skipped for this call');
      }
    }
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
