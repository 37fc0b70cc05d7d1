// mysql2 client metrics, the one database client here without an upstream metric: the contrib
// @opentelemetry/instrumentation-mysql2 records spans only. mysql2 itself publishes every query
// on the `mysql2:query` / `mysql2:execute` diagnostics tracing channels (mysql2 >= 3.2x), so the
// operation duration is read from them without patching; only the pool needs one small patch
// (Pool#getConnection remembers the pool) for the pool usage read at collection. Names, units,
// buckets and descriptions are those of @opentelemetry/instrumentation-pg (the stable OTel
// database conventions), so pg and mysql2 pools fill the same series families and panels.
import * as diagnostics from 'node:diagnostics_channel';
import type { Attributes, Histogram, ObservableResult } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
  isWrapped,
} from '@opentelemetry/instrumentation';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import {
  DB_CLIENT_CONNECTION_COUNT,
  DB_CLIENT_CONNECTION_MAX,
  DB_CLIENT_CONNECTION_PENDING_REQUESTS,
  DB_CLIENT_OPERATION_DURATION,
} from '@mltel/semconv';
import { cachePackageVersions } from '@mltel/kit';

/** The fields of a mysql2 tracing-channel context this reads (mysql2 lib/tracing.js). */
interface QueryContext {
  query?: unknown;
  database?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
  error?: unknown;
  [START]?: number;
}

/** The fields of a mysql2 Pool this reads: its queues (Denque-like, with `length`) and limit. */
interface PoolLike {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  _closed?: boolean;
  config?: {
    connectionLimit?: number;
    connectionConfig?: { host?: string; port?: number; database?: string; socketPath?: string };
  };
}

const START = Symbol('mltel.mysql2.start');
const CHANNELS = ['mysql2:query', 'mysql2:execute'];
// db.operation.name from the first word of the statement, limited to SQL's verbs (the statement
// is caller-controlled text: anything else is left out rather than becoming a label value).
const OPERATIONS = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'CALL',
  'BEGIN',
  'START',
  'COMMIT',
  'ROLLBACK',
  'SET',
  'SHOW',
  'CREATE',
  'ALTER',
  'DROP',
  'TRUNCATE',
  'WITH',
  'EXPLAIN',
]);

/** The SQL verb of a statement, or undefined. */
export function operationName(query: unknown): string | undefined {
  if (typeof query !== 'string') return undefined;
  const verb = /^\s*\(?\s*([A-Za-z]+)/.exec(query.slice(0, 64))?.[1]?.toUpperCase();
  return verb !== undefined && OPERATIONS.has(verb) ? verb : undefined;
}

/** `error.type` of a failed query: mysql2's error code (`ER_NO_SUCH_TABLE`), else the class name. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code)) return code;
  return error instanceof Error && /^\w{1,64}$/.test(error.name) ? error.name : '_OTHER';
}

/** The attributes of one finished query. */
export function operationAttributes(context: QueryContext): Attributes {
  const attributes: Attributes = { 'db.system.name': 'mysql' };
  if (typeof context.database === 'string' && context.database !== '') {
    attributes['db.namespace'] = context.database.slice(0, 64);
  }
  const operation = operationName(context.query);
  if (operation !== undefined) attributes['db.operation.name'] = operation;
  if (typeof context.serverAddress === 'string') attributes['server.address'] = context.serverAddress.slice(0, 255);
  if (typeof context.serverPort === 'number') attributes['server.port'] = context.serverPort;
  if (context.error !== undefined) attributes['error.type'] = errorType(context.error);
  return attributes;
}

/** `db.client.connection.pool.name` of a pool: `host:port/database`, as the pg instrumentation names its pools. */
export function poolName(pool: PoolLike): string {
  const config = pool.config?.connectionConfig ?? {};
  const where = config.socketPath ?? `${config.host ?? 'localhost'}:${config.port ?? 3306}`;
  return `${where}/${config.database ?? ''}`.slice(0, 255);
}

/** Records mysql2 query durations and pool usage (`OTEL_NODE_*_INSTRUMENTATIONS` name `mysql2`). */
export class Mysql2Instrumentation extends InstrumentationBase {
  // No field initializers: InstrumentationBase's constructor calls enable() before they would run.
  declare private duration: Histogram | undefined;
  declare private pools: Set<WeakRef<PoolLike>> | undefined;
  declare private subscribed: Map<string, diagnostics.TracingChannelSubscribers<QueryContext>> | undefined;

  constructor(config: InstrumentationConfig = {}) {
    super('@mltel/node/mysql2', '0.1.0', config);
    cachePackageVersions(this);
  }

  // The file, not the package entry: `mysql2/promise` loads lib/pool.js without the entry, and
  // the require hook sees this file under both (and under an ES import of either).
  protected init() {
    type GetConnection = (...args: unknown[]) => unknown;
    type PoolClass = { prototype: { getConnection: GetConnection } };
    return [
      new InstrumentationNodeModuleDefinition('mysql2', ['>=3.0.0 <4'], undefined, undefined, [
        new InstrumentationNodeModuleFile(
          'mysql2/lib/pool.js',
          ['>=3.0.0 <4'],
          (Pool: PoolClass) => {
            const prototype = Pool?.prototype;
            if (typeof prototype?.getConnection === 'function' && !isWrapped(prototype.getConnection)) {
              const remember = (pool: PoolLike): void => this.remember(pool);
              this._wrap(prototype, 'getConnection', (original: GetConnection) => {
                return function getConnection(this: PoolLike, ...args: unknown[]) {
                  remember(this);
                  return original.apply(this, args);
                };
              });
            }
            return Pool;
          },
          (Pool: PoolClass | undefined) => {
            if (Pool?.prototype !== undefined) this._unwrap(Pool.prototype, 'getConnection');
          },
        ),
      ]),
    ];
  }

  override enable(): void {
    super.enable();
    this.pools ??= new Set();
    if (this.subscribed !== undefined) return;
    this.subscribed = new Map();
    for (const name of CHANNELS) {
      const handlers: diagnostics.TracingChannelSubscribers<QueryContext> = {
        start: (context) => {
          context[START] = performance.now();
        },
        end: () => {},
        asyncStart: () => {},
        asyncEnd: (context) => this.finish(context),
        error: () => {},
      };
      diagnostics.tracingChannel<string, QueryContext>(name).subscribe(handlers);
      this.subscribed.set(name, handlers);
    }
  }

  override disable(): void {
    super.disable();
    for (const [name, handlers] of this.subscribed ?? []) {
      diagnostics.tracingChannel<string, QueryContext>(name).unsubscribe(handlers);
    }
    this.subscribed = undefined;
  }

  protected override _updateMetricInstruments(): void {
    this.duration = this.meter.createHistogram(DB_CLIENT_OPERATION_DURATION.name, {
      description: 'Duration of database client operations.',
      unit: DB_CLIENT_OPERATION_DURATION.unit,
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: [...DB_CLIENT_OPERATION_DURATION.buckets] },
    });
    const options = (description: string) => ({ description, unit: '{connection}' });
    const count = this.meter.createObservableUpDownCounter(
      DB_CLIENT_CONNECTION_COUNT.name,
      options('The number of connections that are currently in state described by the state attribute.'),
    );
    const pending = this.meter.createObservableUpDownCounter(
      DB_CLIENT_CONNECTION_PENDING_REQUESTS.name,
      options('The number of current pending requests for an open connection.'),
    );
    const max = this.meter.createObservableUpDownCounter(
      DB_CLIENT_CONNECTION_MAX.name,
      options('The maximum number of open connections allowed.'),
    );
    count.addCallback((result) =>
      this.observe(result, (pool, name) => {
        const all = pool._allConnections?.length ?? 0;
        const idle = pool._freeConnections?.length ?? 0;
        result.observe(all - idle, { 'db.client.connection.state': 'used', 'db.client.connection.pool.name': name });
        result.observe(idle, { 'db.client.connection.state': 'idle', 'db.client.connection.pool.name': name });
      }),
    );
    pending.addCallback((result) =>
      this.observe(result, (pool, name) =>
        result.observe(pool._connectionQueue?.length ?? 0, { 'db.client.connection.pool.name': name }),
      ),
    );
    max.addCallback((result) =>
      this.observe(result, (pool, name) => {
        // connectionLimit 0 means no limit: no line to draw, so no series.
        const limit = pool.config?.connectionLimit;
        if (typeof limit === 'number' && limit > 0) result.observe(limit, { 'db.client.connection.pool.name': name });
      }),
    );
  }

  private remember(pool: PoolLike): void {
    this.pools ??= new Set();
    for (const ref of this.pools) if (ref.deref() === pool) return;
    this.pools.add(new WeakRef(pool));
  }

  // Each live pool once per collection; ended or collected pools are dropped.
  private observe(_result: ObservableResult, each: (pool: PoolLike, name: string) => void): void {
    for (const ref of this.pools ?? []) {
      const pool = ref.deref();
      if (pool === undefined || pool._closed === true) {
        this.pools?.delete(ref);
        continue;
      }
      each(pool, poolName(pool));
    }
  }

  private finish(context: QueryContext): void {
    const start = context[START];
    if (start === undefined || this.duration === undefined) return;
    this.duration.record((performance.now() - start) / 1000, operationAttributes(context));
  }
}
