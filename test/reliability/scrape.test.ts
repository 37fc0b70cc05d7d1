import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, spawnChild, tempDir } from '../integration/helpers.js';
import type { Child } from '../integration/helpers.js';

// Finding 4 of issue 13: the scrape endpoint must not amplify load. An app under the preload holds
// 10k series and measures its own event-loop delay (perf_hooks.monitorEventLoopDelay); a burst of
// 1,000 concurrent scrapes must not freeze it (it did for 134 s), and 1,100 idle connections must
// not exhaust its file descriptors (the app runs with `ulimit -n 1024`, a common default).

const APP = `
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
const { metrics } = await import(process.env.APP_API);
const meter = metrics.getMeter('app');
// 10k series: 5 counters of 2000 (the SDK's default per-instrument limit).
for (let k = 0; k < 5; k++) {
  const counter = meter.createCounter('app.load_' + k, { unit: '{item}' });
  for (let i = 0; i < 2000; i++) counter.add(1, { 'app.key': 'k' + i, 'app.group': 'g' + (i % 7) });
}
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const server = createServer((req, res) => {
  if (req.url === '/reset') { delay.reset(); res.end('ok'); return; }
  if (req.url === '/delay') { res.end(JSON.stringify({ maxMs: delay.max / 1e6 })); return; }
  if (req.url === '/file') {
    // The app opening a file of its own: fails with EMFILE when its descriptors are exhausted.
    try { readFileSync(new URL(import.meta.url)); res.end('ok'); }
    catch (error) { res.writeHead(500).end(String(error)); }
    return;
  }
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => console.log('app: ready ' + server.address().port));
`;

interface Outcome {
  status?: number;
  error?: string;
}

/** One GET with a hard time limit; a refusal is an error code, a time-out is 'timeout'. */
function get(port: number, path: string, timeoutMs: number, method = 'GET'): Promise<Outcome & { body?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ error: 'timeout' });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}

// What a scraper may see from a server that turns a connection away: a reset or a close.
const REFUSALS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'socket hang up']);

describe('the scrape endpoint under load (issue 13, finding 4)', () => {
  const dir = tempDir('mltel-scrape-');
  let app: Child;
  let metricsPort: number;
  let appPort: number;

  beforeAll(async () => {
    writeFileSync(join(dir.path, 'app.mjs'), APP);
    metricsPort = await freePort();
    const register = pathToFileURL(join(ROOT, 'packages/node/dist/register.js')).href;
    const api = pathToFileURL(join(ROOT, 'packages/node/node_modules/@opentelemetry/api/dist/index.mjs')).href;
    app = spawnChild(
      '/bin/sh',
      ['-c', 'ulimit -n 1024 && exec "$0" "$@"', process.execPath, '--import', register, 'app.mjs'],
      {
        cwd: dir.path,
        env: {
          APP_API: api,
          OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
          MLTEL_HOST_METRICS: 'false',
          MLTEL_GPU: 'false',
          OTEL_LOG_LEVEL: 'error',
        },
      },
    );
    appPort = Number((await app.waitForLine(/^app: ready \d+/, 20_000)).split(' ').pop());
    // The endpoint listens once the preload's start-up finishes.
    for (let i = 0; i < 100 && (await get(metricsPort, '/healthz', 1_000)).status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    await app?.stop();
    dir.remove();
  });

  it('1,000 concurrent scrapes: each gets a 200 or a clean refusal, and the app is not frozen', async () => {
    const one = await get(metricsPort, '/metrics', 10_000);
    expect(one.status).toBe(200);
    expect(one.body?.split('\n').filter((line) => line.startsWith('app_load_')).length).toBe(10_000);

    await get(appPort, '/reset', 5_000);
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 1_000 }, () => get(metricsPort, '/metrics', 30_000)));
    const burstMs = Date.now() - started;
    const delay = await get(appPort, '/delay', 30_000);
    const maxDelayMs = delay.body === undefined ? Number.NaN : (JSON.parse(delay.body) as { maxMs: number }).maxMs;

    const counts = new Map<string, number>();
    for (const o of outcomes) {
      const key = o.status !== undefined ? String(o.status) : o.error!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    console.log(
      `1,000 concurrent scrapes of 10k series: ${burstMs} ms for the burst, outcomes ${JSON.stringify(Object.fromEntries(counts))}, ` +
        `app event-loop max delay ${maxDelayMs.toFixed(1)} ms`,
    );
    expect(counts.get('200') ?? 0).toBeGreaterThan(0);
    for (const key of counts.keys()) expect(key === '200' || REFUSALS.has(key), `outcome ${key}`).toBe(true);
    // Was 134 s on the old endpoint (a full collection per request on the app's thread).
    expect(maxDelayMs).toBeLessThan(2_000);
  });

  it('HEAD /metrics answers without a body', async () => {
    const head = await get(metricsPort, '/metrics', 5_000, 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('1,100 idle connections do not exhaust the app: it still opens a file and serves', async () => {
    const sockets: Socket[] = [];
    const settled = await Promise.all(
      Array.from(
        { length: 1_100 },
        () =>
          new Promise<string>((resolve) => {
            const socket = connect({ host: '127.0.0.1', port: metricsPort });
            sockets.push(socket);
            const timer = setTimeout(() => resolve('pending'), 10_000);
            socket.once('connect', () => {
              clearTimeout(timer);
              resolve('connected');
            });
            socket.once('error', () => {
              clearTimeout(timer);
              resolve('error');
            });
          }),
      ),
    );
    try {
      // Let the app accept (or turn away) what it will.
      await new Promise((r) => setTimeout(r, 1_000));
      const file = await get(appPort, '/file', 10_000);
      const scrape = await get(metricsPort, '/metrics', 10_000);
      const open = sockets.filter((socket) => !socket.destroyed && socket.readyState === 'open').length;
      console.log(
        `1,100 idle connections: ${settled.filter((s) => s === 'connected').length} connected, ${open} still open after 1 s; ` +
          `app's own file read: ${file.status ?? file.error} ${file.status === 200 ? '' : (file.body ?? '')}; scrape: ${scrape.status ?? scrape.error}`,
      );
      expect([file.status, file.body]).toEqual([200, 'ok']);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    // Once they are gone the endpoint serves again.
    let after: Outcome = {};
    for (let i = 0; i < 50 && after.status !== 200; i++) {
      after = await get(metricsPort, '/metrics', 10_000);
      if (after.status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after.status).toBe(200);
  });
});
