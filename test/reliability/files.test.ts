import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../integration/helpers.js';
import { exitWithin, mltelLines, runApp } from './otlp-receiver.js';

// Finding 3 of issue 13 (files): a FIFO, /dev/zero, a directory or an oversized file in any
// file-valued variable the node package reads must not block start-up, fill memory or keep the
// process alive: the app starts, runs, exits by itself, and mltel says so in one message naming
// the variable. MLTEL_PRICES and MLTEL_BUDGET_STORE=file:... are read by the cost package's own
// code (price files, FileStore) and tested with it.

const APP = `
const { metrics } = await import(process.env.APP_API);
metrics.getMeter('app').createCounter('app.events').add(1);
setTimeout(() => console.log('app: finished'), Number(process.env.APP_LINGER_MS ?? '200'));
`;

interface Variable {
  name: string;
  /** Extra variables that make mltel read it. */
  env: NodeJS.ProcessEnv;
  /** The oversized case: a path to a file too big, or not usable, for this variable. */
  oversized: 'big' | 'garbage-executable';
  /** Extra variables for the oversized case. */
  oversizedEnv?: NodeJS.ProcessEnv;
}

const OTLP = { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'https://127.0.0.1:9' };

const VARIABLES: Variable[] = [
  { name: 'MLTEL_BUDGETS', env: {}, oversized: 'big' },
  {
    name: 'MLTEL_NVIDIA_SMI',
    env: { MLTEL_GPU: 'true' },
    // A 2 MiB random file, executable: it is run at the first collection (there is nothing to
    // check before running it), fails, and that is reported once with its path.
    oversized: 'garbage-executable',
    oversizedEnv: {
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
      APP_LINGER_MS: '1500',
    },
  },
  // The OTLP TLS files: the metrics-specific form takes the same path as the generic ones.
  { name: 'OTEL_EXPORTER_OTLP_CERTIFICATE', env: OTLP, oversized: 'big' },
  { name: 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE', env: OTLP, oversized: 'big' },
  { name: 'OTEL_EXPORTER_OTLP_CLIENT_KEY', env: OTLP, oversized: 'big' },
  { name: 'OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY', env: OTLP, oversized: 'big' },
];

describe('bad files in file-valued variables (issue 13, finding 3)', () => {
  const dir = tempDir('mltel-files-');
  const paths: Record<string, string> = {};

  beforeAll(() => {
    paths.fifo = join(dir.path, 'fifo');
    execFileSync('mkfifo', [paths.fifo]);
    paths.zero = '/dev/zero';
    paths.directory = join(dir.path, 'a-directory');
    mkdirSync(paths.directory);
    // 64 MiB, sparse: larger than any limit, cheap to make.
    paths.big = join(dir.path, 'big');
    const fd = openSync(paths.big, 'w');
    ftruncateSync(fd, 64 * 1024 * 1024);
    closeSync(fd);
    paths['garbage-executable'] = join(dir.path, 'garbage');
    writeFileSync(paths['garbage-executable'], randomBytes(2 * 1024 * 1024));
    chmodSync(paths['garbage-executable'], 0o755);
  });
  afterAll(() => dir.remove());

  const cases = VARIABLES.flatMap((variable) =>
    (['fifo', 'zero', 'directory', 'oversized'] as const).map((kind) => ({ variable, kind })),
  );

  it.each(cases)(
    '$variable.name = $kind: the app runs and exits by itself, one message',
    async ({ variable, kind }) => {
      const path = paths[kind === 'oversized' ? variable.oversized : kind]!;
      const app = runApp(APP, {
        ...variable.env,
        ...(kind === 'oversized' ? variable.oversizedEnv : {}),
        [variable.name]: path,
        MLTEL_GPU: variable.env.MLTEL_GPU ?? 'false',
        OTEL_LOG_LEVEL: 'warn',
      });
      try {
        const exit = await exitWithin(app, 30_000);
        // Only start-up messages: not the closed OTLP port's, nor the GPU plugin's count at exit.
        const lines = mltelLines(app.child.stderr()).filter(
          (line) => !line.includes('metrics export to') && !line.includes('more since the last message'),
        );
        console.log(
          `${variable.name}=${kind}: exit ${exit.code} after ${exit.ms} ms; ${lines.join(' | ').slice(0, 400)}`,
        );
        expect(exit.code).toBe(0);
        expect(app.child.stdout()).toContain('app: finished');
        expect(lines).toHaveLength(1);
        // The garbage executable is named by its path in the GPU plugin's message.
        expect(lines[0]).toContain(path === paths['garbage-executable'] ? path : variable.name);
      } finally {
        app.child.process.kill('SIGKILL');
        app.remove();
      }
    },
  );
});
