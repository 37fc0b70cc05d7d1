// The real bullmq against the machine's Redis (127.0.0.1:6379) with a key prefix of this suite's
// own, in an app preloaded with @mltel/node/register: producers as messaging metrics, each job a
// worker runs as an ML task (exact counts by status, retries and failures included), queue wait
// within the measured bounds, and ml.queue.jobs equal to BullMQ's own getJobCounts(). ESM under
// --import and CommonJS under --require; the app's results and errors unchanged with the
// instrumentation off. The suite's keys are deleted after.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, tempDir } from './helpers.js';
import type { ScrapedSample } from './helpers.js';

const CLIENTS = join(ROOT, 'packages/instrumentation-messaging/node_modules');
const REGISTER = join(ROOT, 'packages/node/dist/register.js');
const PREFIX = `mltel-test-${randomBytes(4).toString('hex')}`;
const HOW_TO_START =
  'Redis is needed on 127.0.0.1:6379: start it with `service redis-server start`, or `bash scripts/fetch-servers.sh` then `.cache/servers/root/usr/bin/redis-server --port 6379`';

interface RedisClient {
  scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]>;
  del(...keys: string[]): Promise<number>;
  quit(): Promise<unknown>;
}
const Redis = createRequire(join(CLIENTS, 'x.js'))('ioredis') as new (options: object) => RedisClient;

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

beforeAll(async () => {
  if (!(await answers(6379))) throw new Error(`no Redis answers on 127.0.0.1:6379. ${HOW_TO_START}`);
});

afterAll(async () => {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false, maxRetriesPerRequest: 1 });
  try {
    // Only this suite's prefix; bounded in rounds.
    let cursor = '0';
    for (let round = 0; round < 1000; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    await redis.quit();
  }
}, 30_000);

interface Done {
  results: Record<string, unknown>;
  failures: string[];
  counts: Record<string, number>;
  idleCounts: Record<string, number>;
  elapsedSeconds: number;
}

function appFolder() {
  const dir = tempDir('mltel-bullmq-app-');
  cpSync(join(ROOT, 'test/fixtures/messaging-app'), dir.path, { recursive: true });
  mkdirSync(join(dir.path, 'node_modules'), { recursive: true });
  for (const name of ['bullmq', 'ioredis']) {
    symlinkSync(realpathSync(join(CLIENTS, name)), join(dir.path, 'node_modules', name));
  }
  return dir;
}

async function runApp(
  app: 'bullmq-app.mjs' | 'bullmq-app.cjs',
  flag: '--import' | '--require',
  queue: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ done: Done; samples: ScrapedSample[] }> {
  const dir = appFolder();
  const port = await freePort();
  const child = spawnChild(
    process.execPath,
    [flag, flag === '--import' ? pathToFileURL(REGISTER).href : REGISTER, app],
    {
      cwd: dir.path,
      env: {
        BULLMQ_PREFIX: PREFIX,
        BULLMQ_QUEUE: queue,
        // Every scrape reads the counts afresh, so the test compares like with like.
        MLTEL_QUEUE_JOBS_INTERVAL: '0',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        MLTEL_HOST_METRICS: 'false',
        OTEL_LOG_LEVEL: 'warn',
        ...env,
      },
    },
  );
  try {
    const line = await child.waitForLine(/^bullmq-app: done /, 40_000);
    const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
    expect(child.stderr()).toBe('');
    return { done: JSON.parse(line.slice(line.indexOf('{'))) as Done, samples };
  } finally {
    await child.stop();
    dir.remove();
  }
}

function value(samples: ScrapedSample[], name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
      ('error_type' in labels || !('error_type' in s.labels)),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} series`);
  return found[0]?.value;
}

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'paused'];

describe.each([
  { app: 'bullmq-app.mjs', flag: '--import' },
  { app: 'bullmq-app.cjs', flag: '--require' },
] as const)('bullmq in $app under $flag', ({ app, flag }) => {
  let off: Awaited<ReturnType<typeof runApp>>;
  beforeAll(async () => {
    off = await runApp(app, flag, `off-${flag.slice(2)}`, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'bullmq' });
  }, 60_000);

  it('records producers, every job as a task by status, queue wait and depth; the app sees the same as without it', async () => {
    const queue = `jobs-${flag.slice(2)}`;
    const { done, samples } = await runApp(app, flag, queue);

    // The app's results and errors do not change with the instrumentation.
    expect(done.results).toEqual(off.done.results);
    expect(done.failures).toEqual(off.done.failures);
    expect(done.counts).toEqual(off.done.counts);
    expect(Object.keys(done.results)).toHaveLength(8);
    expect(done.failures).toHaveLength(8);
    expect(off.samples.filter((s) => s.name.startsWith('messaging_') || s.name.startsWith('ml_task'))).toEqual([]);

    // Producers: 9 add(), one addBulk() of 3, one addBulk() of 4 to the idle queue.
    const sent = (op: string, destination: string) =>
      value(samples, 'messaging_client_sent_messages_total', {
        messaging_system: 'bullmq',
        messaging_operation_name: op,
        messaging_destination_name: destination,
      });
    expect([sent('add', queue), sent('add_bulk', queue), sent('add_bulk', `${queue}-idle`)]).toEqual([9, 3, 4]);
    expect(
      value(samples, 'messaging_client_operation_duration_seconds_count', {
        messaging_system: 'bullmq',
        messaging_operation_name: 'add',
        messaging_destination_name: queue,
      }),
    ).toBe(9);

    // Workers: each attempt is one task; an attempt that will run again is `retry`.
    const tasks = (name: string, status: string) =>
      value(samples, 'ml_tasks_total', { ml_task_name: name, ml_task_status: status });
    expect({
      embed: [tasks('embed', 'success'), tasks('embed', 'retry'), tasks('embed', 'error')],
      flaky: [tasks('flaky', 'success'), tasks('flaky', 'retry'), tasks('flaky', 'error')],
      broken: [tasks('broken', 'success'), tasks('broken', 'retry'), tasks('broken', 'error')],
      fatal: [tasks('fatal', 'success'), tasks('fatal', 'retry'), tasks('fatal', 'error')],
    }).toEqual({ embed: [5, 0, 0], flaky: [3, 3, 0], broken: [0, 2, 2], fatal: [0, 0, 1] });
    expect(value(samples, 'ml_task_errors_total', { ml_task_name: 'broken', error_type: 'TypeError' })).toBe(4);
    expect(value(samples, 'ml_task_errors_total', { ml_task_name: 'fatal', error_type: 'UnrecoverableError' })).toBe(1);
    expect(value(samples, 'ml_task_duration_seconds_count', { ml_task_name: 'flaky', ml_task_status: 'retry' })).toBe(
      3,
    );
    for (const name of ['embed', 'flaky', 'broken', 'fatal']) {
      expect(value(samples, 'ml_tasks_active', { ml_task_name: name }), name).toBe(0);
    }

    // Queue wait: once per job (first attempt), each within what the app measured end to end.
    const waitCount = ['embed', 'flaky', 'broken', 'fatal'].map((name) =>
      value(samples, 'ml_task_queue_duration_seconds_count', { ml_task_name: name, ml_queue_name: queue }),
    );
    expect(waitCount).toEqual([5, 3, 2, 1]);
    const waitSum = value(samples, 'ml_task_queue_duration_seconds_sum', {
      ml_task_name: 'embed',
      ml_queue_name: queue,
    });
    expect(waitSum).toBeGreaterThanOrEqual(0);
    expect(waitSum!).toBeLessThanOrEqual(5 * (done.elapsedSeconds + 0.01));

    // Depth by state equals BullMQ's own getJobCounts(), for both queues.
    for (const [name, counts] of [
      [queue, done.counts],
      [`${queue}-idle`, done.idleCounts],
    ] as const) {
      for (const state of STATES) {
        expect(
          value(samples, 'ml_queue_jobs', { messaging_system: 'bullmq', ml_queue_name: name, ml_queue_state: state }),
          `${name} ${state}`,
        ).toBe(counts[state]);
      }
    }
    expect(done.counts).toMatchObject({ completed: 8, failed: 3, delayed: 1 });
    expect(done.idleCounts).toMatchObject({ waiting: 4 });
  }, 60_000);
});
