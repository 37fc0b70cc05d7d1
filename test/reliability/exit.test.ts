import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../integration/helpers.js';
import { exitWithin, runApp } from './otlp-receiver.js';

// Finding 3 of issue 13 (the node parts): an OTLP endpoint that refuses (a closed port) or hangs
// (accepts and never answers) must not hold the process at exit beyond the one documented bound,
// MLTEL_SHUTDOWN_TIMEOUT (default 5000 ms). It added 13-15 s (refused) and 31 s (hung). The
// bounds asserted are generous ("did not hang"), not timings.

const BOUND_MS = 5000;
const SLACK_MS = 3000;

const APP = `
const { metrics } = await import(process.env.APP_API);
const counter = metrics.getMeter('app').createCounter('app.events');
const lingerMs = Number(process.env.APP_LINGER_MS ?? '0');
const started = Date.now();
// Something to flush from the start: a signal right after 'ready' must find data to export.
counter.add(1);
const timer = setInterval(() => counter.add(1), 50);
setTimeout(() => {
  clearInterval(timer);
  console.log('app: finished ' + (Date.now() - started));
}, lingerMs);
console.log('app: ready');
`;

describe('exit with a failing OTLP endpoint (issue 13, finding 3)', () => {
  let hung: Server;
  const sockets = new Set<Socket>();
  let hungBase: string;
  let closedBase: string;

  beforeAll(async () => {
    // Accepts, reads, never answers.
    hung = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    hungBase = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
    closedBase = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => hung.close(() => resolve()));
  });

  const cases = [
    { endpoint: 'refused', signal: undefined, interval: '60000' },
    { endpoint: 'hung', signal: undefined, interval: '60000' },
    // Periodic exports in flight when the app ends must not hold it either.
    { endpoint: 'refused', signal: undefined, interval: '200' },
    { endpoint: 'hung', signal: undefined, interval: '200' },
    { endpoint: 'hung', signal: 'SIGTERM', interval: '60000' },
  ] as const;

  it.each(cases)(
    '$endpoint endpoint, $signal, interval $interval: exits within the bound, app output complete',
    async (c) => {
      const app = runApp(APP, {
        OTEL_EXPORTER_OTLP_ENDPOINT: c.endpoint === 'hung' ? hungBase : closedBase,
        OTEL_METRIC_EXPORT_INTERVAL: c.interval,
        APP_LINGER_MS: c.signal === undefined ? '1000' : '600000',
        OTEL_LOG_LEVEL: 'none',
      });
      try {
        await app.child.waitForLine(/^app: ready/, 20_000);
        const t0 = Date.now();
        if (c.signal !== undefined) app.child.process.kill(c.signal);
        else await app.child.waitForLine(/^app: finished/, 20_000);
        const exit = await exitWithin(app, 60_000);
        const after = Date.now() - t0;
        console.log(
          `${c.endpoint} ${c.signal ?? 'natural end'} interval ${c.interval}: exit ${after} ms after the end`,
        );
        expect(after).toBeLessThan(BOUND_MS + SLACK_MS);
        if (c.signal === undefined) {
          expect(exit.code).toBe(0);
          expect(app.child.stdout()).toMatch(/app: finished \d+\n$/);
        } else {
          expect(exit.signal).toBe(c.signal);
        }
      } finally {
        app.child.process.kill('SIGKILL');
        app.remove();
      }
    },
  );

  it('MLTEL_SHUTDOWN_TIMEOUT shortens the bound (hung endpoint, 1000 ms)', async () => {
    const app = runApp(APP, {
      OTEL_EXPORTER_OTLP_ENDPOINT: hungBase,
      OTEL_METRIC_EXPORT_INTERVAL: '60000',
      MLTEL_SHUTDOWN_TIMEOUT: '1000',
      APP_LINGER_MS: '500',
      OTEL_LOG_LEVEL: 'none',
    });
    try {
      await app.child.waitForLine(/^app: finished/, 20_000);
      const t0 = Date.now();
      const exit = await exitWithin(app, 60_000);
      const after = Date.now() - t0;
      console.log(`hung, MLTEL_SHUTDOWN_TIMEOUT=1000: exit ${after} ms after the end`);
      expect(exit.code).toBe(0);
      expect(after).toBeLessThan(1000 + SLACK_MS);
    } finally {
      app.child.process.kill('SIGKILL');
      app.remove();
    }
  });
});
