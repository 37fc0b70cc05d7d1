import type { BudgetStore } from './types.js';

/** Spend kept in this process only (the default): gone at exit, not shared. */
export class MemoryStore implements BudgetStore {
  readonly description: string = 'memory';
  readonly shared = false;
  protected readonly counters = new Map<string, { total: bigint; expiresAt: number }>();

  constructor(protected readonly now: () => number = Date.now) {}

  async add(key: string, pico: bigint, expiresAt: number): Promise<bigint> {
    return this.addNow(key, pico, expiresAt);
  }

  async get(keys: readonly string[]): Promise<bigint[]> {
    return keys.map((key) => this.read(key));
  }

  async close(): Promise<void> {}

  protected addNow(key: string, pico: bigint, expiresAt: number): bigint {
    this.expire();
    const total = this.read(key) + pico;
    this.counters.set(key, { total, expiresAt });
    return total;
  }

  protected read(key: string): bigint {
    const counter = this.counters.get(key);
    return counter === undefined || counter.expiresAt <= this.now() ? 0n : counter.total;
  }

  protected expire(): void {
    const now = this.now();
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
  }
}
