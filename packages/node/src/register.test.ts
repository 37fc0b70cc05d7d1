// register.ts is a side-effect entry point: it is tested as applications use it, by preloading
// the built dist/register.js into a child Node process (test/integration/register.test.ts runs
// the published form, @mltel/node/register, with real apps).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MLTEL_VERSION } from '@mltel/kit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { built, tempDir } from '../test/harness.js';

let register: string;
let index: string;
let dir: ReturnType<typeof tempDir>;
let apps = 0;
beforeAll(() => {
  register = built('register');
  index = pathToFileURL(built('index')).href;
  dir = tempDir('mltel-register-');
  return () => dir.remove();
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const QUIET = { MLTEL_HOST_METRICS: 'false', MLTEL_GPU: 'false', OTEL_LOG_LEVEL: 'warn' };

/**
 * Runs `script` as a CommonJS app file under the preload; resolves with its exit and output,
 * killing it after 20 s. A file, not `-e`: with `--require`, an -e script cannot start while
 * import-in-the-middle's in-thread hook is registered (Node 24 loads the builtin `module`
 * through it and fails), which the applications this serves never do.
 */
function run(flag: '--import' | '--require', script: string, env: Record<string, string>) {
  const app = join(dir.dir, `app-${++apps}.cjs`);
  writeFileSync(app, script);
  const child = spawn(process.execPath, [flag, register, app], {
    env: { PATH: process.env.PATH, ...QUIET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (data: string) => void stdout.push(data));
  child.stderr!.setEncoding('utf8').on('data', (data: string) => void stderr.push(data));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  return { child, exited, stdout: () => stdout.join(''), stderr: () => stderr.join('') };
}

// Prints the port the preloaded SDK serves on, then idles until signalled.
const SERVE = `import(${JSON.stringify('INDEX')}).then(async ({ current }) => {
  console.log('port ' + (await current().prometheusPort));
  setInterval(() => {}, 1000);
});`;

async function portOf(stdout: () => string): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const match = /^port (\d+)$/m.exec(stdout());
    if (match) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no port printed within 15 s; stdout: ${stdout()}`);
}

describe('the register entry point', () => {
  it.each(['--import', '--require'] as const)(
    '%s starts the SDK from the variables and serves Prometheus',
    { timeout: 30_000 },
    async (flag) => {
      const app = run(flag, SERVE.replace('INDEX', index), {
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        OTEL_SERVICE_NAME: 'register-beside',
      });
      const port = await portOf(app.stdout);
      const text = await (
        await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })
      ).text();
      expect(text).toMatch(/^target_info\{[^}]*service_name="register-beside"/m);
      expect(text).toContain('telemetry_distro_name="@mltel/node"');
      expect(text).toContain(`telemetry_distro_version="${MLTEL_VERSION}"`);
      app.child.kill('SIGTERM');
      // The flush-on-exit handler re-raises SIGTERM when the app has no handler of its own.
      expect(await app.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(app.stderr()).toBe('');
    },
  );

  /** The module files the preload loads for an app that exits at once, in this environment. */
  function modulesLoaded(env: Record<string, string>): string[] {
    // A hook preloaded before the entry point lists every module file loaded after it.
    const hook = join(dir.dir, 'list-modules.mjs');
    writeFileSync(
      hook,
      `import { registerHooks } from 'node:module';
const urls = [];
registerHooks({ load(url, context, next) { urls.push(url); return next(url, context); } });
process.on('exit', () => console.log(JSON.stringify(urls)));`,
    );
    const app = join(dir.dir, 'exiting-app.cjs');
    writeFileSync(app, "console.log('app: ran'); process.exit(0);");
    const result = spawnSync(process.execPath, ['--import', pathToFileURL(hook).href, '--import', register, app], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(0);
    const [ran, listed] = result.stdout.trim().split('\n');
    expect(ran).toBe('app: ran');
    expect(result.stderr).toBe('');
    const files = (JSON.parse(listed!) as string[]).filter((url) => url.startsWith('file:'));
    expect(files.some((url) => url.endsWith('/register.js'))).toBe(true);
    return files;
  }

  it('OTEL_SDK_DISABLED=true loads no SDK module: the disabled preload costs about nothing', {
    timeout: 30_000,
  }, () => {
    const files = modulesLoaded({ OTEL_SDK_DISABLED: 'true' });
    expect(files.filter((url) => url.includes('node_modules') || url.endsWith('/sdk.js'))).toEqual([]);
  });

  it('loads only what the configuration uses: no OTLP exporter, GPU parser or cost package when unused', {
    timeout: 30_000,
  }, () => {
    // Prometheus only, no nvidia-smi on PATH (an empty directory), MLTEL_COST=false.
    const files = modulesLoaded({
      ...QUIET,
      MLTEL_GPU: 'auto',
      PATH: dir.dir,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      MLTEL_COST: 'false',
    });
    // The upstream serializer: its bundle in dist/vendor/ (../../scripts/bundle-dist.mjs).
    expect(files.some((url) => /\/vendor\/opentelemetry-exporter-prometheus-serializer\.js$/.test(url))).toBe(true);
    const unused =
      /exporter-metrics-otlp|otlp-transformer|nvidia-smi-parser|fast-xml-parser|gpu-host-metrics|\/cost\/dist\/|big\.js/;
    expect(files.filter((url) => unused.test(url))).toEqual([]);
  });

  it('runs the OpenTelemetry SDK from its bundles, not from about 130 modules in node_modules', {
    timeout: 30_000,
  }, () => {
    // Defaults (Prometheus, host metrics, the contrib and runtime instrumentations).
    const files = modulesLoaded({ ...QUIET, OTEL_EXPORTER_PROMETHEUS_PORT: '0' });
    const bundled =
      /node_modules\/(@opentelemetry\/(sdk-metrics|core|resources|semantic-conventions|exporter-prometheus|instrumentation-(host-metrics|undici|runtime-node))|systeminformation)\//;
    expect(files.filter((url) => bundled.test(url))).toEqual([]);
    expect(files.some((url) => url.endsWith('/vendor/opentelemetry-instrumentation-runtime-node.js'))).toBe(true);
    // What stays one instance per process: the API and the instrumentation framework.
    expect(files.some((url) => url.includes('/@opentelemetry/api/'))).toBe(true);
    expect(files.some((url) => url.includes('/@opentelemetry/instrumentation/'))).toBe(true);
  });

  it("builds no ES facade of node:http (it loads Node's bundled undici) and leaves node:https unloaded", {
    timeout: 30_000,
  }, () => {
    // An ES import of node:http reads its lazy WebSocket exports, which load undici: 15-20 ms.
    const app = join(dir.dir, 'builtins-app.cjs');
    writeFileSync(
      app,
      'console.log(JSON.stringify(process.moduleLoadList.filter((m) => /undici|^NativeModule (http|https)$/.test(m))));process.exit(0);',
    );
    const result = spawnSync(process.execPath, ['--import', register, app], {
      env: { PATH: process.env.PATH, ...QUIET, OTEL_EXPORTER_PROMETHEUS_PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    // node:http itself is loaded (the endpoint serves on it), as CommonJS.
    expect(JSON.parse(result.stdout)).toEqual(['NativeModule http']);
  });

  it('start-up problems never stop the app: one line each, and it runs to its end', { timeout: 30_000 }, async () => {
    const fifo = join(dir.dir, 'budgets.fifo');
    expect(spawnSync('mkfifo', [fifo], { timeout: 5000 }).status).toBe(0);
    const started = Date.now();
    const app = run('--import', "console.log('app: finished')", {
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_METRIC_EXPORT_INTERVAL: 'soon',
      MLTEL_BUDGETS: fifo,
    });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(app.stdout()).toBe('app: finished\n');
    const lines = app
      .stderr()
      .split('\n')
      .filter((line) => line.includes('mltel:'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('OTEL_METRIC_EXPORT_INTERVAL="soon"');
    expect(lines[1]).toContain(
      `MLTEL_BUDGETS names the file ${fifo}, which cannot be read (not a regular file: a FIFO)`,
    );
  });
});
