import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../integration/helpers.js';
import { exitWithin, mltelLines, runApp } from './otlp-receiver.js';

// Finding 9 of issue 13: each kind of problem is logged once, then counted and re-logged at most
// once a minute with the count since; secrets never reach the logs. Before: 1M distinct invalid
// values printed 1,000 lines, a hung receiver logged every interval, and OTLP endpoints were
// echoed with their user:password@ and api_key.

const FLOOD_APP = `
await import(process.env.APP_API);
const { recordTask } = await import(process.env.APP_TASKS);
const n = Number(process.env.APP_N);
for (let i = 0; i < n; i++) recordTask({ name: 'flood', status: 'bad-' + i });
console.log('app: finished');
`;

const IDLE_APP = `
const { metrics } = await import(process.env.APP_API);
const counter = metrics.getMeter('app').createCounter('app.events');
const timer = setInterval(() => counter.add(1), 100);
setTimeout(() => { clearInterval(timer); console.log('app: finished'); }, Number(process.env.APP_LINGER_MS));
console.log('app: ready');
`;

describe('logs stay bounded and free of secrets (issue 13, finding 9)', () => {
  let hung: Server;
  const sockets = new Set<Socket>();
  let hungPort: number;

  beforeAll(async () => {
    hung = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    hungPort = (hung.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => hung.close(() => resolve()));
  });

  it('1M distinct invalid values through a meter: a few lines, the count reported', async () => {
    const tasks = new URL('../../packages/tasks/dist/index.js', import.meta.url).href;
    const app = runApp(FLOOD_APP, {
      APP_TASKS: tasks,
      APP_N: '1000000',
      OTEL_METRICS_EXPORTER: 'none',
    });
    try {
      const exit = await exitWithin(app, 60_000);
      expect(exit.code).toBe(0);
      const lines = mltelLines(app.child.stderr());
      console.log(`1M distinct invalid statuses: ${lines.length} stderr lines\n${lines.slice(0, 4).join('\n')}`);
      expect(lines.length).toBeLessThanOrEqual(3);
      expect(lines[0]).toContain('ml.task.status must be one of');
      // The rest is counted: the shutdown summary reports how many were not printed.
      expect(lines.join('\n')).toMatch(/999,999 more/);
    } finally {
      app.child.process.kill('SIGKILL');
      app.remove();
    }
  });

  it('a hung receiver for 20 s at a 1 s interval: at most a couple of lines', async () => {
    const app = runApp(IDLE_APP, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${hungPort}`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      MLTEL_SHUTDOWN_TIMEOUT: '1000',
      APP_LINGER_MS: '20000',
    });
    try {
      await exitWithin(app, 60_000);
      const lines = mltelLines(app.child.stderr());
      console.log(`hung receiver, 20 s at 1 s: ${lines.length} stderr lines\n${lines.join('\n')}`);
      expect(app.child.stdout()).toContain('app: finished');
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(3);
    } finally {
      app.child.process.kill('SIGKILL');
      app.remove();
    }
  });

  it('credentials in OTLP endpoints and headers never reach stderr', async () => {
    const closed = await freePort();
    const secrets = ['s3cr3t-pass', 'APIKEY-123456', 'TOKEN-abcdef', 'HDR-SECRET-9'];
    const runs = [
      // Refused: the exporter's failure message names the endpoint.
      {
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://alice:s3cr3t-pass@127.0.0.1:${closed}/v1/metrics?api_key=APIKEY-123456&token=TOKEN-abcdef`,
      },
      // Invalid: the configuration message names the value.
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://alice:s3cr3t-pass@collector?api_key=APIKEY-123456' },
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'not a url alice:s3cr3t-pass@x?token=TOKEN-abcdef' },
      // A header with a bad encoding: the message names the key only.
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%ZZHDR-SECRET-9,x-api-key=HDR-SECRET-9',
      },
    ];
    for (const env of runs) {
      const app = runApp(IDLE_APP, { ...env, OTEL_METRIC_EXPORT_INTERVAL: '200', APP_LINGER_MS: '800' });
      try {
        await exitWithin(app, 30_000);
        const stderr = app.child.stderr();
        console.log(`${Object.keys(env).join(',')}:\n${stderr}`);
        expect(mltelLines(stderr).length).toBeGreaterThanOrEqual(1);
        for (const secret of secrets) expect(stderr).not.toContain(secret);
      } finally {
        app.child.process.kill('SIGKILL');
        app.remove();
      }
    }
  });
});
