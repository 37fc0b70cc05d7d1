import type { MetricDefinition } from '../types.js';

// The database-client metrics of @opentelemetry/instrumentation-pg, which @mltel/node starts
// (../../../node/src/contrib.ts): operation duration and connection-pool usage (used, idle,
// pending, and the pool's limit, so "pool nearly exhausted" is used / max); @mltel/node records
// the same for mysql2. The contrib redis and ioredis instrumentations record spans only (no
// metric): see docs/http-db-runtime.md.
// Names, kinds, units and attributes as the package records them (the stable OTel database
// conventions); test/integration/contrib-db.test.ts checks them against a real PostgreSQL.
const OWNER = '@opentelemetry/instrumentation-pg';
// mysql2's contrib instrumentation records spans only: @mltel/node records these for mysql2
// (packages/node/src/contrib-mysql2.ts), with the same names, units and attributes.
const ALSO = ['@mltel/node'] as const;
const POOL = 'db.client.connection.pool.name';

/** `db.client.operation.duration`: Duration of database client operations (pg queries). */
export const DB_CLIENT_OPERATION_DURATION = {
  name: 'db.client.operation.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Duration of database client operations (pg and mysql2 queries).',
  attributes: ['db.system.name', 'db.namespace', 'db.operation.name', 'server.address', 'server.port', 'error.type'],
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
  family: 'db',
  owner: OWNER,
  alsoCreatedBy: ALSO,
  prometheusName: 'db_client_operation_duration_seconds',
} as const satisfies MetricDefinition;

/** `db.client.connection.count`: Connections of a pool in each state (used, idle). */
export const DB_CLIENT_CONNECTION_COUNT = {
  name: 'db.client.connection.count',
  kind: 'UpDownCounter',
  unit: '{connection}',
  description: 'Connections of a pool in each state (used, idle).',
  attributes: ['db.client.connection.state', POOL],
  family: 'db',
  owner: OWNER,
  alsoCreatedBy: ALSO,
  prometheusName: 'db_client_connection_count',
} as const satisfies MetricDefinition;

/** `db.client.connection.pending_requests`: Requests waiting for a connection of the pool (unit as recorded upstream). */
export const DB_CLIENT_CONNECTION_PENDING_REQUESTS = {
  name: 'db.client.connection.pending_requests',
  kind: 'UpDownCounter',
  unit: '{connection}',
  description: 'Requests waiting for a connection of the pool (unit as recorded upstream).',
  attributes: [POOL],
  family: 'db',
  owner: OWNER,
  alsoCreatedBy: ALSO,
  prometheusName: 'db_client_connection_pending_requests',
} as const satisfies MetricDefinition;

/** `db.client.connection.max`: The most connections the pool may open (its limit). */
export const DB_CLIENT_CONNECTION_MAX = {
  name: 'db.client.connection.max',
  kind: 'UpDownCounter',
  unit: '{connection}',
  description: 'The most connections the pool may open (its limit).',
  attributes: [POOL],
  family: 'db',
  owner: OWNER,
  alsoCreatedBy: ALSO,
  prometheusName: 'db_client_connection_max',
} as const satisfies MetricDefinition;

/** Every instrument of this file, in catalog order. */
export const DB_METRICS = [
  DB_CLIENT_OPERATION_DURATION,
  DB_CLIENT_CONNECTION_COUNT,
  DB_CLIENT_CONNECTION_PENDING_REQUESTS,
  DB_CLIENT_CONNECTION_MAX,
] as const;
