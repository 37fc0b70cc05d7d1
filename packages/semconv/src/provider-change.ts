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
