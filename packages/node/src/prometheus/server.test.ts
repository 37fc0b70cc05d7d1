import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsServer } from './server.js';

const servers: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(scrape: () => Promise<string>): Promise<{ server: MetricsServer; base: string }> {
  const server = new MetricsServer({ scrape });
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
