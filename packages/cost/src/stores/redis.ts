import type { BudgetStore } from './types.js';

// The part of a node-redis client this store uses (the optional peer dependency `redis`).
interface RedisClient {
  isOpen: boolean;
  isReady: boolean;
  connect(): Promise<unknown>;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  multi(): { addCommand(args: string[]): unknown; exec(): Promise<unknown[]> };
}

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
  private connecting: Promise<RedisClient> | undefined;
  private connectDeadline = 0;
  private readonly timeoutMs: number;

  constructor(private readonly options: RedisStoreOptions) {
    this.description = `redis ${redacted(options.url)}`;
    this.timeoutMs = options.commandTimeoutMs ?? 1000;
  }

  async add(key: string, pico: bigint, expiresAt: number): Promise<bigint> {
    const client = await this.connected();
    const multi = client.multi();
    multi.addCommand(['INCRBY', key, pico.toString()]);
    multi.addCommand(['PEXPIREAT', key, String(Math.ceil(expiresAt))]);
    multi.addCommand(['GET', key]);
    const replies = await this.bounded(multi.exec());
    return BigInt(String(replies[2] ?? '0'));
  }

  async get(keys: readonly string[]): Promise<bigint[]> {
    if (keys.length === 0) return [];
    const client = await this.connected();
    const replies = (await this.bounded(client.sendCommand(['MGET', ...keys]))) as (string | null)[];
    return replies.map((reply) => (reply === null || reply === undefined ? 0n : BigInt(String(reply))));
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    if (client?.isOpen) await (client.close ?? client.quit)?.call(client);
  }

  // One client for the store's life, connected once: while Redis is down (at start or later) it
  // keeps retrying in the background. (A new client per failed attempt would leave the earlier
  // ones reconnecting, and open, forever.) Commands wait for the first connection at most the
  // command timeout; after that they fail at once while the client is offline, rather than
  // holding every call up. Nothing is sent to a client that is not ready: node-redis queues a
  // MULTI even with the offline queue off, and it would run on reconnect, after the budget set
  // took the increment as failed and kept it to add again (counted twice).
  private async connected(): Promise<RedisClient> {
    let client = this.client;
    if (client === undefined || (!client.isReady && Date.now() < this.connectDeadline)) {
      client = await this.bounded(this.startClient(), 'could not connect');
    }
    if (!client.isReady) throw new Error('not connected (reconnecting in the background)');
    return client;
  }

  private startClient(): Promise<RedisClient> {
    this.connecting ??= (async () => {
      let redis: { createClient(options: unknown): RedisClient };
      try {
        redis = (await import('redis')) as unknown as { createClient(options: unknown): RedisClient };
      } catch {
        throw new Error('the `redis` package is not installed beside mltel (npm install redis@6)');
      }
      const { createClient } = redis;
      const client = createClient({
        url: this.options.url,
        socket: {
          connectTimeout: this.timeoutMs,
          // Reconnect in the background, at most every 2 s; commands fail fast meanwhile.
          reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
        },
        disableOfflineQueue: true,
      });
      client.on('error', () => {
        // Reported once by the budget set through the failing command; never crash the app.
      });
      this.client = client;
      this.connectDeadline = Date.now() + this.timeoutMs;
      await client.connect();
      return client;
    })();
    return this.connecting;
  }

  private bounded<T>(promise: Promise<T>, failure = 'no answer'): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${failure} within ${this.timeoutMs} ms`)), this.timeoutMs);
        timer.unref?.();
      }),
    ]).finally(() => clearTimeout(timer));
  }
}
