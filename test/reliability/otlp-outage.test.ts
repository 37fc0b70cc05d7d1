// Issue 13 asks that an OTLP receiver outage of 60 s under load costs nothing: the totals that
// arrive after recovery equal the app's own counts (cumulative temporality carries them; the
// exporter drops failed batches instead of retrying them on timers that hold the process).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../integration/helpers.js';
import { exitWithin, runApp } from './otlp-receiver.js';

const OUTAGE_MS = 60_000;

const APP = `
const { metrics } = await import(process.env.APP_API);
const counter = metrics.getMeter('app').createCounter('app.events');
let total = 0;
// Load: 200 events a second until told to stop, then the total, then linger for the last export.
const timer = setInterval(() => {
  for (let i = 0; i < 2; i++) {
    counter.add(1);
    total++;
  }
}, 10);
process.once('SIGUSR2', () => {
  clearInterval(timer);
  console.log('app: total ' + total);
  setTimeout(() => process.exit(0), 8000);
});
console.log('app: ready');
`;

/** A loopback OTLP/JSON receiver that can be taken down (connections refused) and back up on its port. */
async function outageReceiver(port: number) {
  let last: number | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const resource of body.resourceMetrics ?? []) {
          for (const scope of resource.scopeMetrics ?? []) {
            for (const metric of scope.metrics ?? []) {
              if (metric.name !== 'app.events' || metric.sum === undefined) continue;
              last = metric.sum.dataPoints.reduce(
                (s: number, p: { asInt?: string | number; asDouble?: number }) =>
                  s + Number(p.asInt ?? p.asDouble ?? 0),
                0,
              );
            }
          }
        }
      } catch {
        // Not JSON: ignored.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const up = () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const down = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  await up();
  return { up, down, last: () => last };
}

describe('an OTLP receiver outage under load (issue 13)', () => {
  it(`a ${OUTAGE_MS / 1000} s outage: the totals after recovery equal the app's own count`, async () => {
    const port = await freePort();
    const receiver = await outageReceiver(port);
    const app = runApp(APP, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_LOG_LEVEL: 'none',
    });
    try {
      await app.child.waitForLine(/^app: ready/, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const before = receiver.last();
      expect(before).toBeGreaterThan(0);
      await receiver.down();
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await receiver.up();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      app.child.process.kill('SIGUSR2');
      const line = await app.child.waitForLine(/^app: total \d+/, 20_000);
      const total = Number(line.split(' ').pop());
      // Bounded wait for the export that carries the final total.
      const deadline = Date.now() + 15_000;
      while (receiver.last() !== total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      console.log(`outage: ${before} before, app total ${total}, received after recovery ${receiver.last()}`);
      expect(total).toBeGreaterThan(before ?? 0);
      expect(receiver.last()).toBe(total);
      const exit = await exitWithin(app, 30_000);
      expect(exit.code).toBe(0);
    } finally {
      app.child.process.kill('SIGKILL');
      app.remove();
      await receiver.down().catch(() => {});
    }
  });
});
