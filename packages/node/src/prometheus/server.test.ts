import { request } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsServer, SERVER_LIMITS } from './server.js';
import type { MetricsServerOptions } from './server.js';

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(
  scrape: (format: 'text' | 'openmetrics') => Promise<string | Buffer>,
  options?: MetricsServerOptions,
): Promise<{ server: MetricsServer; base: string }> {
  const server = new MetricsServer({ scrape }, options);
  servers.push(server);
  const address = await server.listen('127.0.0.1', 0);
  expect(address.address).toBe('127.0.0.1');
  expect(address.port).toBeGreaterThan(0);
  return { server, base: `http://127.0.0.1:${address.port}` };
}

const get = (url: string, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(5000) });

describe('MetricsServer', () => {
  it('serves the scrape on /metrics (query ignored) in the Prometheus text content type', async () => {
    let scrapes = 0;
    const { base } = await serve(async () => `# scrape ${++scrapes}\n`);
    const response = await get(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('# scrape 1\n');
    expect(await (await get(`${base}/metrics?name[]=ml_tasks_total`)).text()).toBe('# scrape 2\n');
  });

  it('serves OpenMetrics when Accept prefers it, with its content type; text otherwise', async () => {
    const formats: string[] = [];
    const { base } = await serve(async (format) => {
      formats.push(format);
      return format === 'openmetrics' ? '# EOF\n' : 'x 1\n';
    });
    const prometheus = await get(`${base}/metrics`, {
      headers: {
        accept:
          'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
      },
    });
    expect(prometheus.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(prometheus.headers.get('vary')).toBe('Accept, Accept-Encoding');
    expect(await prometheus.text()).toBe('# EOF\n');
    const browser = await get(`${base}/metrics`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(browser.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await browser.text()).toBe('x 1\n');
    expect(formats).toEqual(['openmetrics', 'text']);
  });

  it('gzips when Accept-Encoding allows it, once for every response of the same body', async () => {
    const body = Buffer.from('ml_tasks_total{ml_task_name="a"} 1\n'.repeat(2000));
    const { base } = await serve(async () => body);
    const port = Number(new URL(base).port);
    const raw = (encoding: string) =>
      new Promise<{ headers: Record<string, unknown>; bytes: Buffer }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/metrics', headers: { 'accept-encoding': encoding } });
        req.on('response', (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ headers: response.headers, bytes: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    const [first, second] = await Promise.all([raw('gzip, deflate'), raw('gzip')]);
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.bytes.length).toBeLessThan(body.length / 10);
    expect(gunzipSync(first.bytes).equals(body)).toBe(true);
    expect(second.bytes.equals(first.bytes)).toBe(true);
    const plain = await raw('identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.bytes.equals(body)).toBe(true);
  });

  it('HEAD /metrics runs no collection', async () => {
    let scrapes = 0;
    const { base } = await serve(async () => `# scrape ${++scrapes}\n`);
    const head = await get(`${base}/metrics`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), scrapes]).toEqual([
      200,
      'text/plain; version=0.0.4; charset=utf-8',
      0,
    ]);
  });

  it('serves a Buffer body as is', async () => {
    const { base } = await serve(async () => Buffer.from('# bytes é\n'));
    expect(await (await get(`${base}/metrics`)).text()).toBe('# bytes é\n');
  });

  it('holds at most maxConnections connections; the extra ones are closed as they arrive', async () => {
    expect(SERVER_LIMITS.maxConnections).toBe(32);
    const { base } = await serve(async () => 'x\n', { maxConnections: 3 });
    const port = Number(new URL(base).port);
    const sockets: Socket[] = [];
    const closedEarly = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<boolean>((resolve) => {
            const socket = connect({ host: '127.0.0.1', port });
            sockets.push(socket);
            const timer = setTimeout(() => resolve(false), 1_000);
            socket.on('error', () => {});
            socket.once('close', () => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
      ),
    );
    for (const socket of sockets) socket.destroy();
    expect(closedEarly.filter(Boolean).length).toBe(2);
  });

  // Bounded waits well past the 300 ms limits: on a loaded machine the server's checks run late.
  it('closes a connection that stays silent, and one slow to send its headers', { timeout: 20_000 }, async () => {
    const { base } = await serve(async () => 'x\n', {
      idleTimeoutMs: 300,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
      keepAliveTimeoutMs: 300,
    });
    const port = Number(new URL(base).port);
    const closedWithin = (socket: Socket): Promise<number | undefined> =>
      new Promise((resolve) => {
        const started = Date.now();
        socket.on('error', () => {});
        // Read what the server may send first (a 408 when its header check runs before the idle
        // timeout): an unread socket never emits 'end', so never 'close', though the server closed.
        socket.resume();
        const timer = setTimeout(() => resolve(undefined), 10_000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve(Date.now() - started);
        });
      });
    const silent = connect({ host: '127.0.0.1', port });
    const slow = connect({ host: '127.0.0.1', port }, () => {
      // Part of a request line, then a header byte now and then: never idle, never complete.
      slow.write('GET /metrics HTTP/1.1\r\n');
      const drip = setInterval(() => slow.writable && slow.write('x'), 100);
      slow.once('close', () => clearInterval(drip));
    });
    const [silentMs, slowMs] = await Promise.all([closedWithin(silent), closedWithin(slow)]);
    silent.destroy();
    slow.destroy();
    expect(silentMs).toBeDefined();
    expect(slowMs).toBeDefined();
  });

  it('answers HEAD without a body, /healthz with ok, other paths with 404 and other methods with 405', async () => {
    const { base } = await serve(async () => 'body\n');
    const head = await get(`${base}/metrics`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const health = await get(`${base}/healthz`);
    expect([health.status, health.headers.get('content-type'), await health.text()]).toEqual([
      200,
      'text/plain',
      'ok\n',
    ]);
    const missing = await get(`${base}/`);
    expect([missing.status, await missing.text()]).toEqual([404, 'not found: try /metrics\n']);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const refused = await get(`${base}/metrics`, { method });
      expect([refused.status, refused.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    }
  });

  it('a failed scrape is a 500 naming the error, and the server keeps serving', async () => {
    let fail = true;
    const { base } = await serve(async () => {
      if (fail) throw new Error('collector exploded');
      return 'ok now\n';
    });
    const failed = await get(`${base}/metrics`);
    expect([failed.status, await failed.text()]).toEqual([
      500,
      '# mltel: metrics collection failed: collector exploded\n',
    ]);
    fail = false;
    expect(await (await get(`${base}/metrics`)).text()).toBe('ok now\n');
  });

  it('listen rejects with the listen error; close is safe before listen and twice', async () => {
    const { server, base } = await serve(async () => '');
    const port = Number(new URL(base).port);
    const second = new MetricsServer({ scrape: async () => '' });
    await expect(second.listen('127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(second.close()).resolves.toBeUndefined();
    await server.close();
    await server.close();
    await expect(get(`${base}/healthz`)).rejects.toThrow();
  });

  it('close() ends idle keep-alive connections instead of waiting for them', async () => {
    const { server, base } = await serve(async () => 'x\n');
    const agentUrl = new URL(`${base}/metrics`);
    // A keep-alive request leaves an idle connection open.
    await new Promise<void>((resolve, reject) => {
      const req = request(agentUrl, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
