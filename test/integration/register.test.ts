import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild } from './helpers.js';

const APPS = join(ROOT, 'test/fixtures/apps');

function runApp(app: string, flag: '--import' | '--require', env: NodeJS.ProcessEnv) {
  return spawnChild(process.execPath, [flag, '@mltel/node/register', join(APPS, app)], {
    cwd: ROOT,
    env: { OTEL_LOG_LEVEL: 'warn', ...env },
  });
}

function mlteLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.includes('mltel:'));
}

describe.each([
  ['app.mjs', '--import'],
  ['app.mjs', '--require'],
  ['app.cjs', '--import'],
  ['app.cjs', '--require'],
] as const)('%s under %s @mltel/node/register', (app, flag) => {
  it('serves the app task metrics and exits cleanly', async () => {
    const port = await freePort();
    const child = runApp(app, flag, { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), APP_LINGER_MS: '60000' });
    try {
      await child.waitForLine(/^app: ready/);
      const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
      const tasks = samples.filter((s) => s.name === 'ml_tasks_total');
      expect(tasks.map((s) => [s.labels.ml_task_name, s.labels.ml_task_status, s.value]).sort()).toEqual([
        ['fixture_job', 'cancelled', 0],
        ['fixture_job', 'error', 1],
        ['fixture_job', 'retry', 0],
        ['fixture_job', 'success', 2],
        ['fixture_job', 'timeout', 0],
      ]);
      expect(samples.find((s) => s.name === 'ml_task_errors_total')?.labels.error_type).toBe('RangeError');
      expect(await getText(`http://127.0.0.1:${port}/healthz`)).toBe('ok\n');
    } finally {
      const exit = await child.stop();
      // SIGTERM is re-raised after the flush when the app has no handler of its own.
      expect(exit.signal).toBe('SIGTERM');
    }
    expect(child.stderr()).toBe('');
  });
});

describe('start-up problems never stop the app', () => {
  it('port in use: one clear message naming the setting, and the app runs to its end', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const child = runApp('app.mjs', '--import', { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) });
      const exit = await child.exited;
      expect(exit.code).toBe(0);
      expect(child.stdout()).toContain('app: finished');
      const lines = mlteLines(child.stderr());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`127.0.0.1:${port}`);
      expect(lines[0]).toContain('already in use');
      expect(lines[0]).toContain('OTEL_EXPORTER_PROMETHEUS_PORT');
    } finally {
      blocker.close();
    }
  });

  it('unreachable OTLP endpoint: one message, the app runs and exits on its own', async () => {
    const closedPort = await freePort();
    const child = runApp('app.mjs', '--import', {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`,
      OTEL_METRIC_EXPORT_INTERVAL: '100',
      APP_LINGER_MS: '1500',
    });
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.stdout()).toContain('app: finished');
    const lines = mlteLines(child.stderr());
    // One message; at exit, at most one more with the count of the failures since (rate-limited).
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines.slice(1).every((line) => line.includes('more since the last message'))).toBe(true);
    expect(lines[0]).toContain(`http://127.0.0.1:${closedPort}/v1/metrics`);
    expect(lines[0]).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it('bad variables: one message each naming the variable, defaults used', async () => {
    const child = runApp('app.mjs', '--import', {
      OTEL_METRICS_EXPORTER: 'bogus,none',
      OTEL_EXPORTER_PROMETHEUS_PORT: 'abc',
      OTEL_METRIC_EXPORT_INTERVAL: '-5',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon',
    });
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.stdout()).toContain('app: finished');
    const lines = mlteLines(child.stderr());
    expect(lines).toHaveLength(4);
    for (const name of [
      'OTEL_METRICS_EXPORTER names "bogus"',
      'OTEL_EXPORTER_PROMETHEUS_PORT="abc"',
      'OTEL_METRIC_EXPORT_INTERVAL="-5"',
      'OTEL_EXPORTER_OTLP_PROTOCOL="carrier-pigeon"',
    ]) {
      expect(
        lines.some((l) => l.includes(name)),
        name,
      ).toBe(true);
    }
  });

  it('OTEL_SDK_DISABLED=true: nothing listens, the app runs', async () => {
    const port = await freePort();
    const child = runApp('app.mjs', '--import', {
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.stdout()).toContain('app: finished');
    await expect(getText(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
