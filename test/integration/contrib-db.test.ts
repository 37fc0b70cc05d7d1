// Database-client metrics of the preload against the real PostgreSQL of the machine
// (127.0.0.1:5432, database test): exact query counts, the failing query's error.type, and the
// pool's usage while queries are held open by an advisory lock (used, idle, pending, limit), so
// "pool nearly exhausted" is used / max. packages/node/src/contrib.ts starts
// @opentelemetry/instrumentation-pg; the catalog entries (packages/semconv/src/metrics/db.ts) are
// checked against what it records.
import { join } from 'node:path';
import { METRICS } from '@mltel/semconv';
import { describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, until } from './helpers.js';
import type { ScrapedSample } from './helpers.js';

const APPS = join(ROOT, 'test/fixtures/contrib-app');
const POOL = '127.0.0.1:5432/test';

const value = (samples: ScrapedSample[], name: string, labels: Record<string, string>): number | undefined =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe.each(['--import', '--require'] as const)('pg-app.mjs under %s @mltel/node/register', (flag) => {
  it('counts every query, and reads the pool while queries are held open', async () => {
    const port = await freePort();
    const child = spawnChild(process.execPath, [flag, '@mltel/node/register', join(APPS, 'pg-app.mjs')], {
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
      // the query on a missing table fails with its SQLSTATE.
      expect(
        queries.map((s) => [s.labels.db_system_name, s.labels.db_operation_name, s.labels.error_type ?? '', s.value]),
      ).toEqual(expect.arrayContaining([['postgresql', 'SELECT', '', 10]]));
      expect(queries.reduce((sum, s) => sum + s.value, 0)).toBe(11);
      expect(queries.find((s) => s.labels.error_type !== undefined)?.labels.db_namespace).toBe('test');
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
});

describe('OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg', () => {
  it('records no database metric', async () => {
    const port = await freePort();
    const child = spawnChild(process.execPath, ['--import', '@mltel/node/register', join(APPS, 'pg-app.mjs')], {
      cwd: ROOT,
      env: {
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        MLTEL_GPU: 'false',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg',
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
