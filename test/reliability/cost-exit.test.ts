// Issue 13, finding 3 (the cost parts): nothing the cost meter holds keeps the process alive.
// An app under the preload, with each budget store and price setting below, must exit by itself
// within a few seconds of its last line, with one clear message naming the variable and the fix
// where the setting cannot be used. Before the fix: Redis up or down and a FIFO in MLTEL_PRICES
// never exited (killed at 15 s), /dev/zero took 9.3 s, a hung price URL added 10 s; a FIFO as
// the file budget store blocked start-up for ever, /dev/zero there ran 15+ s and 860 MB.
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, spawnChild, startRedis, tempDir } from '../integration/helpers.js';
import type { Child, RedisServer } from '../integration/helpers.js';

// One priced call through the shared provider meter, then the app's last line; nothing else
// holds the loop, so the process ends as soon as mltel lets it.
const APP = `
import { defaultProviderMeter } from '@mltel/genai';
const meter = defaultProviderMeter();
await meter
  .track({ provider: 'openai', operation: 'chat', model: 'gpt-4o' }, async () => ({}), {
    usage: () => ({ inputTokens: 1000, outputTokens: 10 }),
  })
  .catch((error) => console.log('app: call failed', String(error)));
console.log('app: last line');
`;

/** Generous "did not hang" bound: a clean exit takes about 0.5 s here. */
const EXIT_WITHIN_MS = 5000;
/** Past this the child is killed and the test fails (before the fix: never, or 10-15 s). */
const GIVE_UP_MS = 20_000;

const BUDGETS = JSON.stringify([{ name: 'daily', limitUsd: 5, window: 'day' }]);

interface Run {
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Milliseconds from the app's last line to its exit. */
  afterLastLineMs: number;
  mltelLines: string[];
  child: Child;
}

async function runApp(env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawnChild(process.execPath, ['--import', '@mltel/node/register', '--input-type=module', '-e', APP], {
    cwd: ROOT,
    env: { OTEL_LOG_LEVEL: 'warn', OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ...env },
  });
  let lastLineAt = Number.NaN;
  try {
    await child.waitForLine(/^app: last line/, GIVE_UP_MS);
    lastLineAt = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exit = await Promise.race([
      child.exited,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), GIVE_UP_MS);
      }),
    ]);
    clearTimeout(timer);
    const afterLastLineMs = performance.now() - lastLineAt;
    return {
      exit,
      afterLastLineMs,
      mltelLines: child
        .stderr()
        .split('\n')
        .filter((line) => line.includes('mltel:')),
      child,
    };
  } finally {
    await child.stop();
  }
}

function report(run: Run): string {
  return `\nexit: ${JSON.stringify(run.exit)} after ${Math.round(run.afterLastLineMs)} ms\nstdout:\n${run.child.stdout()}\nstderr:\n${run.child.stderr()}`;
}

function expectPromptExit(run: Run): void {
  expect(run.exit, report(run)).toEqual({ code: 0, signal: null });
  expect(run.afterLastLineMs, report(run)).toBeLessThan(EXIT_WITHIN_MS);
}

describe('MLTEL_BUDGET_STORE=redis://', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('Redis up: the app exits by itself, its spend is in Redis, no false "could not connect"', async () => {
    const run = await runApp({ MLTEL_BUDGETS: BUDGETS, MLTEL_BUDGET_STORE: redis.url });
    expectPromptExit(run);
    expect(run.mltelLines, report(run)).toEqual([]);
    const keys = (await redis.cli('--scan', '--pattern', 'mltel:budget:daily:*')).split('\n').filter((k) => k !== '');
    expect(keys).toHaveLength(1);
    // 1000 x $0.0000025 + 10 x $0.00001, in pico-dollars.
    expect(await redis.cli('GET', keys[0]!)).toBe(String(2_600_000_000n));
  });

  it('Redis down (a port nothing listens on): exits by itself, one message naming MLTEL_BUDGET_STORE', async () => {
    const run = await runApp({
      MLTEL_BUDGETS: BUDGETS,
      MLTEL_BUDGET_STORE: `redis://127.0.0.1:${await freePort()}`,
    });
    expectPromptExit(run);
    expect(run.mltelLines, report(run)).toHaveLength(1);
    expect(run.mltelLines[0]).toMatch(/budget store .*failed.*Fix: .*MLTEL_BUDGET_STORE/);
  });
});

describe('MLTEL_PRICES that cannot be used', () => {
  let tmp: ReturnType<typeof tempDir>;
  let hung: Server;
  const sockets = new Set<Socket>();
  let hungUrl: string;
  beforeAll(async () => {
    tmp = tempDir('mltel-cost-exit-');
    // A price server that accepts and never answers.
    hung = createServer(() => {});
    hung.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}/model_prices_and_context_window.json`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => hung.close(() => resolve()));
    tmp.remove();
  });

  const cases: [string, () => string, RegExp][] = [
    [
      'a FIFO',
      () => {
        const path = join(tmp.path, 'prices.fifo');
        execFileSync('mkfifo', [path]);
        return path;
      },
      /not a regular file: a FIFO/,
    ],
    ['/dev/zero', () => '/dev/zero', /not a regular file: a character device/],
    [
      'a file over 32 MiB',
      () => {
        const path = join(tmp.path, 'huge.json');
        writeFileSync(path, '[]');
        truncateSync(path, 33 * 1024 * 1024);
        return path;
      },
      /larger than 32 MiB/,
    ],
    ['a URL that never answers', () => hungUrl, /aborted: the process is shutting down/],
  ];

  const budgetFiles: [string, () => string, RegExp][] = [
    [
      'a FIFO',
      () => {
        const path = join(tmp.path, `budgets-${Math.random().toString(36).slice(2)}.fifo`);
        execFileSync('mkfifo', [path]);
        return path;
      },
      /not a regular file: a FIFO/,
    ],
    ['/dev/zero', () => '/dev/zero', /not a regular file: a character device/],
    [
      'a file over the limit',
      () => {
        const path = join(tmp.path, `huge-budgets-${Math.random().toString(36).slice(2)}.json`);
        writeFileSync(path, '[]');
        truncateSync(path, 17 * 1024 * 1024);
        return path;
      },
      /larger than 1.? MiB/,
    ],
  ];

  it.each(budgetFiles)(
    'MLTEL_BUDGETS naming %s: starts, exits by itself, one message naming it',
    async (_, make, why) => {
      const run = await runApp({ MLTEL_BUDGETS: make() });
      expectPromptExit(run);
      expect(run.mltelLines, report(run)).toHaveLength(1);
      expect(run.mltelLines[0]).toMatch(why);
      expect(run.mltelLines[0]).toMatch(/MLTEL_BUDGETS.*Fix: /);
    },
  );

  it.each(budgetFiles)(
    'MLTEL_BUDGET_STORE=file: naming %s: starts, exits by itself, one message naming it',
    async (_, make, why) => {
      const run = await runApp({ MLTEL_BUDGETS: BUDGETS, MLTEL_BUDGET_STORE: `file:${make()}` });
      expectPromptExit(run);
      expect(run.mltelLines, report(run)).toHaveLength(1);
      expect(run.mltelLines[0]).toMatch(why);
      expect(run.mltelLines[0]).toMatch(/Fix: point MLTEL_BUDGET_STORE=file:/);
    },
  );

  it.each(cases)(
    '%s: the app exits by itself, with one message naming MLTEL_PRICES and the fix',
    async (_, make, why) => {
      const run = await runApp({ MLTEL_PRICES: make() });
      expectPromptExit(run);
      expect(run.mltelLines, report(run)).toHaveLength(1);
      expect(run.mltelLines[0]).toMatch(why);
      expect(run.mltelLines[0]).toMatch(/Fix: check MLTEL_PRICES .*regular JSON file of at most 32 MiB/);
    },
  );
});
