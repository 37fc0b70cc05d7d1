// BullMQ: per-job overhead of the zero-code instrumentation (@mltel/instrumentation-messaging
// under the @mltel/node preload) against an uninstrumented worker, in one run. Each variant runs
// in its own process (the preload patches bullmq for the whole process), alternating, against the
// machine's Redis on 127.0.0.1:6379 with a key prefix of this run, deleted after:
//   - a producer adds JOBS jobs (addBulk of 100), then a worker with concurrency 50 runs them (a
//     no-op processor): the worker's wall time and the process CPU per job;
//   - the instrumented process records every job as an ML task, the adds as sent messages, and
//     reads ml.queue.jobs once at the end (one scrape).
// Redis round trips dominate a no-op job; the difference between the variants is the cost mltel
// adds per job. `bullmq-otel` is not compared here (it is not a dependency of this repository).
// Run: `node benchmarks/src/bullmq-jobs.js` (after `pnpm run build`; Redis on 6379).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const JOBS = Number(process.env.BENCH_JOBS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REGISTER = new URL('../../packages/node/dist/register.js', import.meta.url).href;
const BULLMQ = createRequire(`${ROOT}packages/instrumentation-messaging/package.json`).resolve('bullmq');
const PREFIX = `mltel-bench-${randomBytes(4).toString('hex')}`;

// The child: one variant, one round. Prints {wallMs, cpuMs} for the worker phase.
const CHILD = `
const { Queue, Worker } = require(${JSON.stringify(BULLMQ)});
const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
(async () => {
  const name = process.env.BENCH_QUEUE;
  const queue = new Queue(name, { connection, prefix: process.env.BENCH_PREFIX });
  for (let i = 0; i < ${JOBS}; i += 100) {
    await queue.addBulk(Array.from({ length: 100 }, (_, n) => ({ name: 'embed', data: { n: i + n } })));
  }
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const finished = new Promise((resolve) => {
    const worker = new Worker(name, async () => 1, { connection, prefix: process.env.BENCH_PREFIX, concurrency: 50 });
    worker.on('completed', () => { if (++done === ${JOBS}) resolve(worker); });
  });
  const worker = await finished;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  process.stdout.write(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n');
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function once(variant, round) {
  const args = variant === 'mltel' ? ['--import', REGISTER, '-e', CHILD] : ['-e', CHILD];
  const { stdout } = await run(process.execPath, args, {
    env: {
      ...process.env,
      BENCH_QUEUE: `q-${variant}-${round}`,
      BENCH_PREFIX: PREFIX,
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      MLTEL_HOST_METRICS: 'false',
      OTEL_LOG_LEVEL: 'error',
    },
    timeout: 300_000,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { plain: [], mltel: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of round % 2 === 0 ? ['plain', 'mltel'] : ['mltel', 'plain']) {
    results[variant].push(await once(variant, round));
  }
}
const rows = Object.entries(results).map(([variant, runs]) => ({
  variant,
  'wall µs/job (median)': ((median(runs.map((r) => r.wallMs)) * 1000) / JOBS).toFixed(1),
  'CPU µs/job (median)': ((median(runs.map((r) => r.cpuMs)) * 1000) / JOBS).toFixed(1),
}));
console.log(`BullMQ worker, ${JOBS} no-op jobs, concurrency 50, ${ROUNDS} rounds, Node ${process.version}`);
console.table(rows);
const wall = (v) => median(results[v].map((r) => r.wallMs));
const cpu = (v) => median(results[v].map((r) => r.cpuMs));
console.log(
  `mltel adds ${(((wall('mltel') - wall('plain')) * 1000) / JOBS).toFixed(1)} µs wall and ${(((cpu('mltel') - cpu('plain')) * 1000) / JOBS).toFixed(1)} µs CPU per job (ratio ${(cpu('mltel') / cpu('plain')).toFixed(3)} CPU)`,
);
