import type { MetricDefinition } from '../types.js';

// The HTTP metrics of the contrib instrumentations @mltel/node starts (../../../node/src/contrib.ts):
// @opentelemetry/instrumentation-http (node:http and https servers and clients; `http.route` from
// @opentelemetry/instrumentation-express) and @opentelemetry/instrumentation-undici (fetch and
// undici). Names, kinds, units and attributes as those packages record them (the stable OTel HTTP
// conventions); packages/node/src/contrib.test.ts compares them with a real collection.
// Without HTTP spans, @mltel/node records the node:http ones itself from Node's diagnostics
// channels (../../../node/src/http-metrics.ts), with the same names, units and attributes.
const ALSO = ['@mltel/node'] as const;

/** `http.server.request.duration`: Duration of HTTP server requests (node:http, Express and every framework on it). */
export const HTTP_SERVER_REQUEST_DURATION = {
  name: 'http.server.request.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Duration of HTTP server requests (node:http, Express and every framework on it).',
  attributes: [
    'http.request.method',
    'url.scheme',
    'network.protocol.version',
    'http.response.status_code',
    'http.route',
    'error.type',
  ],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  family: 'http',
  owner: '@opentelemetry/instrumentation-http',
  alsoCreatedBy: ALSO,
  prometheusName: 'http_server_request_duration_seconds',
} as const satisfies MetricDefinition;

/** `http.client.request.duration`: Duration of outgoing HTTP requests: node:http/https (instrumentation-http) and fetch/undici (instrumentation-undici). */
export const HTTP_CLIENT_REQUEST_DURATION = {
  name: 'http.client.request.duration',
  kind: 'Histogram',
  unit: 's',
  description:
    'Duration of outgoing HTTP requests: node:http/https (instrumentation-http) and fetch/undici (instrumentation-undici).',
  attributes: [
    'http.request.method',
    'server.address',
    'server.port',
    'url.scheme',
    'network.protocol.version',
    'http.response.status_code',
    'error.type',
  ],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  family: 'http',
  owner: '@opentelemetry/instrumentation-http',
  alsoCreatedBy: ALSO,
  prometheusName: 'http_client_request_duration_seconds',
} as const satisfies MetricDefinition;

/** Every instrument of this file, in catalog order. */
export const HTTP_METRICS = [HTTP_SERVER_REQUEST_DURATION, HTTP_CLIENT_REQUEST_DURATION] as const;
