import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, spawnChild, tempDir } from '../integration/helpers.js';
import type { Child } from '../integration/helpers.js';

// Finding 5 of issue 13: host metrics must spawn no process per collection by default (the
// network group ran `ip route`, `cat /sys/class/net/...` about 11 times per scrape), and in a
// cluster only the primary collects them (every worker did, and the primary threw their values
// away). An --import hook loaded before the preload counts, in every process of the app, the
// child processes started and the calls of os.freemem/os.cpus (what the system.memory and
// system.cpu groups read at each collection), and writes them to a file per process.

const COUNT_HOOK = `
import childProcess from 'node:child_process';
import cluster from 'node:cluster';
import { renameSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
const counts = { pid: process.pid, worker: cluster.isWorker, spawns: 0, hostReads: 0 };
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const original = childProcess[name];
  childProcess[name] = function (...args) {
    counts.spawns++;
    return original.apply(this, args);
  };
}
for (const name of ['freemem', 'cpus']) {
  const original = os[name];
  os[name] = function (...args) {
    counts.hostReads++;
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();
// Written aside, then renamed: the test never reads half a file.
const file = process.env.COUNT_DIR + '/' + process.pid + '.json';
const write = () => {
  writeFileSync(file + '.tmp', JSON.stringify(counts));
  renameSync(file + '.tmp', file);
};
setInterval(write, 100).unref();
globalThis.__mltelTestCounts = counts;
`;

const SINGLE_APP = `
console.log('app: ready');
setInterval(() => {}, 1000);
`;

const CLUSTER_APP = `
import cluster from 'node:cluster';
if (cluster.isPrimary) {
  let online = 0;
  cluster.on('online', () => { if (++online === 4) console.log('app: ready'); });
  for (let i = 0; i < 4; i++) cluster.fork();
} else {
  setInterval(() => {}, 1000);
}
`;

interface Counts {
  pid: number;
  worker: boolean;
  spawns: number;
  hostReads: number;
}

const children: Child[] = [];
const dirs: { path: string; remove: () => void }[] = [];
afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()));
  // Cluster workers outlive their stopped primary for a moment, still writing their count file
  // every 100 ms: wait (at most 5 s) until every process that wrote one has exited, or the folder
  // may gain a file while it is removed (ENOTEMPTY).
  const pids = dirs.flatMap((dir) =>
    readdirSync(dir.path)
      .map((name) => /^(\d+)\.json/.exec(name)?.[1])
      .filter((pid): pid is string => pid !== undefined)
      .map(Number),
  );
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  for (const dir of dirs) dir.remove();
});

async function startApp(app: string, env: NodeJS.ProcessEnv = {}): Promise<{ port: number; counts: () => Counts[] }> {
  const dir = tempDir('mltel-host-');
  dirs.push(dir);
  writeFileSync(join(dir.path, 'count.mjs'), COUNT_HOOK);
  writeFileSync(join(dir.path, 'app.mjs'), app);
  const port = await freePort();
  const register = pathToFileURL(join(ROOT, 'packages/node/dist/register.js')).href;
  const child = spawnChild(process.execPath, ['--import', './count.mjs', '--import', register, 'app.mjs'], {
    cwd: dir.path,
    env: {
      COUNT_DIR: dir.path,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      MLTEL_GPU: 'false',
      OTEL_LOG_LEVEL: 'error',
      ...env,
    },
  });
  children.push(child);
  await child.waitForLine(/^app: ready/, 20_000);
  const counts = (): Counts[] =>
    readdirSync(dir.path)
      .filter((name) => /^\d+\.json$/.test(name) && existsSync(join(dir.path, name)))
      .map((name) => JSON.parse(readFileSync(join(dir.path, name), 'utf8')) as Counts);
  return { port, counts };
}

async function scrape(port: number): Promise<{ text: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, ms: Date.now() - started };
}

async function scrapeUntil(port: number, accept: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let i = 0; i < 100; i++) {
    try {
      text = (await scrape(port)).text;
      if (accept(text)) return text;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`scrape never matched; last:\n${text.slice(0, 2_000)}`);
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 400));

describe('host metrics (issue 13, finding 5)', () => {
  it('by default a scrape spawns no process, and still has host CPU and memory', async () => {
    const { port, counts } = await startApp(SINGLE_APP);
    await scrapeUntil(port, (text) => text.includes('system_memory_usage'));
    await settle();
    const before = counts()[0]!.spawns;
    const SCRAPES = 5;
    const times: number[] = [];
    let text = '';
    for (let i = 0; i < SCRAPES; i++) {
      const result = await scrape(port);
      times.push(result.ms);
      text = result.text;
    }
    await settle();
    const perScrape = (counts()[0]!.spawns - before) / SCRAPES;
    console.log(
      `host metrics, default: ${perScrape} processes spawned per scrape; scrape times ${times.join(', ')} ms`,
    );
    expect(perScrape).toBe(0);
    expect(text).toMatch(/^system_cpu_time_seconds_total\{/m);
    expect(text).toMatch(/^system_memory_usage(_bytes)?\{/m);
    expect(text).toMatch(/^process_memory_usage(_bytes)? /m);
  });

  it('in a cluster of 4 workers only the primary collects host metrics', async () => {
    const { port, counts } = await startApp(CLUSTER_APP);
    // Each worker's own process metrics arrive under its slot once it reports.
    await scrapeUntil(
      port,
      (text) => (text.match(/^process_memory_usage\S*\{ml_cluster_worker="\d"/gm) ?? []).length === 4,
    );
    await settle();
    const before = new Map(counts().map((c) => [c.pid, c.hostReads]));
    const SCRAPES = 3;
    let text = '';
    for (let i = 0; i < SCRAPES; i++) text = (await scrape(port)).text;
    await settle();
    const reads = counts().map((c) => ({ worker: c.worker, reads: c.hostReads - (before.get(c.pid) ?? 0) }));
    console.log(`host metrics, 4-worker cluster, host reads over ${SCRAPES} scrapes: ${JSON.stringify(reads)}`);
    expect(reads.length).toBe(5);
    const collecting = reads.filter((r) => r.reads > 0);
    expect(collecting).toEqual([{ worker: false, reads: expect.any(Number) }]);
    // The host series once, from the primary: no worker label on them.
    expect(text).toMatch(/^system_cpu_time_seconds_total\{/m);
    expect(text).not.toMatch(/^system_\S*\{[^}]*ml_cluster_worker=/m);
  });
});
