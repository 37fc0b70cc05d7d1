// How a distribution (`@mltel/node`, or any SDK set-up) announces a new global MeterProvider to
// meters created before it (e.g. `@mltel/tasks` with observed queues), without a package
// dependency between them: a Set of callbacks on `globalThis` under a registered symbol, so
// every copy of every mltel package shares it.

/** The registered symbol under which the listeners live on `globalThis`. */
export const PROVIDER_CHANGED = Symbol.for('@mltel/global-meter-provider-changed');

/** The shared set of provider-change listeners (created on first use). */
export function providerChangeListeners(): Set<() => void> {
  const holder = globalThis as { [PROVIDER_CHANGED]?: Set<() => void> };
  holder[PROVIDER_CHANGED] ??= new Set();
  return holder[PROVIDER_CHANGED];
}

/** Calls every listener; one that throws does not stop the others or the caller. */
export function announceProviderChange(): void {
  for (const listener of providerChangeListeners()) {
    try {
      listener();
    } catch {
      // A listener's failure must not stop start-up.
    }
  }
}

/** How often {@link followGlobalProvider} re-checks for a global provider nobody announced (ms). */
export const PROVIDER_RECHECK_MS = 5_000;

/**
 * Calls `onChange` whenever the global MeterProvider may have changed: at once when a
 * distribution announces it ({@link announceProviderChange}), and every `recheckMs` on an
 * unref'd timer for an SDK that does not announce itself. Returns the function that stops.
 */
export function followGlobalProvider(onChange: () => void, recheckMs: number = PROVIDER_RECHECK_MS): () => void {
  providerChangeListeners().add(onChange);
  const recheck = setInterval(onChange, recheckMs);
  recheck.unref?.();
  return () => {
    providerChangeListeners().delete(onChange);
    clearInterval(recheck);
  };
}
