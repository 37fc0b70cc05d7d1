import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The example service run by the integration tests. */
export const WORKER_DIR = join(ROOT, 'examples/task-worker');

const SERVERS_DIR = process.env.MLTEL_SERVERS_DIR ?? join(ROOT, '.cache/servers');

/** Path of a server binary fetched by scripts/fetch-servers.sh; throws (never skips) when missing. */
export function serverBin(name: 'prometheus' | 'promtool' | 'victoria-metrics' | 'redis-server' | 'redis-cli'): string {
  const path = join(SERVERS_DIR, 'root/usr/bin', name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`bash scripts/fetch-servers.sh\` (npm test does it for you)`);
  }
  return path;
}

/**
 * The environment the fetched servers run in: LD_LIBRARY_PATH names the shared libraries
 * extracted beside them (redis needs libjemalloc and liblzf, which a base system lacks).
 */
export function serverEnv(): NodeJS.ProcessEnv {
  const lib = join(SERVERS_DIR, 'root/usr/lib');
  const dirs = existsSync(lib)
    ? readdirSync(lib)
        .filter((name) => name.endsWith('-linux-gnu'))
        .map((name) => join(lib, name))
    : [];
  if (process.env.LD_LIBRARY_PATH) dirs.push(process.env.LD_LIBRARY_PATH);
  return dirs.length === 0 ? {} : { LD_LIBRARY_PATH: dirs.join(':') };
}

/** A redis-server started by {@link startRedis}. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(): Promise<void>;
  /** SIGKILL now (an outage); `stop()` then waits for the exit. */
  kill(): void;
  /** Runs `redis-cli` against it; resolves with its output, trimmed. */
  cli(...args: string[]): Promise<string>;
  /** Its output so far. */
  output(): string;
}

// One PING over a fresh connection: resolves with whether `+PONG` came back (within 1 s).
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.setEncoding('utf8').on('data', (data: string) => {
      reply += data;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * Starts the fetched redis-server on 127.0.0.1 (a free port, or `port`: a restart on the same
 * one), keeping nothing on disk (`--save '' --appendonly no`), in the foreground; resolves when
 * it answers PING (bounded in time).
 */
export async function startRedis(options: { port?: number; timeoutMs?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = tempDir('mltel-redis-');
  const env = serverEnv();
  const child = spawnChild(
    serverBin('redis-server'),
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      dir.path,
    ],
    { cwd: dir.path, env },
  );
  let exited = false;
  void child.exited.then(() => {
    exited = true;
    dir.remove();
  });
  const output = (): string => child.stdout() + child.stderr();
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (!(await pings(port))) {
    if (exited || Date.now() > deadline) {
      child.process.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING${exited ? ' (it exited)' : ''}:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await child.stop();
    },
    kill() {
      child.process.kill('SIGKILL');
    },
    cli(...args) {
      return new Promise((resolve, reject) => {
        execFile(
          serverBin('redis-cli'),
          ['-h', '127.0.0.1', '-p', String(port), ...args],
          { env: { ...process.env, ...env }, timeout: 10_000 },
          (error, stdout, stderr) =>
            error
              ? reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || error.message}`))
              : resolve(stdout.trim()),
        );
      });
    },
    output,
  };
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A temporary folder removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A child process with its output collected. */
export interface Child {
  process: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first stdout line matching the pattern; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a command with collected output. */
export function spawnChild(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Child {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let running = true;
  void exited.then(() => (running = false));
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = (): void => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            resolve(line);
            return;
          }
          if (!running) {
            reject(new Error(`exited before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
            return;
          }
          if (Date.now() > deadline) {
            reject(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
            return;
          }
          setTimeout(check, 50);
        };
        check();
      });
    },
    async stop() {
      if (running) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    },
  };
}

/** Starts the example worker under the preload flag (`--import` by default). */
export function spawnWorker(env: NodeJS.ProcessEnv, flag: '--import' | '--require' = '--import'): Child {
  return spawnChild(process.execPath, [flag, '@mltel/node/register', 'src/worker.js'], {
    cwd: WORKER_DIR,
    env: { OTEL_LOG_LEVEL: 'warn', ...env },
  });
}

/** Polls `read` until `accept` holds for its value (bounded in time), then returns the value. */
export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `condition not met in ${timeoutMs} ms; last value ${JSON.stringify(last)}; last error ${String(lastError)}`,
  );
}

/** GETs a URL as text with a time limit. */
/** A real Prometheus on a free loopback port, started from `<dir>/prometheus.yml` and ready. */
export async function startPrometheus(dir: string, extraArgs: string[] = []): Promise<{ api: string; child: Child }> {
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const child = spawnChild(
    serverBin('prometheus'),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      ...extraArgs,
      '--log.level=warn',
    ],
    { cwd: dir },
  );
  await until(
    () => getText(`${api}/-/ready`),
    (t) => t.includes('Ready'),
    30_000,
  );
  return { api, child };
}

export async function getText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/** A Prometheus-API instant vector result. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Runs an instant query on a Prometheus-compatible API (Prometheus or VictoriaMetrics). */
export async function query(base: string, promql: string): Promise<VectorSample[]> {
  const body = JSON.parse(await getText(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`)) as {
    status: string;
    data: { resultType: string; result: VectorSample[] };
  };
  if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** One sample line of the Prometheus text format. */
export interface ScrapedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (the subset our serializer writes). */
export function parseExposition(text: string): ScrapedSample[] {
  const samples: ScrapedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]!.replace('+Inf', 'Infinity')) });
  }
  return samples;
}

/** The counts the example worker prints when done. */
export interface WorkerSummary {
  tasks: number;
  success: number;
  error: number;
  timeout: number;
}

/** Parses the worker's `done {...}` line. */
export function parseSummary(line: string): WorkerSummary {
  return JSON.parse(line.slice(line.indexOf('{'))) as WorkerSummary;
}
