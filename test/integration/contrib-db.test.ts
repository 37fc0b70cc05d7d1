// Database-client metrics of the preload against the real PostgreSQL (127.0.0.1:5432) and MariaDB
// (127.0.0.1:3306) of the machine, database test: exact query counts, the failing query's
// error.type, and the pool's usage while queries are held open by a lock another connection holds
// (used, idle, pending, limit), so "pool nearly exhausted" is used / max. packages/node/src/
// contrib.ts starts @opentelemetry/instrumentation-pg and mltel's mysql2 instrumentation
// (contrib-mysql2.ts); the catalog entries (packages/semconv/src/metrics/db.ts) are checked
// against what they record.
import { join } from 'node:path';
import { METRICS } from '@mltel/semconv';
import { describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, until } from './helpers.js';
import type { ScrapedSample } from './helpers.js';

const APPS = join(ROOT, 'test/fixtures/contrib-app');
const CLIENTS = [
  // app, pool name, db.system.name, error.type of the query on a missing table
  ['pg-app.mjs', '127.0.0.1:5432/test', 'postgresql', '42P01'],
  ['mysql2-app.mjs', '127.0.0.1:3306/test', 'mysql', 'ER_NO_SUCH_TABLE'],
] as const;
const FLAGS = ['--import', '--require'] as const;

const value = (samples: ScrapedSample[], name: string, labels: Record<string, string>): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe.each(CLIENTS.flatMap((client) => FLAGS.map((flag) => [...client, flag] as const)))(
  '%s (pool %s) under %s @mltel/node/register',
  (app, POOL, system, missingTable, flag) => {
    it('counts every query, and reads the pool while queries are held open', async () => {
      const port = await freePort();
      const child = spawnChild(process.execPath, [flag, '@mltel/node/register', join(APPS, app)], {
        cwd: ROOT,
        env: { OTEL_LOG_LEVEL: 'warn', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), MLTEL_GPU: 'false' },
      });
      try {
        expect(await child.waitForLine(/^app: held/)).toBe('app: held total=2 idle=0 waiting=1');
        const pool = { db_client_connection_pool_name: POOL };
        // The instrumentation updates the pool series on the pool's events (connect, acquire,
        // release): the scrape shows the held state once both connections are established.
        const held = await until(
          async () => parseExposition(await getText(`http://127.0.0.1:${port}/metrics`)),
          (samples) =>
            value(samples, 'db_client_connection_count', { ...pool, db_client_connection_state: 'used' }) === 2,
        );
        expect(value(held, 'db_client_connection_count', { ...pool, db_client_connection_state: 'used' })).toBe(2);
        expect(value(held, 'db_client_connection_count', { ...pool, db_client_connection_state: 'idle' })).toBe(0);
        expect(value(held, 'db_client_connection_pending_requests', pool)).toBe(1);
        expect(value(held, 'db_client_connection_max', pool)).toBe(2);

        child.process.kill('SIGUSR2');
        await child.waitForLine(/^app: released/);
        const done = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
        const queries = done.filter((s) => s.name === 'db_client_operation_duration_seconds_count');
        // 5 + 3 held through the pool, and the lock and unlock of the holding client: 10 SELECTs;
        // the query on a missing table fails with the server's error code.
        expect(
          queries
            .map((s) => [s.labels.db_system_name, s.labels.db_operation_name, s.labels.error_type ?? '', s.value])
            .sort(),
        ).toEqual([
          [system, 'SELECT', '', 10],
          [system, 'SELECT', missingTable, 1],
        ]);
        expect(queries.every((s) => s.labels.db_namespace === 'test')).toBe(true);
        expect(value(done, 'db_client_connection_pending_requests', pool)).toBe(0);

        // Every pg series of the scrape is in the catalog, with labels the catalog lists.
        for (const sample of done.filter((s) => s.name.startsWith('db_client_'))) {
          const definition =
            METRICS.find((m) => m.prometheusName === sample.name) ??
            METRICS.find((m) => m.prometheusName === sample.name.replace(/_(count|sum|bucket)$/, ''));
          expect(definition, sample.name).toBeDefined();
          const allowed = new Set([...definition!.attributes.map((a) => a.replaceAll('.', '_')), 'le']);
          expect(
            Object.keys(sample.labels).filter((l) => !allowed.has(l)),
            sample.name,
          ).toEqual([]);
        }
        expect(child.stderr()).not.toMatch(/mltel:/);
      } finally {
        await child.stop();
      }
    });
  },
);

describe.each([
  ['pg-app.mjs', 'pg'],
  ['mysql2-app.mjs', 'mysql2'],
])('%s with OTEL_NODE_DISABLED_INSTRUMENTATIONS=%s', (app, name) => {
  it('records no database metric', async () => {
    const port = await freePort();
    const child = spawnChild(process.execPath, ['--import', '@mltel/node/register', join(APPS, app)], {
      cwd: ROOT,
      env: {
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        MLTEL_GPU: 'false',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: name,
      },
    });
    try {
      await child.waitForLine(/^app: held/);
      const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
      expect(samples.filter((s) => s.name.startsWith('db_client_'))).toEqual([]);
      expect(samples.some((s) => s.name === 'nodejs_eventloop_utilization_ratio')).toBe(true);
    } finally {
      await child.stop();
    }
  });
});

describe('redis-app.mjs (node-redis metrics enabled by the app) under --import @mltel/node/register', () => {
  it("lands node-redis's own command metrics in the preload's endpoint, counted exactly", async () => {
    const port = await freePort();
    const child = spawnChild(process.execPath, ['--import', '@mltel/node/register', join(APPS, 'redis-app.mjs')], {
      cwd: ROOT,
      env: { OTEL_LOG_LEVEL: 'warn', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), MLTEL_GPU: 'false' },
    });
    try {
      await child.waitForLine(/^app: ready/);
      const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
      const commands = samples.filter(
        (s) => s.name === 'db_client_operation_duration_seconds_count' && s.labels.db_system_name === 'redis',
      );
      expect(commands.map((s) => [s.labels.db_operation_name, s.value]).sort()).toEqual([
        ['DEL', 1],
        ['GET', 1],
        ['SET', 3],
      ]);
      // And nothing warned.
      expect(child.stderr()).not.toMatch(/Conflicting|mltel:/);
    } finally {
      await child.stop();
    }
  });
});
