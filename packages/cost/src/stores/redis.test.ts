import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetSet } from '../budgets/budget-set.js';
import { RedisStore } from './redis.js';

// The machine's own Redis (127.0.0.1:6379), under keys of this run only, deleted afterwards.
// test/integration/budgets-redis.test.ts runs a Redis of its own through real processes.
const URL = 'redis://127.0.0.1:6379';
const PREFIX = `mltel-unit:${randomUUID()}:`;
const HOUR = 3_600_000;

/** Whether a Redis answers PING on 127.0.0.1:6379 within a second. */
function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.setEncoding('utf8').once('data', (data: string) => done(data.startsWith('+PONG')));
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('RedisStore without a server', () => {
  it('describes itself without the credentials of its URL, and is shared', () => {
    const store = new RedisStore({ url: 'redis://alice:s3cret@cache.internal:6380/2' });
    expect(store.description).toBe('redis redis://cache.internal:6380/2');
    expect(store.shared).toBe(true);
    expect(new RedisStore({ url: 'not a url' }).description).toBe('redis redis (unparsable URL)');
    expect(new RedisStore({ url: URL }).description).toBe('redis redis://127.0.0.1:6379');
  });

  it('a Redis that is not there: commands fail within the timeout, and at once after it', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${await closedPort()}`, commandTimeoutMs: 200 });
    try {
      const started = performance.now();
      // A refused connection fails at once (no reconnection loop inside node-redis).
      await expect(store.add(`${PREFIX}k`, 1n, Date.now() + HOUR)).rejects.toThrow('ECONNREFUSED');
      expect(performance.now() - started).toBeLessThan(2000);
      // Past the first connection's deadline a command no longer waits for it.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const again = performance.now();
      await expect(store.get([`${PREFIX}k`])).rejects.toThrow('not connected (reconnecting in the background)');
      expect(performance.now() - again).toBeLessThan(100);
    } finally {
      await store.close();
    }
  });

  it('get() of no keys needs no connection', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${await closedPort()}` });
    expect(await store.get([])).toEqual([]);
    await store.close();
  });
});

const available = await redisAnswers();

describe.skipIf(!available)('RedisStore against the Redis on 127.0.0.1:6379', () => {
  const raw = createClient({ url: URL });
  beforeAll(async () => {
    await raw.connect();
  });
  afterAll(async () => {
    for await (const keys of raw.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 100 })) {
      if (keys.length > 0) await raw.del(keys);
    }
    expect(await raw.keys(`${PREFIX}*`)).toEqual([]);
    await raw.close();
  });

  it('adds exactly beyond 2^53 with the expiry set, and reads missing keys as 0', async () => {
    const store = new RedisStore({ url: URL });
    try {
      const key = `${PREFIX}big`;
      const expiresAt = Date.now() + HOUR;
      // Redis counts in signed 64 bits: 2^60 is well past what a double holds exactly.
      expect(await store.add(key, 2n ** 60n, expiresAt)).toBe(2n ** 60n);
      expect(await store.add(key, 3n, expiresAt)).toBe(2n ** 60n + 3n);
      expect(await raw.get(key)).toBe('1152921504606846979');
      const pttl = await raw.pTTL(key);
      expect(pttl).toBeGreaterThan(HOUR - 60_000);
      expect(pttl).toBeLessThanOrEqual(HOUR);
      expect(await store.get([key, `${PREFIX}missing`])).toEqual([2n ** 60n + 3n, 0n]);
    } finally {
      await store.close();
    }
  });

  it('concurrent adds from two stores (two replicas) all land, none twice', async () => {
    const a = new RedisStore({ url: URL });
    const b = new RedisStore({ url: URL });
    try {
      const key = `${PREFIX}shared`;
      const expiresAt = Date.now() + HOUR;
      const totals = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).add(key, 7n, expiresAt)),
      );
      // Each add saw a total of its own: 7, 14, ... 700.
      expect(totals.map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => 7 * (i + 1)));
      expect(await a.get([key])).toEqual([700n]);
      expect(await b.get([key])).toEqual([700n]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('budgets of two processes share their spend through it', async () => {
    const sink = { exceeded: () => {}, refused: () => {} };
    const budgets = [{ name: 'daily', limitUsd: 10, window: 'day' as const, hardStop: true }];
    const stores = [new RedisStore({ url: URL }), new RedisStore({ url: URL })];
    const [one, two] = stores.map(
      (store) => new BudgetSet(budgets, { store, sink, keyPrefix: PREFIX, refreshMs: 60_000 }),
    );
    try {
      const call = { provider: 'openai', model: 'gpt-4o' };
      one!.charge(call, 1_500_000_000_000n);
      await one!.close();
      // The other process reads that spend back before a call it could refuse.
      expect(two!.spentUsd('daily')).toBe(0);
      await two!.prepare(call);
      expect(two!.spentUsd('daily')).toBe(1.5);
      two!.charge(call, 250_000_000_000n);
      await two!.close();
      expect(two!.spentUsd('daily')).toBe(1.75);
      const keys = await raw.keys(`${PREFIX}daily:day:*`);
      expect(keys).toHaveLength(1);
      expect(await raw.get(keys[0]!)).toBe('1750000000000');
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('concurrent first commands share one connection attempt; none is told "not connected"', async () => {
    const store = new RedisStore({ url: URL });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0 ? store.add(`${PREFIX}first`, 1n, Date.now() + HOUR) : store.get([`${PREFIX}first`]),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(await store.get([`${PREFIX}first`])).toEqual([10n]);
    } finally {
      await store.close();
    }
  });

  it('an idle connection does not keep a process alive; a command under way does (finding 3)', () => {
    // A child that adds once and never closes the store: it must still exit by itself, with
    // the increment made (the socket holds the loop while the command runs, not after).
    const key = `${PREFIX}child`;
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { RedisStore } = await import(${JSON.stringify(new globalThis.URL('../../dist/index.js', import.meta.url).href)});
         const store = new RedisStore({ url: ${JSON.stringify(URL)} });
         console.log(String(await store.add(${JSON.stringify(key)}, 5n, Date.now() + ${HOUR})));`,
      ],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout.trim()).toBe('5');
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
