// mltel's mysql2 metrics: the attribute rules, and durations read from mysql2's own tracing
// channels on a real MeterProvider (the pool usage against the real MariaDB is in
// test/integration/contrib-db.test.ts).
import * as diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkProvider } from '../test/harness.js';
import { errorType, Mysql2Instrumentation, operationAttributes, operationName, poolName } from './contrib-mysql2.js';

describe('operationName', () => {
  it('takes the SQL verb of the statement, and nothing else of its text', () => {
    expect(operationName('select * from t')).toBe('SELECT');
    expect(operationName('  (SELECT 1) UNION (SELECT 2)')).toBe('SELECT');
    expect(operationName('INSERT INTO t VALUES (?)')).toBe('INSERT');
    expect(operationName('user_supplied_text here')).toBeUndefined();
    expect(operationName(undefined)).toBeUndefined();
  });
});

describe('errorType', () => {
  it("is mysql2's error code, else the error class, else _OTHER", () => {
    expect(errorType(Object.assign(new Error('x'), { code: 'ER_NO_SUCH_TABLE' }))).toBe('ER_NO_SUCH_TABLE');
    expect(errorType(Object.assign(new TypeError('x'), { code: 'has spaces' }))).toBe('TypeError');
    expect(errorType('text')).toBe('_OTHER');
  });
});

describe('operationAttributes and poolName', () => {
  it('name the system, database, operation, server and error', () => {
    expect(
      operationAttributes({
        query: 'UPDATE t SET a = 1',
        database: 'shop',
        serverAddress: 'db',
        serverPort: 3306,
        error: Object.assign(new Error('x'), { code: 'ER_LOCK_DEADLOCK' }),
      }),
    ).toEqual({
      'db.system.name': 'mysql',
      'db.namespace': 'shop',
      'db.operation.name': 'UPDATE',
      'server.address': 'db',
      'server.port': 3306,
      'error.type': 'ER_LOCK_DEADLOCK',
    });
    expect(operationAttributes({ database: '' })).toEqual({ 'db.system.name': 'mysql' });
    expect(poolName({ config: { connectionConfig: { host: 'db', port: 3307, database: 'shop' } } })).toBe(
      'db:3307/shop',
    );
    expect(poolName({})).toBe('localhost:3306/');
  });
});

describe('Mysql2Instrumentation', () => {
  let instrumentation: Mysql2Instrumentation | undefined;
  afterEach(() => {
    instrumentation?.disable();
    instrumentation = undefined;
  });

  it('records one duration per finished query from the mysql2 tracing channels, and none once disabled', async () => {
    const sdk = sdkProvider();
    instrumentation = new Mysql2Instrumentation();
    instrumentation.setMeterProvider(sdk.provider);
    const query = diagnostics.tracingChannel<string, object>('mysql2:query');
    const run = (context: object, fail: boolean) =>
      new Promise<void>((resolve) => {
        query.traceCallback(
          (done: (error?: Error) => void) => {
            setImmediate(() => done(fail ? Object.assign(new Error('gone'), { code: 'ER_NO_SUCH_TABLE' }) : undefined));
          },
          0,
          context,
          null,
          () => resolve(),
        );
      });
    const context = () => ({ query: 'SELECT 1', database: 'test', serverAddress: '127.0.0.1', serverPort: 3306 });
    await run(context(), false);
    await run(context(), false);
    await run(context(), true);
    const points = (await sdk.collect()).histograms('db.client.operation.duration');
    expect(points.map((p) => [p.attributes['error.type'] ?? '', p.count]).sort()).toEqual([
      ['', 2],
      ['ER_NO_SUCH_TABLE', 1],
    ]);
    expect(points[0]!.boundaries).toEqual([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);

    instrumentation.disable();
    await run(context(), false);
    const after = (await sdk.collect()).histograms('db.client.operation.duration');
    expect(after.reduce((sum, p) => sum + p.count, 0)).toBe(3);
  });
});
