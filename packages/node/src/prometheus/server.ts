import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { nodeHttp, WarnOnce } from '@mltel/kit';
import type { ExpositionFormat } from './metric-lines.js';
import { acceptsGzip, negotiateFormat } from './negotiate.js';

/** What the metrics server serves. */
export interface MetricsSource {
  /**
   * The exposition of the current metrics in `format` (a Buffer: encoded once for many
   * responses; the same Buffer for coalesced scrapes is also compressed once for them).
   */
  scrape(format: ExpositionFormat): Promise<string | Buffer>;
}

const gzipAsync = promisify(gzip);
/**
 * gzip at level 1: on the thread pool, off the application's thread, and the fastest level (a
 * scrape's text repeats its names on every line, so even level 1 shrinks it about tenfold).
 */
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };

/** The bounds of the metrics server (all documented in packages/node/README.md and docs/node.md). */
export interface MetricsServerOptions {
  /** Connections held at once; more are closed as they arrive (default {@link SERVER_LIMITS}). */
  maxConnections?: number;
  /** Time (ms) for a client to send a request's headers, from its connection. */
  headersTimeoutMs?: number;
  /** Time (ms) for a client to send a whole request. */
  requestTimeoutMs?: number;
  /** Time (ms) a kept-alive connection may wait idle for its next request. */
  keepAliveTimeoutMs?: number;
  /** Time (ms) of no traffic at all after which a connection is closed (also one that never sends). */
  idleTimeoutMs?: number;
}

/**
 * The server's default bounds. 32 connections are many more than any set of Prometheus servers
 * scraping one target needs, and few enough that a flood of connections cannot take the
 * application's file descriptors (1,100 idle connections did). A connection silent for 10 s, or
 * slow to send its request's headers for 5 s, is closed, so idle ones cannot hold the slots.
 */
export const SERVER_LIMITS: Required<MetricsServerOptions> = {
  maxConnections: 32,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  // Prometheus gives up on a scrape after 10 s by default: a connection silent for that long is
  // of no use to anyone, and one that connects and never sends a byte is only bounded by this.
  idleTimeoutMs: 10_000,
};

/**
 * A small HTTP server for `/metrics` and `/healthz`. `/metrics` speaks the Prometheus text format
 * 0.0.4, or OpenMetrics 1.0 when the `Accept` header prefers it, gzip-compressed when
 * `Accept-Encoding` allows gzip. Kept apart from the serializer; unref'd, so it never keeps the
 * application alive. Bounded: at most `maxConnections` connections, each closed when it idles or
 * is slow to send its request; one compression per distinct body, whatever the number of
 * responses that send it.
 */
export class MetricsServer {
  private readonly server: Server;
  private listening = false;
  private readonly warnings = new WarnOnce();
  /** The gzip of each body while it is being sent: coalesced scrapes share one compression. */
  private readonly compressed = new WeakMap<Buffer, Promise<Buffer>>();

  constructor(
    private readonly source: MetricsSource,
    options: MetricsServerOptions = {},
  ) {
    const limits = { ...SERVER_LIMITS, ...options };
    this.server = nodeHttp()
      .createServer(
        {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          // The timeouts above are checked this often (Node's default, 30 s, lets idle sockets pile up).
          connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
        },
        this.handle,
      )
      .unref();
    this.server.maxConnections = limits.maxConnections;
    this.server.timeout = limits.idleTimeoutMs;
    // Past the listen, a server error (EMFILE on accept, ...) must not become an uncaught
    // exception in the application: it is logged once and the server goes on.
    this.server.on('error', (error: NodeJS.ErrnoException) => {
      if (!this.listening) return;
      this.warnings.warn(`server:${error.code ?? error.message}`, `metrics server: ${error.message}`);
    });
    this.server.on('drop', () => {
      this.warnings.warn(
        'drop',
        `metrics server: more than ${limits.maxConnections} connections at once; the extra ones are closed as they arrive.`,
      );
    });
  }

  /** Starts listening; rejects with the listen error (EADDRINUSE, EACCES, ...). */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host, port }, () => {
        this.server.off('error', onError);
        this.listening = true;
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops listening and closes idle connections. */
  close(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    const { format, contentType } = negotiateFormat(request.headers.accept);
    const headers = { 'content-type': contentType, vary: 'Accept, Accept-Encoding' };
    // HEAD is a liveness probe of the endpoint: no collection for a body that is not sent.
    if (request.method === 'HEAD') {
      response.writeHead(200, headers).end();
      return;
    }
    const gzipped = acceptsGzip(request.headers['accept-encoding']);
    this.source
      .scrape(format)
      .then((body) => (gzipped ? this.gzip(body) : body))
      .then(
        (body) => response.writeHead(200, gzipped ? { ...headers, 'content-encoding': 'gzip' } : headers).end(body),
        (error: unknown) =>
          response
            .writeHead(500, { 'content-type': 'text/plain' })
            .end(`# mltel: metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`),
      );
  };

  private gzip(body: string | Buffer): Promise<Buffer> {
    if (typeof body === 'string') return gzipAsync(body, GZIP_OPTIONS);
    let compressed = this.compressed.get(body);
    if (compressed === undefined) {
      compressed = gzipAsync(body, GZIP_OPTIONS);
      this.compressed.set(body, compressed);
    }
    return compressed;
  }
}
