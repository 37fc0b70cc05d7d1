// Budgets kept in real stores, through real processes: a real redis-server (Debian package,
// fetched by scripts/fetch-servers.sh) shared by two replicas with a hard stop, a Redis outage
// mid-run, and a budget file that survives a restart (or is corrupt).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../packages/cost/dist/index.js';
import { freePort, ROOT, spawnChild, startRedis, tempDir, until } from './helpers.js';
import type { Child, RedisServer } from './helpers.js';

const APP = join(ROOT, 'test/fixtures/budget-app/app.mjs');
/** $0.01, the price of one call of the fixture app, in pico-dollars. */
const CALL_PICO = 10_000_000_000n;

interface Done {
  completed: number;
  refused: number;
  errors: string[];
  costUsd: number;
  spentUsd: number;
}

const children: Child[] = [];
function runApp(env: NodeJS.ProcessEnv): Child {
  const child = spawnChild(process.execPath, [APP], { cwd: ROOT, env: { OTEL_LOG_LEVEL: 'warn', ...env } });
  children.push(child);
  return child;
}

/** Waits (bounded) for the app to exit by itself, then returns its `done` summary. */
async function finished(child: Child, timeoutMs = 60_000): Promise<Done> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([
    child.exited,
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs))),
  ]);
  clearTimeout(timer);
  const report = `\nstdout:\n${child.stdout()}\nstderr:\n${child.stderr()}`;
  if (result === undefined) throw new Error(`the app did not exit within ${timeoutMs} ms${report}`);
  expect(result, report).toEqual({ code: 0, signal: null });
  return JSON.parse(linePayload(await child.waitForLine(/^done /, 1000))) as Done;
}

function linePayload(line: string): string {
  return line.slice(line.indexOf('{'));
}

function stderrLines(child: Child, pattern: RegExp): string[] {
  return child
    .stderr()
    .split('\n')
    .filter((line) => pattern.test(line));
}

/** The sum of every budget counter in Redis (all windows), exactly. */
async function redisTotal(redis: RedisServer): Promise<bigint> {
  const keys = (await redis.cli('--scan', '--pattern', 'mltel:budget:*')).split('\n').filter((k) => k !== '');
  let total = 0n;
  for (const key of keys) total += BigInt(await redis.cli('GET', key));
  return total;
}

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop()));
});

describe('RedisStore against a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('adds exactly beyond 2^53, sets the expiry, reads missing keys as 0', async () => {
    const store = new RedisStore({ url: redis.url });
    try {
      const key = 'mltel:test:big';
      const expiresAt = Date.now() + 3_600_000;
      expect(await store.add(key, 2n ** 60n, expiresAt)).toBe(2n ** 60n);
      expect(await store.add(key, 1n, expiresAt)).toBe(2n ** 60n + 1n);
      expect(await redis.cli('GET', key)).toBe((2n ** 60n + 1n).toString());
      const pttl = Number(await redis.cli('PTTL', key));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(3_600_000);
      expect(await store.get([key, 'mltel:test:missing', 'mltel:test:missing-too'])).toEqual([2n ** 60n + 1n, 0n, 0n]);
      expect(await store.get([])).toEqual([]);

      // Increments from one client, all at once: none lost.
      const totals = await Promise.all(Array.from({ length: 200 }, () => store.add('mltel:test:many', 3n, expiresAt)));
      expect(await store.get(['mltel:test:many'])).toEqual([600n]);
      expect(new Set(totals).size).toBe(200);
    } finally {
      await store.close();
    }
  });
});

describe('two replicas sharing one Redis budget with a hard stop', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('stops both at the limit, overspending by at most the calls in flight', async () => {
    const workers = 4;
    const env = { BUDGET_STORE: 'redis', REDIS_URL: redis.url, LIMIT_USD: '1', WORKERS: String(workers) };
    const apps = [runApp(env), runApp(env)];
    const results = await Promise.all(apps.map((app) => finished(app)));
    const completed = results.reduce((sum, r) => sum + r.completed, 0);
    const report = JSON.stringify(results);
    // $1 at $0.01 a call: 100 calls reach the limit; at most one call per worker can be under way then.
    expect(completed, report).toBeGreaterThanOrEqual(100);
    expect(completed, report).toBeLessThanOrEqual(100 + 2 * workers);
    for (const [i, result] of results.entries()) {
      expect(result.errors, report).toEqual([]);
      expect(result.refused, report).toBeGreaterThanOrEqual(1);
      expect(result.costUsd, report).toBe(result.completed / 100);
      expect(stderrLines(apps[i]!, /budget store/), apps[i]!.stderr()).toEqual([]);
    }
    // Every increment landed, none twice: exact integer pico-dollars.
    expect(await redisTotal(redis)).toBe(BigInt(completed) * CALL_PICO);
  });
});

describe('a Redis outage mid-run', () => {
  let redis: RedisServer | undefined;
  afterAll(async () => {
    await redis?.stop();
  });

  it('warns once, keeps counting cost, enforces the hard stop locally, and syncs when Redis is back', async () => {
    redis = await startRedis();
    const { port } = redis;
    const app = runApp({
      BUDGET_STORE: 'redis',
      REDIS_URL: redis.url,
      LIMIT_USD: '0.5',
      WORKERS: '2',
      PAUSE_AT: '10',
      HOLD: '1',
    });
    const before = JSON.parse(linePayload(await app.waitForLine(/^paused /))) as { completed: number };
    expect(before.completed).toBeGreaterThanOrEqual(10);
    expect(await redisTotal(redis)).toBe(BigInt(before.completed) * CALL_PICO);

    // Redis dies while the app waits; then the app goes on.
    redis.kill();
    await redis.stop();
    redis = undefined;
    app.process.kill('SIGUSR2');
    const refused = JSON.parse(linePayload(await app.waitForLine(/^refused /))) as Done;
    const report = `${JSON.stringify(refused)}\nstderr:\n${app.stderr()}`;
    // The hard stop holds on the spend counted here: $0.50 = 50 calls, plus at most the calls under way.
    expect(refused.completed, report).toBeGreaterThanOrEqual(50);
    expect(refused.completed, report).toBeLessThanOrEqual(50 + 2);
    expect(refused.refused, report).toBeGreaterThanOrEqual(1);
    expect(refused.costUsd, report).toBe(refused.completed / 100);
    const failed = stderrLines(app, /budget store \(redis redis:\/\/127\.0\.0\.1:\d+\/?\) failed/);
    expect(failed, report).toHaveLength(1);

    // Redis back on the same port (empty: it kept nothing): the spend counted meanwhile is added once.
    redis = await startRedis({ port });
    const server = redis;
    await until(
      async () => stderrLines(app, /budget store \(redis [^)]*\) works again\.$/).length,
      (n) => n >= 1,
      30_000,
    );
    const outage = BigInt(refused.completed - before.completed) * CALL_PICO;
    await until(
      async () => String(await redisTotal(server)),
      (total) => total === String(outage),
      10_000,
    );

    app.process.kill('SIGUSR2');
    const done = await finished(app);
    expect(done.completed).toBe(refused.completed);
    expect(done.costUsd).toBe(done.completed / 100);
    expect(done.errors).toEqual([]);
    expect(stderrLines(app, /budget store .* failed/), app.stderr()).toHaveLength(1);
    expect(stderrLines(app, /budget store \([^)]*\) works again\.$/), app.stderr()).toHaveLength(1);
    expect(await redisTotal(server)).toBe(outage);
  });

  it('starts with Redis down: warns once, stops at the local count, syncs once Redis is up, exits', async () => {
    const port = await freePort();
    const app = runApp({
      BUDGET_STORE: 'redis',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      LIMIT_USD: '0.2',
      WORKERS: '2',
      HOLD: '1',
    });
    const refused = JSON.parse(linePayload(await app.waitForLine(/^refused /, 60_000))) as Done;
    const report = `${JSON.stringify(refused)}\nstderr:\n${app.stderr()}`;
    expect(refused.completed, report).toBeGreaterThanOrEqual(20);
    expect(refused.completed, report).toBeLessThanOrEqual(20 + 2);
    expect(refused.costUsd, report).toBe(refused.completed / 100);
    expect(stderrLines(app, /budget store \(redis [^)]*\) failed/), report).toHaveLength(1);

    redis = await startRedis({ port });
    const server = redis;
    await until(
      async () => stderrLines(app, /budget store \(redis [^)]*\) works again\.$/).length,
      (n) => n >= 1,
      30_000,
    );
    const spent = BigInt(refused.completed) * CALL_PICO;
    await until(
      async () => String(await redisTotal(server)),
      (total) => total === String(spent),
      10_000,
    );

    // One client, closed at the end: the app exits by itself.
    app.process.kill('SIGUSR2');
    const done = await finished(app, 20_000);
    expect(done).toMatchObject({ completed: refused.completed, errors: [] });
    expect(stderrLines(app, /budget store .* failed/), app.stderr()).toHaveLength(1);
    expect(await redisTotal(server)).toBe(spent);
    await redis.stop();
    redis = undefined;
  });
});

describe('a budget file', () => {
  const dir = tempDir('mltel-budget-file-');
  afterAll(() => dir.remove());

  it('keeps the spend across a restart and refuses at the limit', async () => {
    const file = join(dir.path, 'state', 'budgets.json');
    const first = runApp({ BUDGET_STORE: 'file', BUDGET_FILE: file, LIMIT_USD: '1', WORKERS: '2', MAX_CALLS: '30' });
    const one = await finished(first);
    expect(one).toMatchObject({ completed: 30, refused: 0, errors: [], costUsd: 0.3 });
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { counters: Record<string, { total: string }> };
    expect(Object.values(saved.counters).map((c) => c.total)).toEqual([(30n * CALL_PICO).toString()]);

    // Restarted with a $0.50 limit: it starts at $0.30 and stops at $0.50.
    const second = runApp({ BUDGET_STORE: 'file', BUDGET_FILE: file, LIMIT_USD: '0.5', WORKERS: '2' });
    expect(JSON.parse(linePayload(await second.waitForLine(/^loaded /)))).toEqual({ spentUsd: 0.3 });
    const two = await finished(second);
    expect(two.errors).toEqual([]);
    expect(two.completed).toBeGreaterThanOrEqual(20);
    expect(two.completed).toBeLessThanOrEqual(20 + 2);
    expect(two.refused).toBeGreaterThanOrEqual(1);

    // Restarted at the limit: the first call is refused.
    const third = runApp({ BUDGET_STORE: 'file', BUDGET_FILE: file, LIMIT_USD: '0.5', WORKERS: '2' });
    expect(JSON.parse(linePayload(await third.waitForLine(/^loaded /)))).toEqual({
      spentUsd: (30 + two.completed) / 100,
    });
    expect(await finished(third)).toMatchObject({ completed: 0, refused: 2, errors: [] });
    for (const app of [first, second, third]) expect(app.stderr()).toBe('');
  });

  it('reports a corrupt file once, keeps it aside and counts from zero', async () => {
    const file = join(dir.path, 'corrupt.json');
    writeFileSync(file, '{"version": 1, "counters": {');
    const app = runApp({ BUDGET_STORE: 'file', BUDGET_FILE: file, LIMIT_USD: '1', WORKERS: '2', MAX_CALLS: '5' });
    expect(JSON.parse(linePayload(await app.waitForLine(/^loaded /)))).toEqual({ spentUsd: 0 });
    expect(await finished(app)).toMatchObject({ completed: 5, refused: 0, errors: [], costUsd: 0.05 });
    expect(stderrLines(app, /budget file .* could not be read/), app.stderr()).toHaveLength(1);
    expect(app.stderr().trim().split('\n')).toHaveLength(1);
    expect(existsSync(`${file}.corrupt`)).toBe(true);
    expect(readFileSync(`${file}.corrupt`, 'utf8')).toBe('{"version": 1, "counters": {');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { counters: Record<string, { total: string }> };
    expect(Object.values(saved.counters).map((c) => c.total)).toEqual([(5n * CALL_PICO).toString()]);
  });
});
