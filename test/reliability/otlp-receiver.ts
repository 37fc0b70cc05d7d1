// Shared by the exit, signal and log scenarios of issue 13: a loopback OTLP/HTTP-JSON receiver
// that records what arrives (or hangs, or is a closed port), and an app run under the real
// preload from a temporary folder.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, spawnChild, tempDir } from '../integration/helpers.js';
import type { Child } from '../integration/helpers.js';

/** The preload, built. */
export const REGISTER = pathToFileURL(join(ROOT, 'packages/node/dist/register.js')).href;
/** The OTel API the preload uses: the app imports it by URL, as it lives in a temporary folder. */
export const API = pathToFileURL(join(ROOT, 'packages/node/node_modules/@opentelemetry/api/dist/index.mjs')).href;

/** A loopback OTLP receiver. */
export interface Receiver {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** Requests received (answered or not). */
  requests(): number;
  /** The last value of a sum metric's data points, summed, or undefined when never received. */
  lastSum(name: string): number | undefined;
  /** Forgets the values received so far. */
  reset(): void;
  close(): Promise<void>;
}

interface JsonDataPoint {
  asInt?: string | number;
  asDouble?: number;
}
interface JsonMetric {
  name: string;
  sum?: { dataPoints: JsonDataPoint[] };
}
interface JsonExport {
  resourceMetrics?: { scopeMetrics?: { metrics?: JsonMetric[] }[] }[];
}

/**
 * Starts a receiver on a free loopback port. `ok` answers 200 to every POST and decodes OTLP/JSON
 * bodies; `hang` accepts connections and reads requests but never answers (a stalled collector).
 */
export async function startReceiver(mode: 'ok' | 'hang'): Promise<Receiver> {
  let count = 0;
  const sums = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    count++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (mode === 'hang') return;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonExport;
        for (const resource of body.resourceMetrics ?? []) {
          for (const scope of resource.scopeMetrics ?? []) {
            for (const metric of scope.metrics ?? []) {
              if (metric.sum === undefined) continue;
              const total = metric.sum.dataPoints.reduce((s, p) => s + Number(p.asInt ?? p.asDouble ?? 0), 0);
              sums.set(metric.name, total);
            }
          }
        }
      } catch {
        // A protobuf body: counted, not decoded.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    requests: () => count,
    lastSum: (name) => sums.get(name),
    reset: () => sums.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A child app under `node --import <preload>`, written into its own temporary folder. */
export interface App {
  child: Child;
  /** Milliseconds from spawn to exit, once exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  remove(): void;
}

/** Writes `source` as app.mjs into a temporary folder and runs it under the real preload. */
export function runApp(source: string, env: NodeJS.ProcessEnv): App {
  const dir = tempDir('mltel-rel-');
  writeFileSync(join(dir.path, 'app.mjs'), source);
  const started = Date.now();
  const child = spawnChild(process.execPath, ['--import', REGISTER, 'app.mjs'], {
    cwd: dir.path,
    env: {
      APP_API: API,
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      MLTEL_HOST_METRICS: 'false',
      MLTEL_GPU: 'false',
      MLTEL_MULTIPROCESS: 'false',
      OTEL_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  const exited = child.exited.then((result) => ({ ...result, ms: Date.now() - started }));
  return { child, exited: () => exited, remove: dir.remove };
}

/** Resolves with the exit, or SIGKILLs the child after `timeoutMs` and rejects (never hangs a test). */
export async function exitWithin(
  app: App,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      app.child.process.kill('SIGKILL');
      reject(
        new Error(
          `the app did not exit within ${timeoutMs} ms\nstdout:\n${app.child.stdout()}\nstderr:\n${app.child.stderr()}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([app.exited(), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** The lines of the child's stderr that mltel wrote. */
export function mltelLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes('mltel:') || line.includes('PeriodicExporting'));
}
