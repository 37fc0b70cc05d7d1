// Hot paths of issue 19, per event, mltel against prom-client and the raw OTel SDK written by hand,
// in one process: one ML task through a wrapper, one LLM call recorded (with the cost meter
// attached, as the preload runs it, and without), the same through the async track(), one
// 8-stage pipeline request, and the heap held per counter series. Rounds alternate the variants
// (rotated order); the tables show the median round and the range of the in-round ratio.
// Run: `node --expose-gc src/run.js` runs the suite; this file alone:
//   node --expose-gc src/hot-paths.js [--rounds N] [--time ms] [--only task,llm,track,pipeline,memory]
// Output: Markdown on stdout (ns per event; ratio = prom-client time / mltel time, > 1: mltel faster).
import os from 'node:os';
import { CostMeter } from '@mltel/cost';
import { createProviderMeter } from '@mltel/genai';
import { createPipelineMeter } from '@mltel/pipeline';
import { createTaskMeter } from '@mltel/tasks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const ROUNDS = Number(opt('rounds', process.env.BENCH_ROUNDS ?? 7));
const TIME_MS = Number(opt('time', process.env.BENCH_TIME_MS ?? 300));
const ONLY = new Set(opt('only', 'task,llm,track,pipeline,memory').split(','));

class MinimalReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const newProvider = () => new MeterProvider({ readers: [new MinimalReader()] });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** ns per event of `fn` (which records `batch` events), run for about `ms`. */
function timeSync(fn, batch, ms) {
  // Calibrate to ~5 ms per timed chunk, then run chunks until `ms` has passed.
  let reps = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (dt > 5) break;
    reps *= 2;
  }
  let events = 0;
  let total = 0n;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    total += process.hrtime.bigint() - t0;
    events += reps * batch;
  }
  return Number(total) / events;
}

async function timeAsync(fn, batch, ms) {
  let events = 0;
  let total = 0n;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = process.hrtime.bigint();
    await fn();
    total += process.hrtime.bigint() - t0;
    events += batch;
  }
  return Number(total) / events;
}

/** Runs the variants ROUNDS times in rotated order; returns ns per event per round for each. */
async function rounds(variants, batch, isAsync = false) {
  const perRound = new Map(variants.map((v) => [v.name, []]));
  // Warm-up: every variant once, so the JIT has seen all of them before the first round.
  for (const v of variants) isAsync ? await timeAsync(v.fn, batch, TIME_MS / 2) : timeSync(v.fn, batch, TIME_MS / 2);
  for (let round = 0; round < ROUNDS; round++) {
    const shift = round % variants.length;
    for (const v of [...variants.slice(shift), ...variants.slice(0, shift)]) {
      const ns = isAsync ? await timeAsync(v.fn, batch, TIME_MS) : timeSync(v.fn, batch, TIME_MS);
      perRound.get(v.name).push(ns);
    }
  }
  return perRound;
}

function table(title, variants, perRound, baseline) {
  const lines = [
    `### ${title}`,
    '',
    '| variant | ns/event (median) | spread (min – max) | ratio vs prom-client (median; > 1: faster) | ratio range |',
    '|---|---:|---:|---:|---:|',
  ];
  const base = perRound.get(baseline);
  for (const v of variants) {
    const ns = perRound.get(v.name);
    const ratios = ns.map((x, i) => base[i] / x);
    const isBase = v.name === baseline;
    lines.push(
      `| ${v.label} | ${Math.round(median(ns)).toLocaleString('en-US')} | ${Math.round(Math.min(...ns)).toLocaleString('en-US')} – ${Math.round(Math.max(...ns)).toLocaleString('en-US')} | ${isBase ? '1.00 (baseline)' : median(ratios).toFixed(2)} | ${isBase ? '' : `${Math.min(...ratios).toFixed(2)} – ${Math.max(...ratios).toFixed(2)}`} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// One ML task through a wrapper: tasks counter, duration histogram, in-flight +1/-1 (errors on
// failure only; these succeed).
// ---------------------------------------------------------------------------------------------
const TASK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const TASK_NAMES = Array.from({ length: 10 }, (_, i) => `transcribe_audio_${i}`);
const BATCH = 100;

function taskVariants() {
  const meter = createTaskMeter({ meterProvider: newProvider(), workerType: 'gpu' });
  const wrapped = TASK_NAMES.map((name) => meter.wrap(name, () => undefined));
  let a = 0;
  const mltel = () => {
    for (let k = 0; k < BATCH; k++, a++) wrapped[a % 10]();
  };

  const m = newProvider().getMeter('bench');
  const tasks = m.createCounter('ml.tasks');
  const duration = m.createHistogram('ml.task.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: TASK_BUCKETS },
  });
  const active = m.createUpDownCounter('ml.tasks.active');
  const otelFns = TASK_NAMES.map((name) => {
    const fn = () => undefined;
    return () => {
      const activeAttrs = { 'ml.task.name': name, 'ml.worker.type': 'gpu' };
      active.add(1, activeAttrs);
      const t0 = performance.now();
      fn();
      const seconds = (performance.now() - t0) / 1000;
      active.add(-1, activeAttrs);
      const attrs = { 'ml.task.name': name, 'ml.task.status': 'success', 'ml.worker.type': 'gpu' };
      tasks.add(1, attrs);
      duration.record(seconds, attrs);
    };
  });
  let b = 0;
  const otel = () => {
    for (let k = 0; k < BATCH; k++, b++) otelFns[b % 10]();
  };

  const registry = new promClient.Registry();
  const labelNames = ['ml_task_name', 'ml_task_status', 'ml_worker_type'];
  const pTasks = new promClient.Counter({ name: 'ml_tasks_total', help: 'h', labelNames, registers: [registry] });
  const pDuration = new promClient.Histogram({
    name: 'ml_task_duration_seconds',
    help: 'h',
    labelNames,
    buckets: TASK_BUCKETS,
    registers: [registry],
  });
  const pActive = new promClient.Gauge({
    name: 'ml_tasks_active',
    help: 'h',
    labelNames: ['ml_task_name', 'ml_worker_type'],
    registers: [registry],
  });
  const promFns = TASK_NAMES.map((name) => {
    const fn = () => undefined;
    return () => {
      const activeLabels = { ml_task_name: name, ml_worker_type: 'gpu' };
      pActive.inc(activeLabels);
      const t0 = performance.now();
      fn();
      const seconds = (performance.now() - t0) / 1000;
      pActive.dec(activeLabels);
      const labels = { ml_task_name: name, ml_task_status: 'success', ml_worker_type: 'gpu' };
      pTasks.inc(labels);
      pDuration.observe(labels, seconds);
    };
  });
  let c = 0;
  const prom = () => {
    for (let k = 0; k < BATCH; k++, c++) promFns[c % 10]();
  };
  return [
    { name: 'mltel', label: 'mltel `wrap()` of a sync no-op', fn: mltel },
    { name: 'otel', label: 'raw OTel by hand (4 calls)', fn: otel },
    { name: 'prom', label: 'prom-client by hand (inc, dec, inc, observe)', fn: prom },
  ];
}

// ---------------------------------------------------------------------------------------------
// One LLM call: duration, input and output tokens, and its cost.
// ---------------------------------------------------------------------------------------------
const LLM_SERIES = [
  ['openai', 'api.openai.com', ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o3-mini']],
  [
    'anthropic',
    'api.anthropic.com',
    ['claude-sonnet-4', 'claude-opus-4', 'claude-3-5-haiku', 'claude-3-7-sonnet', 'claude-3-5-sonnet'],
  ],
].flatMap(([provider, serverAddress, models]) =>
  models.map((model, i) => ({ provider, serverAddress, model, responseModel: `${model}-2025-0${i + 1}-01` })),
);
const CALLS = Array.from({ length: 256 }, (_, i) => ({
  ...LLM_SERIES[i % LLM_SERIES.length],
  durationSeconds: 0.05 * 1.027 ** i,
  inputTokens: 20 + ((i * 7919) % 30000),
  outputTokens: 5 + ((i * 104729) % 4000),
}));
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
// Hand-written code prices a call with two numbers per model: $ per input and output token.
const RATES = { input: 2.5e-6, output: 1e-5 };

function llmMeters(withCost) {
  const meterProvider = newProvider();
  const meter = createProviderMeter({ meterProvider });
  let cost;
  if (withCost) {
    cost = new CostMeter({ meterProvider });
    cost.attach(meter);
  }
  return { meter, cost };
}

function promLlm() {
  const registry = new promClient.Registry();
  const labelNames = [
    'gen_ai_operation_name',
    'gen_ai_provider_name',
    'gen_ai_request_model',
    'gen_ai_response_model',
    'server_address',
    'server_port',
  ];
  return {
    duration: new promClient.Histogram({
      name: 'gen_ai_client_operation_duration_seconds',
      help: 'h',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    tokens: new promClient.Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'h',
      labelNames: [...labelNames, 'gen_ai_token_type'],
      buckets: TOKEN_BUCKETS,
      registers: [registry],
    }),
    cost: new promClient.Counter({
      name: 'ml_cost_usd_total',
      help: 'h',
      labelNames: ['gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_operation_name'],
      registers: [registry],
    }),
  };
}

function promRecordCall(prom, c) {
  const labels = {
    gen_ai_operation_name: 'chat',
    gen_ai_provider_name: c.provider,
    gen_ai_request_model: c.model,
    gen_ai_response_model: c.responseModel,
    server_address: c.serverAddress,
    server_port: 443,
  };
  prom.duration.observe(labels, c.durationSeconds);
  prom.tokens.observe({ ...labels, gen_ai_token_type: 'input' }, c.inputTokens);
  prom.tokens.observe({ ...labels, gen_ai_token_type: 'output' }, c.outputTokens);
  prom.cost.inc(
    { gen_ai_provider_name: c.provider, gen_ai_request_model: c.model, gen_ai_operation_name: 'chat' },
    c.inputTokens * RATES.input + c.outputTokens * RATES.output,
  );
}

function otelLlm() {
  const m = newProvider().getMeter('bench');
  return {
    duration: m.createHistogram('gen_ai.client.operation.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    tokens: m.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    }),
    cost: m.createCounter('ml.cost.usd', { unit: 'USD' }),
  };
}

function otelRecordCall(otel, c) {
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': c.provider,
    'gen_ai.request.model': c.model,
    'gen_ai.response.model': c.responseModel,
    'server.address': c.serverAddress,
    'server.port': 443,
  };
  otel.duration.record(c.durationSeconds, attributes);
  otel.tokens.record(c.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
  otel.tokens.record(c.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
  otel.cost.add(c.inputTokens * RATES.input + c.outputTokens * RATES.output, {
    'gen_ai.provider.name': c.provider,
    'gen_ai.request.model': c.model,
    'gen_ai.operation.name': 'chat',
  });
}

function mltelRecordCall(meter, c) {
  meter.record({
    provider: c.provider,
    operation: 'chat',
    model: c.model,
    serverAddress: c.serverAddress,
    serverPort: 443,
    durationSeconds: c.durationSeconds,
    usage: { responseModel: c.responseModel, inputTokens: c.inputTokens, outputTokens: c.outputTokens },
  });
}

function llmVariants() {
  const loop = (record) => {
    let i = 0;
    return () => {
      for (let k = 0; k < BATCH; k++, i++) record(CALLS[i & 255]);
    };
  };
  const priced = llmMeters(true).meter;
  const plain = llmMeters(false).meter;
  const otel = otelLlm();
  const prom = promLlm();
  return [
    {
      name: 'mltel-cost',
      label: 'mltel `record()` with the cost meter (as the preload runs it)',
      fn: loop((c) => mltelRecordCall(priced, c)),
    },
    { name: 'mltel', label: 'mltel `record()` without cost', fn: loop((c) => mltelRecordCall(plain, c)) },
    { name: 'otel', label: 'raw OTel by hand (3 histograms + cost counter)', fn: loop((c) => otelRecordCall(otel, c)) },
    { name: 'prom', label: 'prom-client by hand (3 observe + cost inc)', fn: loop((c) => promRecordCall(prom, c)) },
  ];
}

function trackVariants() {
  const priced = llmMeters(true).meter;
  const prom = promLlm();
  const usage = (r) => r.usage;
  let a = 0;
  const mltel = async () => {
    for (let k = 0; k < BATCH; k++, a++) {
      const c = CALLS[a & 255];
      await priced.track(
        { provider: c.provider, operation: 'chat', model: c.model, serverAddress: c.serverAddress, serverPort: 443 },
        async () => ({
          usage: { responseModel: c.responseModel, inputTokens: c.inputTokens, outputTokens: c.outputTokens },
        }),
        { usage },
      );
    }
  };
  let b = 0;
  const promFn = async () => {
    for (let k = 0; k < BATCH; k++, b++) {
      const c = CALLS[b & 255];
      const t0 = performance.now();
      const result = await (async () => ({ usage: { inputTokens: c.inputTokens, outputTokens: c.outputTokens } }))();
      promRecordCall(prom, {
        ...c,
        durationSeconds: (performance.now() - t0) / 1000,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
      });
    }
  };
  return [
    { name: 'mltel', label: 'mltel `track()` with the cost meter', fn: mltel },
    { name: 'prom', label: 'prom-client by hand around the same async call', fn: promFn },
  ];
}

// ---------------------------------------------------------------------------------------------
// One 8-stage pipeline request.
// ---------------------------------------------------------------------------------------------
const STAGES = [
  'tokenize',
  'tokenizer_queue',
  'model_queue',
  'scheduler',
  'inference',
  'ipc_send',
  'ipc_receive',
  'serialize',
];
const STAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function pipelineVariants() {
  const meter = createPipelineMeter({ pipelineName: 'rerank', meterProvider: newProvider() });
  const mltel = () => {
    for (let k = 0; k < 10; k++) {
      const t = meter.timeline();
      for (let i = 0; i < 8; i++) t.mark(STAGES[i]);
      t.end();
    }
  };
  const m = newProvider().getMeter('bench');
  const total = m.createHistogram('ml.pipeline.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: STAGE_BUCKETS },
  });
  const stage = m.createHistogram('ml.pipeline.stage.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: STAGE_BUCKETS },
  });
  const otel = () => {
    for (let k = 0; k < 10; k++) {
      const t0 = performance.now();
      let last = t0;
      for (let i = 0; i < 8; i++) {
        const t = performance.now();
        stage.record((t - last) / 1000, { 'ml.pipeline.name': 'rerank', 'ml.pipeline.stage': STAGES[i] });
        last = t;
      }
      total.record((performance.now() - t0) / 1000, { 'ml.pipeline.name': 'rerank' });
    }
  };
  const registry = new promClient.Registry();
  const pTotal = new promClient.Histogram({
    name: 'ml_pipeline_duration_seconds',
    help: 'h',
    labelNames: ['ml_pipeline_name'],
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const pStage = new promClient.Histogram({
    name: 'ml_pipeline_stage_duration_seconds',
    help: 'h',
    labelNames: ['ml_pipeline_name', 'ml_pipeline_stage'],
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const prom = () => {
    for (let k = 0; k < 10; k++) {
      const t0 = performance.now();
      let last = t0;
      for (let i = 0; i < 8; i++) {
        const t = performance.now();
        pStage.observe({ ml_pipeline_name: 'rerank', ml_pipeline_stage: STAGES[i] }, (t - last) / 1000);
        last = t;
      }
      pTotal.observe({ ml_pipeline_name: 'rerank' }, (performance.now() - t0) / 1000);
    }
  };
  return [
    { name: 'mltel', label: 'mltel timeline: 8 `mark()` + `end()`', fn: mltel },
    { name: 'otel', label: 'raw OTel by hand (9 records)', fn: otel },
    { name: 'prom', label: 'prom-client by hand (9 observe)', fn: prom },
  ];
}

// ---------------------------------------------------------------------------------------------
// Heap per counter series: N distinct ml.tasks series (one task name each), recorded, collected
// (scraped) once, recorded again. mltel's TaskMeter.record() without a duration (counter only).
// ---------------------------------------------------------------------------------------------
const MEMORY_SERIES = 10_000;
const MEMORY_NAMES = Array.from({ length: MEMORY_SERIES }, (_, i) => `transcribe_audio_${i}`);
let _retained;

async function heapOf(build) {
  _retained = undefined;
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  _retained = await build();
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed - before;
}

const memoryVariants = {
  mltel: (n) => async () => {
    const reader = new MinimalReader();
    const meter = createTaskMeter({
      meterProvider: new MeterProvider({ readers: [reader] }),
      maxTaskNames: MEMORY_SERIES,
    });
    const fill = () => {
      for (let i = 0; i < n; i++) meter.record({ name: MEMORY_NAMES[i], status: 'success' });
    };
    fill();
    await reader.collect();
    fill();
    return [reader, meter];
  },
  otel: (n) => async () => {
    const reader = new MinimalReader();
    const counter = new MeterProvider({ readers: [reader] }).getMeter('bench').createCounter('ml.tasks');
    const fill = () => {
      for (let i = 0; i < n; i++) counter.add(1, { 'ml.task.name': MEMORY_NAMES[i], 'ml.task.status': 'success' });
    };
    fill();
    await reader.collect();
    fill();
    return [reader, counter];
  },
  prom: (n) => async () => {
    const registry = new promClient.Registry();
    const counter = new promClient.Counter({
      name: 'ml_tasks_total',
      help: 'h',
      labelNames: ['ml_task_name', 'ml_task_status'],
      registers: [registry],
    });
    const fill = () => {
      for (let i = 0; i < n; i++) counter.inc({ ml_task_name: MEMORY_NAMES[i], ml_task_status: 'success' });
    };
    fill();
    await registry.metrics();
    fill();
    return [registry, counter];
  },
};

async function memory() {
  const per = { mltel: [], otel: [], prom: [] };
  for (let r = 0; r < 5; r++) {
    for (const [name, build] of Object.entries(memoryVariants)) {
      const full = await heapOf(build(MEMORY_SERIES));
      const one = await heapOf(build(1));
      per[name].push((full - one) / (MEMORY_SERIES - 1));
    }
  }
  _retained = undefined;
  const lines = [
    `### Heap per counter series (${MEMORY_SERIES.toLocaleString('en-US')} series, recorded, collected, recorded again; median of 5)`,
    '',
    '| variant | bytes per series | ratio vs prom-client (< 1: smaller) |',
    '|---|---:|---:|',
  ];
  const prom = median(per.prom);
  for (const [name, label] of [
    ['mltel', 'mltel `TaskMeter.record()` (ml.tasks), per task name'],
    ['otel', 'raw OTel counter'],
    ['prom', 'prom-client counter'],
  ]) {
    lines.push(`| ${label} | ${Math.round(median(per[name]))} | ${(median(per[name]) / prom).toFixed(2)} |`);
  }
  // mltel exports several ml.tasks series per task name (every status born at 0, so the first
  // error is an increase()): the same heap per exported series, for comparison.
  const [reader] = await memoryVariants.mltel(10)();
  const { resourceMetrics } = await reader.collect();
  const exported = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === 'ml.tasks')
    .reduce((sum, metric) => sum + metric.dataPoints.length, 0);
  const perName = exported / 10;
  lines.push(
    `| mltel, per exported series (${perName} \`ml.tasks\` series per task name) | ${Math.round(median(per.mltel) / perName)} | ${(median(per.mltel) / perName / prom).toFixed(2)} |`,
  );
  return `${lines.join('\n')}\n`;
}

if (typeof globalThis.gc !== 'function' && ONLY.has('memory')) {
  console.error('run with node --expose-gc (the memory section needs global.gc()), or --only without memory');
  process.exit(1);
}

console.log(
  `## Hot paths (node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${ROUNDS} rounds of ${TIME_MS} ms per variant)\n`,
);
if (ONLY.has('task')) {
  const v = taskVariants();
  console.log(
    table('One ML task through a wrapper (tasks, duration, in-flight +1/-1)', v, await rounds(v, BATCH), 'prom'),
  );
}
if (ONLY.has('llm')) {
  const v = llmVariants();
  console.log(table('One LLM call recorded (duration, tokens in/out, cost)', v, await rounds(v, BATCH), 'prom'));
}
if (ONLY.has('track')) {
  const v = trackVariants();
  console.log(table('One LLM call through the async wrapper, with cost', v, await rounds(v, BATCH, true), 'prom'));
}
if (ONLY.has('pipeline')) {
  const v = pipelineVariants();
  console.log(table('One 8-stage pipeline request', v, await rounds(v, 10), 'prom'));
}
if (ONLY.has('memory')) console.log(await memory());
console.log(
  `load after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
