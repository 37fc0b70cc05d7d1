// mltel's diagnostics-channel HTTP metrics: the attribute rules, and real node:http servers and
// clients counted exactly on a real MeterProvider, with ignored requests, another
// instrumentation's patches and a disabled instrumentation recording nothing. With Express and
// fetch under the preload: test/integration/contrib-http.test.ts.
import { once } from 'node:events';
import http from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkProvider, waitFor } from '../test/harness.js';
import {
  clientAttributes,
  clientTarget,
  MAX_HOST_LENGTH,
  HttpMetricsInstrumentation,
  normalizeMethod,
  serverAttributes,
} from './http-metrics.js';

describe('normalizeMethod', () => {
  it('keeps the known methods, upper-cased, and makes anything else _OTHER', () => {
    expect(normalizeMethod('GET')).toBe('GET');
    expect(normalizeMethod('patch')).toBe('PATCH');
    expect(normalizeMethod('PURGE')).toBe('_OTHER');
    expect(normalizeMethod(undefined)).toBe('GET');
  });
});

describe('serverAttributes', () => {
  const request = (fields: object) => fields as IncomingMessage;
  const response = (statusCode: number) => ({ statusCode }) as ServerResponse;

  it('has the method, scheme, protocol version, status and route, and error.type from 500 on', () => {
    expect(
      serverAttributes(
        request({
          method: 'GET',
          httpVersion: '1.1',
          socket: {},
          originalUrl: '/users/7',
          __ot_middlewares: ['/users/:id'],
        }),
        response(200),
      ),
    ).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.route': '/users/:id',
      'http.response.status_code': 200,
    });
    expect(
      serverAttributes(request({ method: 'POST', httpVersion: '1.1', socket: { encrypted: true } }), response(503)),
    ).toEqual({
      'http.request.method': 'POST',
      'url.scheme': 'https',
      'network.protocol.version': '1.1',
      'http.response.status_code': 503,
      'error.type': '503',
    });
    expect(serverAttributes(request({ method: 'GET', socket: {} }), response(404))).not.toHaveProperty('error.type');
  });
});

describe('clientTarget and clientAttributes', () => {
  const clientRequest = (host: string | undefined, hostHeader: string | undefined, protocol = 'http:') =>
    ({ host, protocol, method: 'GET', getHeader: () => hostHeader }) as unknown as http.ClientRequest;

  it("take host and port from the request, the scheme's default port when the Host header has none", () => {
    expect(clientTarget(clientRequest('api.example.com', 'api.example.com:8080'))).toEqual({
      hostname: 'api.example.com',
      port: 8080,
    });
    expect(clientTarget(clientRequest('api.example.com', 'api.example.com', 'https:'))).toEqual({
      hostname: 'api.example.com',
      port: 443,
    });
    expect(clientTarget(clientRequest('::1', '[::1]:4318'))).toEqual({ hostname: '::1', port: 4318 });
    expect(clientTarget(clientRequest(undefined, undefined))).toEqual({ hostname: 'localhost', port: 80 });
  });

  it(`cut a host the caller controls to ${MAX_HOST_LENGTH} characters (the longest DNS name is 253)`, () => {
    const long = `${'a'.repeat(5000)}.example.com`;
    expect(clientTarget(clientRequest(long, undefined)).hostname).toBe(long.slice(0, MAX_HOST_LENGTH));
    expect(clientTarget(clientRequest(7 as unknown as string, undefined)).hostname).toBe('localhost');
  });

  it('add the response status (error.type from 400 on) or the error', () => {
    const request = clientRequest('db', 'db:9000');
    const response = { statusCode: 404, httpVersion: '1.1' } as IncomingMessage;
    expect(clientAttributes(request, response, undefined)).toEqual({
      'http.request.method': 'GET',
      'server.address': 'db',
      'server.port': 9000,
      'network.protocol.version': '1.1',
      'http.response.status_code': 404,
      'error.type': '404',
    });
    expect(clientAttributes(request, undefined, new TypeError('x'))).toEqual({
      'http.request.method': 'GET',
      'server.address': 'db',
      'server.port': 9000,
      'error.type': 'TypeError',
    });
    expect(clientAttributes(request, undefined, 'not an error')['error.type']).toBe('_OTHER');
  });
});

describe('HttpMetricsInstrumentation', () => {
  let instrumentation: HttpMetricsInstrumentation | undefined;
  const servers: Server[] = [];
  afterEach(() => {
    instrumentation?.disable();
    instrumentation = undefined;
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  async function listen(handler: http.RequestListener): Promise<number> {
    const server = http.createServer(handler);
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  /** A node:http client request; resolves with the status, or the error's name. */
  function get(port: number, path = '/'): Promise<number | string> {
    return new Promise((resolve) => {
      http
        .get({ hostname: '127.0.0.1', port, path }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        })
        .on('error', (error) => resolve(error.name));
    });
  }

  const serverHandler: http.RequestListener = (request, response) => {
    response.statusCode = request.url === '/fail' ? 500 : 200;
    response.end('ok');
  };

  function start(config: ConstructorParameters<typeof HttpMetricsInstrumentation>[0] = {}) {
    const sdk = sdkProvider();
    instrumentation = new HttpMetricsInstrumentation(config);
    instrumentation.setMeterProvider(sdk.provider);
    return sdk;
  }

  it('counts every server and client request once, with their attributes and the upstream buckets', async () => {
    const sdk = start();
    const port = await listen(serverHandler);
    expect(await get(port)).toBe(200);
    expect(await get(port)).toBe(200);
    expect(await get(port, '/fail')).toBe(500);
    const collection = await sdk.collect();
    const byStatus = <P extends { attributes: Record<string, unknown> }>(points: P[]) =>
      [...points].sort(
        (a, b) => Number(a.attributes['http.response.status_code']) - Number(b.attributes['http.response.status_code']),
      );
    const server = byStatus(collection.histograms('http.server.request.duration'));
    expect(server.map((p) => [p.attributes['http.response.status_code'], p.attributes['error.type'], p.count])).toEqual(
      [
        [200, undefined, 2],
        [500, '500', 1],
      ],
    );
    expect(server[0]!.attributes).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.response.status_code': 200,
    });
    expect(server[0]!.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    const client = byStatus(collection.histograms('http.client.request.duration'));
    expect(client.map((p) => [p.attributes['http.response.status_code'], p.count])).toEqual([
      [200, 2],
      [500, 1],
    ]);
    expect(client[0]!.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': port,
      'network.protocol.version': '1.1',
      'http.response.status_code': 200,
    });
  });

  it('counts a failed client request with its error, and a server request whose client went away', async () => {
    const sdk = start();
    // Nothing answers: the client gives up, and the server's response closes unanswered.
    const port = await listen(() => {});
    const request = http.get({ hostname: '127.0.0.1', port, path: '/hang' });
    request.on('error', () => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    request.destroy();
    const refused = await listen(serverHandler);
    const last = servers.pop()!;
    last.close();
    await once(last, 'close');
    expect(await get(refused)).toBe('Error');
    const collection = await waitFor('the server side of the abandoned request', async () => {
      const collected = await sdk.collect();
      return collected.histograms('http.server.request.duration').length > 0 ? collected : undefined;
    });
    expect(collection.histograms('http.server.request.duration').map((p) => p.count)).toEqual([1]);
    const client = collection.histograms('http.client.request.duration');
    expect(client.map((p) => [p.attributes['server.port'], p.attributes['error.type'] ?? '', p.count]).sort()).toEqual(
      [
        [port, 'Error', 1],
        [refused, 'Error', 1],
      ].sort(),
    );
  });

  it('counts a client request whose response body is never read, with its status, when it closes', async () => {
    const sdk = start();
    const port = await listen(serverHandler);
    const request = http.get({ hostname: '127.0.0.1', port, path: '/fail' }, (response) => response.destroy());
    await once(request, 'close');
    const points = (await sdk.collect()).histograms('http.client.request.duration');
    expect(points.map((p) => [p.attributes['http.response.status_code'], p.attributes['error.type'], p.count])).toEqual(
      [[500, '500', 1]],
    );
  });

  it('leaves out the requests the hooks ignore, and a hook that throws leaves them counted', async () => {
    const port = await listen(serverHandler);
    const sdk = start({
      ignoreIncoming: (request) => request.url === '/metrics',
      ignoreOutgoing: (target) => {
        if (target.port === 1) throw new Error('hook bug');
        return target.port === port;
      },
    });
    await get(port, '/metrics');
    await get(port, '/x');
    expect(await get(1)).toBe('Error');
    const collection = await sdk.collect();
    expect(collection.histograms('http.server.request.duration').map((p) => p.count)).toEqual([1]);
    const client = collection.histograms('http.client.request.duration');
    expect(client.map((p) => [p.attributes['server.port'], p.count])).toEqual([[1, 1]]);
  });

  it("leaves requests to another instrumentation's patches, and records nothing once disabled", async () => {
    const sdk = start();
    const port = await listen(serverHandler);
    // The marks shimmer leaves on a wrapped function (what @opentelemetry/instrumentation's isWrapped reads).
    const wrapped = <T extends (...args: never[]) => unknown>(original: T) =>
      Object.assign((...args: Parameters<T>) => original(...args), {
        __wrapped: true,
        __original: original,
        __unwrap: () => {},
      });
    const server = servers[0]!;
    const emit = server.emit;
    server.emit = wrapped(emit.bind(server)) as unknown as typeof server.emit;
    const request = http.request;
    http.request = wrapped(request) as unknown as typeof http.request;
    try {
      await get(port);
    } finally {
      server.emit = emit;
      http.request = request;
    }
    const collection = await sdk.collect();
    expect(collection.histograms('http.server.request.duration')).toEqual([]);
    expect(collection.histograms('http.client.request.duration')).toEqual([]);

    instrumentation?.disable();
    await get(port);
    const after = await sdk.collect();
    expect(after.histograms('http.server.request.duration')).toEqual([]);
    expect(after.histograms('http.client.request.duration')).toEqual([]);
  });
});
