import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the metrics server serves. */
export interface MetricsSource {
  /** The exposition text of the current metrics. */
  scrape(): Promise<string>;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A small HTTP server for `/metrics` (Prometheus text format) and `/healthz`. Kept apart from the
 * serializer; unref'd, so it never keeps the application alive.
 */
export class MetricsServer {
  private readonly server: Server;
  private listening = false;

  constructor(private readonly source: MetricsSource) {
    this.server = createServer(this.handle).unref();
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
    this.source.scrape().then(
      (body) => response.writeHead(200, { 'content-type': CONTENT_TYPE }).end(body),
      (error: unknown) =>
        response
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`# mltel: metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  };
}
