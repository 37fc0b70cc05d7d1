import type { BudgetStore } from './types.js';

// The part of a node-redis client this store uses (the optional peer dependency `redis`).
interface RedisClient {
  isOpen: boolean;
  isReady: boolean;
  connect(): Promise<unknown>;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  destroy?(): void;
  ref?(): void;
  unref?(): void;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  multi(): { addCommand(args: string[]): unknown; exec(): Promise<unknown[]> };
}

type CreateClient = (options: unknown) => RedisClient;

// The longest pause between two connection attempts while Redis is down.
const MAX_BACKOFF_MS = 2000;
// Deadlines advance in steps of this much free event-loop time (see freeTimeout).
const TICK_MS = 100;

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** `redis://host:port/db` (credentials in the URL are never logged). */
  url: string;
  /** Give up a command after this long (default 1000 ms): the budget falls back to local counting. */
  commandTimeoutMs?: number;
}

function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '' || u.username !== '') {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return 'redis (unparsable URL)';
  }
}

/**
 * Spend shared by every replica through Redis: `INCRBY` on integer pico-dollars (atomic, so
 * concurrent replicas never lose an increment) with the key's expiry set in the same
 * transaction; totals are read back as strings, exact beyond 2^53. Uses the `redis` package
 * (node-redis), an optional peer dependency loaded only when this store is created.
 */
export class RedisStore implements BudgetStore {
  readonly description: string;
  readonly shared = true;
  private client: RedisClient | undefined;
  private attempt: Promise<RedisClient> | undefined;
  private module: Promise<CreateClient> | undefined;
  private attempts = 0;
  private nextAttemptAt = 0;
  private firstSettled = false;
  private holds = 0;
  private closed = false;
  private readonly timeoutMs: number;

  constructor(private readonly options: RedisStoreOptions) {
    this.description = `redis ${redacted(options.url)}`;
    this.timeoutMs = options.commandTimeoutMs ?? 1000;
  }

  async add(key: string, pico: bigint, expiresAt: number): Promise<bigint> {
    return this.held(async () => {
      const client = await this.connected();
      const multi = client.multi();
      multi.addCommand(['INCRBY', key, pico.toString()]);
      multi.addCommand(['PEXPIREAT', key, String(Math.ceil(expiresAt))]);
      multi.addCommand(['GET', key]);
      const replies = await this.bounded(multi.exec());
      return BigInt(String(replies[2] ?? '0'));
    });
  }

  async get(keys: readonly string[]): Promise<bigint[]> {
    if (keys.length === 0) return [];
    return this.held(async () => {
      const client = await this.connected();
      const replies = (await this.bounded(client.sendCommand(['MGET', ...keys]))) as (string | null)[];
      return replies.map((reply) => (reply === null || reply === undefined ? 0n : BigInt(String(reply))));
    });
  }

  // The socket holds the event loop only while a command (or the connection it waits for) is
  // under way, each bounded by the command timeout: an app awaiting a tracked call that waits
  // for Redis must not exit under it (Node would end it with code 13), and an app that is done
  // must not be kept alive by an idle connection.
  private async held<T>(operation: () => Promise<T>): Promise<T> {
    if (this.holds++ === 0) this.client?.ref?.();
    try {
      return await operation();
    } finally {
      if (--this.holds === 0) this.client?.unref?.();
    }
  }

  /** Closes the connection (pending replies first, bounded) and stops reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    if (client.isReady && client.close !== undefined) {
      try {
        await this.bounded(client.close(), 'could not close');
        return;
      } catch {
        // Falls through to destroy: closing must never hold the exit up.
      }
    }
    quietly(() => client.destroy?.());
  }

  // Nothing here holds the event loop for long: the socket is unref'd when idle (see held()), and
  // node-redis's own reconnection (a ref'd timer, which kept a process whose Redis was down alive
  // for ever) is off. Attempts
  // are made on demand instead, by the commands and the budget set's unref'd refresh timer, at
  // most every 0.1, 0.2, 0.4 ... 2 s. Commands wait for the first connection at most the command
  // timeout (counted in free event-loop time: a start-up that blocks the loop for seconds must
  // not report a Redis that is up as unreachable); after that they fail at once while it is
  // offline, rather than holding every call up. Nothing is sent to a client that is not ready:
  // node-redis queues a MULTI even with the offline queue off, and it would run on reconnect,
  // after the budget set took the increment as failed and kept it to add again (counted twice).
  private async connected(): Promise<RedisClient> {
    if (this.closed) throw new Error('the store is closed');
    // Loading the package is not connecting: it can take a while on a busy start-up.
    if (this.attempts === 0 && !this.firstSettled) await this.createClient();
    const ready = this.client;
    if (ready?.isReady) return ready;
    const attempt = this.attempt ?? (Date.now() >= this.nextAttemptAt ? this.startAttempt() : undefined);
    // Every command waits for the first attempt (concurrent ones share it), none for later ones.
    if (attempt !== undefined && !this.firstSettled) return this.bounded(attempt, 'could not connect');
    throw new Error('not connected (reconnecting in the background)');
  }

  private createClient(): Promise<CreateClient> {
    this.module ??= (async () => {
      try {
        const redis = (await import('redis')) as unknown as { createClient: CreateClient };
        return redis.createClient;
      } catch {
        throw new Error('the `redis` package is not installed beside mltel (npm install redis@6)');
      }
    })();
    return this.module;
  }

  private startAttempt(): Promise<RedisClient> {
    this.nextAttemptAt = Date.now() + Math.min(TICK_MS * 2 ** this.attempts, MAX_BACKOFF_MS);
    this.attempts++;
    const previous = this.client;
    this.client = undefined;
    if (previous !== undefined) quietly(() => previous.destroy?.());
    const attempt = (async () => {
      const createClient = await this.createClient();
      const client = createClient({
        url: this.options.url,
        socket: { connectTimeout: this.timeoutMs, reconnectStrategy: false },
        disableOfflineQueue: true,
      });
      client.on('error', () => {
        // Reported once by the budget set through the failing command; never crash the app.
      });
      if (this.holds > 0) client.ref?.();
      else client.unref?.();
      this.client = client;
      try {
        await client.connect();
      } catch (error) {
        if (this.client === client) this.client = undefined;
        quietly(() => client.destroy?.());
        throw error;
      }
      if (this.closed) {
        quietly(() => client.destroy?.());
        throw new Error('the store is closed');
      }
      this.attempts = 0;
      return client;
    })().finally(() => {
      this.attempt = undefined;
      this.firstSettled = true;
    });
    // A background attempt's failure is seen by the next command; never an unhandled rejection.
    attempt.catch(() => {});
    this.attempt = attempt;
    return attempt;
  }

  private bounded<T>(promise: Promise<T>, failure = 'no answer'): Promise<T> {
    const timeout = freeTimeout(this.timeoutMs);
    return Promise.race([
      promise,
      timeout.promise.then(() => {
        throw new Error(`${failure} within ${this.timeoutMs} ms`);
      }),
    ]).finally(timeout.cancel);
  }
}

/**
 * Resolves after `ms` of free event-loop time: it advances in ticks of at most 100 ms and counts
 * each tick at its nominal length however late it fires, so a loop blocked for seconds (a busy
 * start-up, a cluster starting on few cores) uses up one tick, not the whole deadline. Its timer
 * is unref'd.
 */
function freeTimeout(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let left = ms;
  const promise = new Promise<void>((resolve) => {
    const tick = (): void => {
      if (left <= 0) {
        resolve();
        return;
      }
      const step = Math.min(left, TICK_MS);
      left -= step;
      timer = setTimeout(tick, step);
      timer.unref?.();
    };
    tick();
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // Releasing a client that is already gone is not a problem.
  }
}
