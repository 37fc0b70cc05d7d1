// `http.server.request.duration` and `http.client.request.duration` of node:http and https, read
// from Node's own diagnostics channels instead of @opentelemetry/instrumentation-http's patches.
// Same names, units, buckets, descriptions and attributes as that instrumentation's metrics.
//
// Why not the well-kept library here (measured, docs/http-db-runtime.md and the commit): mltel
// registers no TracerProvider, so the contrib instrumentation's per-request work is all for
// spans nobody records: the span attributes (URL parsing, headers, client address), a
// non-recording span, propagation, a context per request with the request and response bound to
// it (an AsyncLocalStorage context manager, which only `http.route` needed), and the garbage all
// of that leaves. Here a request costs a start time, one listener and a look-up of its series'
// frozen attribute set (./http-series.ts), whose values kit's cells buffer and hand to the SDK
// in batches (measured: 1.3 µs per request against 2.6 µs with a `record()` on the SDK
// histogram per request). The contrib instrumentation still runs when spans are wanted
// (./contrib.ts).
//
// With another SDK's instrumentation-http in the process (auto-instrumentations-node, EDOT or a
// NodeSDK started after mltel: their patches record into mltel's provider), its patch is what
// records: a request whose server `emit` (or `http.request` / `https.request` for a client) is
// wrapped is left to it, so each metric appears once.
import * as diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Attributes, Histogram } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import { InstrumentationBase, isWrapped } from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { CallbackList, MeterCells, nodeHttp, nodeHttps } from '@mltel/kit';
import { HTTP_CLIENT_REQUEST_DURATION, HTTP_SERVER_REQUEST_DURATION } from '@mltel/semconv';
import { expressRoute } from './http-route.js';
import type { RoutedRequest } from './http-route.js';
import { SeriesCache } from './http-series.js';

/** What {@link HttpMetricsInstrumentation} leaves uncounted. */
export interface HttpMetricsConfig extends InstrumentationConfig {
  /** A server request not to count (the Prometheus endpoint's own scrapes). */
  ignoreIncoming?: (request: IncomingMessage) => boolean;
  /** A client request not to count (mltel's own OTLP pushes): its host and port. */
  ignoreOutgoing?: (target: { hostname: string; port: number }) => boolean;
}

const START = Symbol('mltel.http.start');
const DONE = Symbol('mltel.http.done');
const RESPONSE = Symbol('mltel.http.response');

interface Timed {
  [START]?: number;
  [DONE]?: boolean;
  [RESPONSE]?: IncomingMessage;
}

type ServerResponseTimed = ServerResponse & Timed & { req?: IncomingMessage };
type ClientRequestTimed = ClientRequest & Timed & { host?: string; protocol?: string };

// The upstream instrumentation's: a method outside the list is `_OTHER` (caller-controlled text).
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

/** `http.request.method` as the OTel HTTP conventions write it. */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/** The values of a server request's series: what its attributes and its key are made of. */
interface ServerSeries {
  method: string;
  scheme: string;
  version: string | undefined;
  route: string | undefined;
  status: number | undefined;
}

function serverSeries(request: (IncomingMessage & RoutedRequest) | undefined, response: ServerResponse): ServerSeries {
  return {
    method: normalizeMethod(request?.method),
    scheme: (request?.socket as { encrypted?: boolean } | undefined)?.encrypted === true ? 'https' : 'http',
    version: request?.httpVersion || undefined,
    route: request === undefined ? undefined : expressRoute(request),
    status: response.statusCode || undefined,
  };
}

function serverSeriesAttributes(series: ServerSeries): Attributes {
  const attributes: Attributes = { 'http.request.method': series.method, 'url.scheme': series.scheme };
  if (series.version !== undefined) attributes['network.protocol.version'] = series.version;
  if (series.route !== undefined) attributes['http.route'] = series.route;
  const status = series.status;
  if (status !== undefined) {
    attributes['http.response.status_code'] = status;
    if (status >= 500 && status < 600) attributes['error.type'] = String(status);
  }
  return attributes;
}

const serverKey = (series: ServerSeries): string =>
  `${series.method} ${series.scheme} ${series.version} ${series.status} ${series.route}`;

/** The attributes of a server request whose response is done. */
export function serverAttributes(
  request: (IncomingMessage & RoutedRequest) | undefined,
  response: ServerResponse,
): Attributes {
  return serverSeriesAttributes(serverSeries(request, response));
}

/** Longest `server.address` kept: the host is the caller's (a DNS name has at most 253). */
export const MAX_HOST_LENGTH = 255;

/** Host and port of a client request, as it was asked for (the `Host` header, else the scheme's default). */
export function clientTarget(request: ClientRequestTimed): { hostname: string; port: number } {
  const host = typeof request.host === 'string' ? request.host : 'localhost';
  const hostname = host.replace(/^\[|\]$/g, '').slice(0, MAX_HOST_LENGTH);
  let header: unknown;
  try {
    header = request.getHeader('host');
  } catch {
    header = undefined;
  }
  const port = typeof header === 'string' ? /:(\d{1,5})$/.exec(header)?.[1] : undefined;
  return { hostname, port: port === undefined ? (request.protocol === 'https:' ? 443 : 80) : Number(port) };
}

/** The values of a client request's series. */
interface ClientSeries {
  method: string;
  hostname: string;
  port: number;
  version: string | undefined;
  status: number | undefined;
  error: string | undefined;
}

function clientSeries(
  request: ClientRequestTimed,
  response: IncomingMessage | undefined,
  error: unknown,
): ClientSeries {
  const target = clientTarget(request);
  const status = response?.statusCode || undefined;
  let errorType = status !== undefined && status >= 400 && status < 600 ? String(status) : undefined;
  if (error !== undefined) {
    errorType = error instanceof Error && /^\w{1,64}$/.test(error.name) ? error.name : '_OTHER';
  }
  return {
    method: normalizeMethod(request.method),
    hostname: target.hostname,
    port: target.port,
    version: response?.httpVersion || undefined,
    status,
    error: errorType,
  };
}

function clientSeriesAttributes(series: ClientSeries): Attributes {
  const attributes: Attributes = {
    'http.request.method': series.method,
    'server.address': series.hostname,
    'server.port': series.port,
  };
  if (series.version !== undefined) attributes['network.protocol.version'] = series.version;
  if (series.status !== undefined) attributes['http.response.status_code'] = series.status;
  if (series.error !== undefined) attributes['error.type'] = series.error;
  return attributes;
}

const clientKey = (series: ClientSeries): string =>
  `${series.method} ${series.hostname} ${series.port} ${series.version} ${series.status} ${series.error}`;

/** The attributes of a client request: its response when there is one, else how it failed. */
export function clientAttributes(
  request: ClientRequestTimed,
  response: IncomingMessage | undefined,
  error: unknown,
): Attributes {
  return clientSeriesAttributes(clientSeries(request, response, error));
}

/** Whether another HTTP instrumentation patched what this request goes through (it records then). */
function serverPatched(server: unknown): boolean {
  return isWrapped((server as { emit?: unknown } | null)?.emit);
}

function clientPatched(request: ClientRequestTimed): boolean {
  return isWrapped(request.protocol === 'https:' ? nodeHttps().request : nodeHttp().request);
}

/**
 * Records the HTTP server and client durations of node:http and https from the diagnostics
 * channels (name `http` in `OTEL_NODE_*_INSTRUMENTATIONS`, when no spans are wanted). Patches nothing.
 */
export class HttpMetricsInstrumentation extends InstrumentationBase<HttpMetricsConfig> {
  // No field initializers: InstrumentationBase's constructor calls enable() before they would run.
  declare private server: Histogram | undefined;
  declare private client: Histogram | undefined;
  declare private subscribed: Map<string, (message: unknown) => void> | undefined;
  declare private cells: CallbackList | undefined;
  declare private serverSets: SeriesCache | undefined;
  declare private clientSets: SeriesCache | undefined;

  constructor(config: HttpMetricsConfig = {}) {
    super('@mltel/node/http', '0.1.0', config);
  }

  protected init() {
    return [];
  }

  override enable(): void {
    super.enable();
    if (this.subscribed !== undefined) return;
    // One listener function per event for all requests (`this` is the emitter): nothing
    // allocated per request beyond the start time and the attributes.
    const self = this;
    const onServerClose = function (this: ServerResponseTimed) {
      self.finishServer(this);
    };
    const onClientEnd = function (this: IncomingMessage & { req?: ClientRequestTimed }) {
      if (this.req !== undefined) self.finishClient(this.req, this, undefined);
    };
    const onClientClose = function (this: ClientRequestTimed) {
      self.finishClient(this, this[RESPONSE], undefined);
    };
    const handlers: [string, (message: unknown) => void][] = [
      [
        'http.server.request.start',
        (message) => {
          const { request, response, server } = message as {
            request: IncomingMessage;
            response: ServerResponseTimed;
            server: unknown;
          };
          if (serverPatched(server) || this.ignoredIncoming(request)) return;
          response[START] = performance.now();
          // 'close' as the upstream instrumentation: an aborted request is counted too.
          response.on('close', onServerClose);
        },
      ],
      [
        'http.client.request.start',
        (message) => {
          const request = (message as { request: ClientRequestTimed }).request;
          if (clientPatched(request) || this.ignoredOutgoing(request)) return;
          request[START] = performance.now();
          // A request that ends without a whole response (aborted, or its socket closed).
          request.on('close', onClientClose);
        },
      ],
      [
        'http.client.response.finish',
        (message) => {
          const { request, response } = message as { request: ClientRequestTimed; response: IncomingMessage };
          // The response's head: the duration runs to its end, as upstream (or to the request's
          // close, with this response's status, when its body is never read to the end).
          if (request[START] === undefined) return;
          request[RESPONSE] = response;
          response.on('end', onClientEnd);
        },
      ],
      [
        'http.client.request.error',
        (message) => {
          const { request, error } = message as { request: ClientRequestTimed; error: unknown };
          this.finishClient(request, undefined, error ?? new Error('request failed'));
        },
      ],
    ];
    this.subscribed = new Map(handlers);
    for (const [name, handler] of handlers) diagnostics.subscribe(name, handler);
  }

  override disable(): void {
    super.disable();
    for (const [name, handler] of this.subscribed ?? []) diagnostics.unsubscribe(name, handler);
    this.subscribed = undefined;
  }

  protected override _updateMetricInstruments(): void {
    // Values buffered per series in kit's cells until the next collection (the previous
    // provider's get what they hold when the provider changes).
    this.cells?.release();
    this.cells = new CallbackList(this.meter);
    const cells = MeterCells.withCarrier(this.meter, this.cells);
    this.serverSets = new SeriesCache();
    this.clientSets = new SeriesCache();
    // The upstream instrumentation's descriptions: one HELP line per family next to undici's.
    const server = this.meter.createHistogram(HTTP_SERVER_REQUEST_DURATION.name, {
      description: 'Duration of HTTP server requests.',
      unit: HTTP_SERVER_REQUEST_DURATION.unit,
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: [...HTTP_SERVER_REQUEST_DURATION.buckets] },
    });
    const client = this.meter.createHistogram(HTTP_CLIENT_REQUEST_DURATION.name, {
      description: 'Duration of HTTP client requests.',
      unit: HTTP_CLIENT_REQUEST_DURATION.unit,
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: [...HTTP_CLIENT_REQUEST_DURATION.buckets] },
    });
    this.server = cells.histogram(server);
    this.client = cells.histogram(client);
  }

  // A hook that throws leaves the request counted (as upstream's safeExecuteInTheMiddle).
  private ignoredIncoming(request: IncomingMessage): boolean {
    const hook = this.getConfig().ignoreIncoming;
    if (hook === undefined) return false;
    try {
      return hook(request) === true;
    } catch {
      return false;
    }
  }

  private ignoredOutgoing(request: ClientRequestTimed): boolean {
    const hook = this.getConfig().ignoreOutgoing;
    if (hook === undefined) return false;
    try {
      return hook(clientTarget(request)) === true;
    } catch {
      return false;
    }
  }

  private finishServer(response: ServerResponseTimed): void {
    const start = response[START];
    if (start === undefined || response[DONE] === true) return;
    response[DONE] = true;
    try {
      const series = serverSeries(response.req, response);
      const attributes = this.serverSets?.get(serverKey(series), () => serverSeriesAttributes(series));
      this.server?.record((performance.now() - start) / 1000, attributes ?? serverSeriesAttributes(series));
    } catch {
      // Recording never throws into the application's response.
    }
  }

  private finishClient(request: ClientRequestTimed, response: IncomingMessage | undefined, error: unknown): void {
    const start = request[START];
    if (start === undefined || request[DONE] === true) return;
    request[DONE] = true;
    try {
      const series = clientSeries(request, response, error);
      const attributes = this.clientSets?.get(clientKey(series), () => clientSeriesAttributes(series));
      this.client?.record((performance.now() - start) / 1000, attributes ?? clientSeriesAttributes(series));
    } catch {
      // Recording never throws into the application's request.
    }
  }
}
