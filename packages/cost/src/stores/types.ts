/**
 * Where budget spend is kept: counters of whole pico-dollars by key (one key per budget and
 * window bucket), each expiring some time after its window ends.
 */
export interface BudgetStore {
  /** Says where, for messages (`memory`, `file /var/lib/app/budgets.json`, `redis redis://...`). */
  readonly description: string;
  /** Whether other processes change the counters too (then totals are re-read now and then). */
  readonly shared: boolean;
  /**
   * Adds `pico` to the counter of `key` atomically and makes it expire at `expiresAt` (UTC ms,
   * the same for every add to a key); resolves with its new total.
   */
  add(key: string, pico: bigint, expiresAt: number): Promise<bigint>;
  /** The totals of `keys` (0 for a missing one). */
  get(keys: readonly string[]): Promise<bigint[]>;
  /** Flushes and releases what it holds. */
  close(): Promise<void>;
}
