// A queue worker in the shape of the teams' services: tasks are taken from an in-memory queue
// and run by a small pool; some fail, some time out. Run it under the preload flag:
//   node --import @mltel/node/register src/worker.js
// Environment: WORKER_TASKS (stop after this many tasks; default: run until stopped),
// WORKER_SEED (deterministic outcomes), WORKER_INTERVAL_MS (time between enqueues, default 200).
// Hourly and daily budgets come from mltel's MLTEL_BUDGETS (see README.md). The `done` line gives
// the ground truth: tasks by outcome, and the cost of the calls at the published prices
// (integer pico-dollars, summed here independently of mltel's cost meter).
import { anthropicUsage, defaultProviderMeter } from '@mltel/genai';
import { createTaskMeter, TaskTimeoutError } from '@mltel/tasks';

const limit = Number(process.env.WORKER_TASKS ?? 'Infinity');
const intervalMs = Number(process.env.WORKER_INTERVAL_MS ?? '200');
let seed = Number(process.env.WORKER_SEED ?? Date.now()) >>> 0;
// Small deterministic PRNG (mulberry32) so a seeded run gives the same outcomes.
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const tasks = createTaskMeter({ workerType: 'cpu' });
// The provider calls the tasks make (simulated here: no network), on the meter the openai and
// Anthropic auto-instrumentations also record to.
const llm = defaultProviderMeter();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// The prices of the default price table, in pico-dollars per unit: whisper-1 per audio second,
// claude-sonnet-4 per uncached input, cache-read and output token.
const PICO = { whisperSecond: 100_000_000, sonnetInput: 3_000_000, sonnetCacheRead: 300_000, sonnetOutput: 15_000_000 };
let costPico = 0;

class ProviderError extends Error {
  name = 'ProviderError';
}

const handlers = {
  transcribe: tasks.wrap(
    'transcribe',
    async (job) => {
      const call = {
        provider: 'openai',
        operation: 'transcription',
        model: 'whisper-1',
        serverAddress: 'api.openai.com',
        serverPort: 443,
      };
      const timer = llm.start(call);
      await sleep(job.workMs);
      if (job.fail) {
        const error = Object.assign(new ProviderError('upstream returned 500'), { status: 500 });
        timer.fail(error);
        throw error;
      }
      timer.end({ audioSeconds: job.workMs / 2 });
      costPico += (job.workMs / 2) * PICO.whisperSecond;
    },
    { timeoutMs: 150 },
  ),
  summarize: tasks.wrap('summarize', async (job) => {
    const call = {
      provider: 'anthropic',
      operation: 'chat',
      model: 'claude-sonnet-4-20250514',
      serverAddress: 'api.anthropic.com',
      serverPort: 443,
    };
    await llm
      .track(
        call,
        async () => {
          await sleep(job.workMs);
          if (job.fail) throw Object.assign(new Error('overloaded'), { status: 529 });
          costPico +=
            (40 + job.workMs) * PICO.sonnetInput + 1000 * PICO.sonnetCacheRead + 3 * job.workMs * PICO.sonnetOutput;
          // The shape of an Anthropic Messages answer, counts only.
          return {
            model: call.model,
            usage: { input_tokens: 40 + job.workMs, cache_read_input_tokens: 1000, output_tokens: 3 * job.workMs },
          };
        },
        { usage: anthropicUsage },
      )
      .catch((error) => {
        if (error.status === 529) throw new TypeError('bad payload');
        throw error;
      });
  }),
  embed: tasks.wrap('embed', function* (job) {
    for (let i = 0; i < 3; i++) yield i * job.workMs;
  }),
};

const queue = [];
tasks.observeQueueSize('jobs', () => queue.length);

const counts = { success: 0, error: 0, timeout: 0 };
let enqueued = 0;
let finished = 0;

function enqueue() {
  if (enqueued >= limit) return;
  enqueued++;
  const names = Object.keys(handlers);
  const name = names[Math.floor(random() * names.length)];
  queue.push({
    name,
    workMs: 5 + Math.floor(random() * 60),
    fail: random() < 0.15,
    enqueuedAt: performance.now(),
    slow: random() < 0.1,
  });
}

async function runOne(job) {
  tasks.recordQueueWait(job.name, 'jobs', (performance.now() - job.enqueuedAt) / 1000);
  if (job.slow && job.name === 'transcribe') job.workMs = 400;
  try {
    const result = handlers[job.name](job);
    if (result && typeof result[Symbol.iterator] === 'function') for (const _ of result);
    else await result;
    counts.success++;
  } catch (error) {
    if (error instanceof TaskTimeoutError) counts.timeout++;
    else counts.error++;
  }
  finished++;
}

async function workerLoop() {
  while (finished < limit) {
    const job = queue.shift();
    if (job) await runOne(job);
    else await sleep(10);
  }
}

const producer = setInterval(() => {
  enqueue();
  if (enqueued >= limit) clearInterval(producer);
}, intervalMs);

const host = process.env.OTEL_EXPORTER_PROMETHEUS_HOST ?? '127.0.0.1';
const port = process.env.OTEL_EXPORTER_PROMETHEUS_PORT ?? '9464';
const exporters = process.env.OTEL_METRICS_EXPORTER ?? 'prometheus';
console.log(`task-worker: running ML tasks (transcribe, summarize, embed) on 2 workers.`);
if (exporters.includes('prometheus')) {
  console.log(
    `task-worker: metrics at http://${host}:${port}/metrics  (try: curl -s http://${host}:${port}/metrics | grep ^ml_)`,
  );
}
console.log('task-worker: Ctrl+C to stop.');

await Promise.all([workerLoop(), workerLoop()]);
// A timed-out transcription keeps running to its end (and is billed then): let those finish.
await sleep(500);
const costUsd = costPico / 1e12;
console.log(`task-worker: done ${JSON.stringify({ tasks: finished, ...counts, costUsd })}`);
if (process.env.WORKER_LINGER_MS) await sleep(Number(process.env.WORKER_LINGER_MS));
