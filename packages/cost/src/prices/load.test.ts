import { execFileSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LITELLM_FIXTURE, tempDir } from '../../test/harness.js';
import { loadPrices, MAX_PRICE_FILE_BYTES, PriceFileError } from './load.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.remove());

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

/** Rejects with a PriceFileError; returns it. */
async function failure(promise: Promise<unknown>): Promise<PriceFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PriceFileError);
  return error as PriceFileError;
}

describe('loadPrices from a file', () => {
  it('reads the LiteLLM format', async () => {
    const entries = await loadPrices(LITELLM_FIXTURE);
    expect(entries).toHaveLength(22);
    expect(entries.find((e) => e.model === 'gpt-4o-mini')).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      input: 1.5e-7,
      output: 6e-7,
      cacheRead: 7.5e-8,
      source: LITELLM_FIXTURE,
    });
  });

  it("reads mltel's own format (an array of entries) as it is", async () => {
    const list = [
      { provider: 'openai', model: 'gpt-4o', input: '0.0000025', effectiveFrom: '2025-01-01' },
      { provider: 'acme', model: 'm', request: '0.01' },
    ];
    expect(await loadPrices(file('own.json', JSON.stringify(list)))).toEqual(list);
  });

  it('a missing file: PriceFileError naming the path', async () => {
    const path = join(tmp.dir, 'missing.json');
    const error = await failure(loadPrices(path));
    expect(error.name).toBe('PriceFileError');
    expect(error.location).toBe(path);
    expect(error.message).toBe(`prices from ${path} were not loaded: no such file`);
  });

  it('a directory: PriceFileError naming it', async () => {
    const error = await failure(loadPrices(tmp.dir));
    expect(error.message).toBe(`prices from ${tmp.dir} were not loaded: not a regular file: a directory`);
  });

  it('a FIFO is never opened: it would wait for a writer (and hold the process) for ever', async () => {
    const fifo = join(tmp.dir, 'prices.fifo');
    execFileSync('mkfifo', [fifo]);
    const error = await failure(loadPrices(fifo));
    expect(error.message).toBe(`prices from ${fifo} were not loaded: not a regular file: a FIFO`);
  });

  it('/dev/zero is refused at once, not read for ever', async () => {
    const error = await failure(loadPrices('/dev/zero'));
    expect(error.message).toBe('prices from /dev/zero were not loaded: not a regular file: a character device');
  });

  it('a file over the size limit is refused without being read', async () => {
    const path = file('big.json', '[]');
    truncateSync(path, MAX_PRICE_FILE_BYTES + 1);
    const error = await failure(loadPrices(path));
    expect(error.message).toBe(
      `prices from ${path} were not loaded: larger than 32 MiB: ${MAX_PRICE_FILE_BYTES + 1} bytes`,
    );
    const small = await failure(loadPrices(file('small.json', '[1,2,3,4]'), { maxBytes: 4 }));
    expect(small.message).toMatch(/larger than 0 MiB: 9 bytes$/);
  });

  it('invalid JSON: PriceFileError naming the path and saying it is not JSON', async () => {
    const path = file('broken.json', '{"gpt-4o": {"input_cost_per_token": 2.5e-06,');
    const error = await failure(loadPrices(path));
    expect(error.location).toBe(path);
    expect(error.message.startsWith(`prices from ${path} were not loaded: not valid JSON (`)).toBe(true);
  });

  it('JSON in neither format: PriceFileError naming the path', async () => {
    for (const text of ['42', '"prices"', 'null', 'true']) {
      const path = file('neither.json', text);
      const error = await failure(loadPrices(path));
      expect(error.message).toBe(
        `prices from ${path} were not loaded: neither a LiteLLM price map (an object) nor a list of mltel price entries (an array)`,
      );
    }
  });

  it('an object with no priced model: PriceFileError naming the path', async () => {
    for (const text of [
      '{}',
      '{"sample_spec": {"input_cost_per_token": 0, "litellm_provider": "openai"}}',
      '{"a": {"b": 1}}',
    ]) {
      const path = file('empty.json', text);
      const error = await failure(loadPrices(path));
      expect(error.message).toBe(
        `prices from ${path} were not loaded: no priced model in it (expected LiteLLM model_prices format)`,
      );
    }
  });
});

describe('loadPrices from a URL', () => {
  let server: Server;
  let base: string;
  const body = readFileSync(LITELLM_FIXTURE, 'utf8');

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/model_prices_and_context_window.json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(body);
      } else if (request.url === '/broken.json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"gpt-4o":');
      } else if (request.url === '/hang') {
        // Never answers.
      } else if (request.url === '/huge') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('['.padEnd(2048, ' '));
        // ...and never ends: the limit stops the read.
      } else if (request.url === '/moved') {
        response.writeHead(302, { location: '/model_prices_and_context_window.json' });
        response.end();
      } else {
        response.writeHead(404);
        response.end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads a LiteLLM price map served over http, the same as the file', async () => {
    const url = `${base}/model_prices_and_context_window.json`;
    const fromUrl = await loadPrices(url);
    const fromFile = await loadPrices(LITELLM_FIXTURE);
    expect(fromUrl).toEqual(fromFile.map((e) => ({ ...e, source: url })));
    expect(fromUrl.find((e) => e.model === 'claude-sonnet-4-20250514')?.tiers?.[0]?.input).toBe(6e-6);
  });

  it('an HTTP error: PriceFileError with the status', async () => {
    const url = `${base}/nope.json`;
    const error = await failure(loadPrices(url));
    expect(error.location).toBe(url);
    expect(error.message).toBe(`prices from ${url} were not loaded: HTTP 404`);
  });

  it('invalid JSON from a URL: PriceFileError', async () => {
    const url = `${base}/broken.json`;
    const error = await failure(loadPrices(url));
    expect(error.message.startsWith(`prices from ${url} were not loaded: not valid JSON (`)).toBe(true);
  });

  it('a server that never answers: fails within its timeout', async () => {
    const url = `${base}/hang`;
    const started = performance.now();
    const error = await failure(loadPrices(url, { timeoutMs: 300 }));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3000);
    expect(error.location).toBe(url);
    expect(error.message.startsWith(`prices from ${url} were not loaded: `)).toBe(true);
    expect(error.message).toMatch(/timeout|aborted/i);
  });

  it('an answer over the size limit is cut off with a PriceFileError', async () => {
    const url = `${base}/huge`;
    const error = await failure(loadPrices(url, { maxBytes: 1024, timeoutMs: 5000 }));
    expect(error.message).toBe(`prices from ${url} were not loaded: larger than 0 MiB`);
  });

  it('follows a redirect', async () => {
    expect(await loadPrices(`${base}/moved`)).toHaveLength(22);
  });

  it('an abort stops a request that hangs, at once', async () => {
    const controller = new AbortController();
    const url = `${base}/hang`;
    const pending = failure(loadPrices(url, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = await pending;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.message).toBe(`prices from ${url} were not loaded: aborted: the process is shutting down`);
  });

  it('credentials in a URL never appear in the prices read from it (their source)', async () => {
    const url = `http://alice:s3cret@127.0.0.1:${new URL(base).port}/model_prices_and_context_window.json`;
    const entries = await loadPrices(url);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.source).toBe(`${base}/model_prices_and_context_window.json`);
  });

  it('credentials in a URL never appear in the message', async () => {
    const url = `http://alice:s3cret@127.0.0.1:${new URL(base).port}/nope.json`;
    const error = await failure(loadPrices(url));
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toBe(`prices from ${base}/nope.json were not loaded: HTTP 404`);
  });

  it('a port nobody listens on: fails fast with a PriceFileError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/prices.json`;
    const started = performance.now();
    const error = await failure(loadPrices(url, { timeoutMs: 2000 }));
    expect(performance.now() - started).toBeLessThan(2500);
    // Says why, not only "fetch failed".
    expect(error.message).toMatch(
      new RegExp(`^prices from ${url.replace(/[.?]/g, '\\$&')} were not loaded: .*ECONNREFUSED`),
    );
  });
});
