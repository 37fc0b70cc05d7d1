import { AsyncLocalStorage } from 'node:async_hooks';

/** The task and tenant that calls made inside {@link withCostScope} are charged to. */
export interface CostScope {
  /** `ml.task.name`: an attribute of `ml.cost.usd`, and a budget scope. */
  task?: string;
  /** A tenant: a budget scope only, never an attribute (tenants are unbounded). */
  tenant?: string;
}

const storage = new AsyncLocalStorage<CostScope>();

/** Runs `fn` with calls inside it (and in what it awaits) charged to `scope`. */
export function withCostScope<R>(scope: CostScope, fn: () => R): R {
  return storage.run({ ...storage.getStore(), ...scope }, fn);
}

/** The scope of the running code, if any. */
export function currentCostScope(): CostScope | undefined {
  return storage.getStore();
}
