// mltel micro-benchmarks: the cost of recording one task, of serializing a scrape, the heap
// held per series, and of recording one tracked LLM call (./genai.js); mltel against the raw OpenTelemetry SDK and prom-client, in one process so the
// ratios compare like with like. Run with `node --expose-gc src/run.js` (`npm run bench` at the
// repository root). Prints Markdown. Timings are for comparison on one machine, not absolutes.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createTaskMeter } from '@mltel/tasks';
import { checkGenAiVariants, GENAI_SERIES, genAiRecordVariants } from './genai.js';
import { CompatPrometheusSerializer } from '@mltel/node';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import { Bench } from 'tinybench';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc (the memory section needs global.gc())');
  process.exit(1);
}
const gc = globalThis.gc;

// Rounds per timing group; each round runs every variant once, in rotated order, and the table
// shows the median round. Per variant and round: 250 ms warm-up + 500 ms measured, so the whole
// run takes about a minute.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const WARMUP_MS = 250;
// Recording takes well under a microsecond, about the cost of the timer call itself, so each
// timed iteration records BATCH tasks and ops/s is per task.
const BATCH = 100;

// The ml.tasks / ml.task.duration instruments as mltel defines them (@mltel/semconv).
const TASKS = { name: 'ml.tasks', unit: '{task}', description: 'ML tasks processed, by outcome.' };
const DURATION = { name: 'ml.task.duration', unit: 's', description: 'Duration of ML tasks, by outcome.' };
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const STATUSES = ['success', 'error', 'retry', 'timeout', 'cancelled'];
const WORKER = 'gpu';
const TASK_NAMES = Array.from({ length: 10 }, (_, i) => `transcribe_audio_${i}`);
// Durations that land in different buckets, so histogram recording is not one bucket only.
const DURATIONS = Array.from({ length: 64 }, (_, i) => 0.003 * 1.12 ** i);

class MinimalReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

function otelInstruments(provider) {
  const meter = provider.getMeter('bench');
  return {
    tasks: meter.createCounter(TASKS.name, { unit: TASKS.unit, description: TASKS.description }),
    duration: meter.createHistogram(DURATION.name, {
      unit: DURATION.unit,
      description: DURATION.description,
      advice: { explicitBucketBoundaries: BUCKETS },
    }),
  };
}

function promInstruments(registry) {
  const labelNames = ['ml_task_name', 'ml_task_status', 'ml_worker_type'];
  return {
    tasks: new promClient.Counter({
      name: 'ml_tasks_total',
      help: TASKS.description,
      labelNames,
      registers: [registry],
    }),
    duration: new promClient.Histogram({
      name: 'ml_task_duration_seconds',
      help: DURATION.description,
      labelNames,
      buckets: BUCKETS,
      registers: [registry],
    }),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs every variant ROUNDS times (rotating the order each round, so drift and JIT order do not
 * favour one) and returns per variant its ops/s of every round.
 */
async function measure(variants, opsPerCall) {
  const perRound = new Map(variants.map((v) => [v.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const shift = round % variants.length;
    const order = [...variants.slice(shift), ...variants.slice(0, shift)];
    const bench = new Bench({ time: TIME_MS, warmupTime: WARMUP_MS, throws: true });
    for (const v of order) bench.add(v.name, v.fn);
    await bench.run();
    for (const task of bench.tasks) {
      const { result } = task;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      perRound.get(task.name).push((1000 / result.period) * opsPerCall);
    }
  }
  return perRound;
}

const fmtOps = (n) => Math.round(n).toLocaleString('en-US');
const fmtNs = (ops) => Math.round(1e9 / ops).toLocaleString('en-US');
const fmtRatio = (r) => `${r.toFixed(2)}x`;

/** The ratio of two variants' ops/s taken within each round: median and range over rounds. */
function roundRatio(perRound, numerator, denominator) {
  const num = perRound.get(numerator);
  const den = perRound.get(denominator);
  const ratios = num.map((v, i) => v / den[i]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/**
 * One row per variant: median ops/s over rounds, and the ratio to the baseline taken within each
 * round (both ran seconds apart, so a slow phase of the machine affects both), as the median
 * and the range over rounds.
 */
function timingTable(rows, perRound, baselineOf) {
  const lines = [
    '| variant | ops/s (median) | ns/op | ratio vs baseline (median) | ratio range over rounds |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const ops = perRound.get(row.name);
    const base = perRound.get(baselineOf(row));
    const ratios = ops.map((v, i) => v / base[i]);
    const isBase = row.name === baselineOf(row);
    lines.push(
      `| ${row.label} | ${fmtOps(median(ops))} | ${fmtNs(median(ops))} | ${isBase ? '1.00x (baseline)' : fmtRatio(median(ratios))} | ${isBase ? '' : `${fmtRatio(Math.min(...ratios))} – ${fmtRatio(Math.max(...ratios))}`} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// (1) Recording one finished task: ml.tasks +1 and ml.task.duration observe, 3 labels.
// ---------------------------------------------------------------------------------------------
function recordVariants() {
  // a) mltel TaskMeter.record()
  const mltelMeter = createTaskMeter({ meterProvider: new MeterProvider({ readers: [new MinimalReader()] }) });
  let a = 0;
  const mltelRecord = () => {
    for (let k = 0; k < BATCH; k++, a++) {
      mltelMeter.record({
        name: TASK_NAMES[a % 10],
        status: 'success',
        durationSeconds: DURATIONS[a & 63],
        workerType: WORKER,
      });
    }
  };

  // b) mltel TaskMeter.wrap() of a sync no-op (measures its own duration and also moves
  //    ml.tasks.active +1/-1, so it does two more instrument calls than the others).
  const wrapMeter = createTaskMeter({
    meterProvider: new MeterProvider({ readers: [new MinimalReader()] }),
    workerType: WORKER,
  });
  const wrapped = TASK_NAMES.map((name) => wrapMeter.wrap(name, () => undefined));
  let b = 0;
  const mltelWrap = () => {
    for (let k = 0; k < BATCH; k++, b++) wrapped[b % 10]();
  };

  // c) raw OTel SDK: counter.add + histogram.record with an attributes object.
  const otel = otelInstruments(new MeterProvider({ readers: [new MinimalReader()] }));
  let c = 0;
  const rawOtel = () => {
    for (let k = 0; k < BATCH; k++, c++) {
      const attributes = { 'ml.task.name': TASK_NAMES[c % 10], 'ml.task.status': 'success', 'ml.worker.type': WORKER };
      otel.tasks.add(1, attributes);
      otel.duration.record(DURATIONS[c & 63], attributes);
    }
  };

  // d) prom-client: Counter.inc + Histogram.observe with labels, in a fresh Registry.
  const prom = promInstruments(new promClient.Registry());
  let d = 0;
  const promRecord = () => {
    for (let k = 0; k < BATCH; k++, d++) {
      const labels = { ml_task_name: TASK_NAMES[d % 10], ml_task_status: 'success', ml_worker_type: WORKER };
      prom.tasks.inc(labels, 1);
      prom.duration.observe(labels, DURATIONS[d & 63]);
    }
  };

  return [
    { name: 'mltel-record', label: 'mltel `TaskMeter.record()`', fn: mltelRecord },
    { name: 'mltel-wrap', label: 'mltel `TaskMeter.wrap()` of a sync no-op', fn: mltelWrap },
    { name: 'otel', label: 'raw OTel SDK `counter.add` + `histogram.record`', fn: rawOtel },
    { name: 'prom', label: 'prom-client `inc` + `observe`', fn: promRecord },
  ];
}

// ---------------------------------------------------------------------------------------------
// (2) Serializing a scrape: the same 50 series (10 names x 5 statuses) of ml.tasks and
//     ml.task.duration, in prom-client and in an OTel MeterProvider.
// ---------------------------------------------------------------------------------------------
async function scrapeVariants() {
  const registry = new promClient.Registry();
  const prom = promInstruments(registry);
  // The reader mltel's endpoint uses: the upstream exporter, its server not started.
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const otel = otelInstruments(new MeterProvider({ readers: [reader] }));
  let i = 0;
  for (const name of TASK_NAMES) {
    for (const status of STATUSES) {
      for (let n = 0; n < 20; n++, i++) {
        const seconds = DURATIONS[i & 63];
        prom.tasks.inc({ ml_task_name: name, ml_task_status: status, ml_worker_type: WORKER });
        prom.duration.observe({ ml_task_name: name, ml_task_status: status, ml_worker_type: WORKER }, seconds);
        const attributes = { 'ml.task.name': name, 'ml.task.status': status, 'ml.worker.type': WORKER };
        otel.tasks.add(1, attributes);
        otel.duration.record(seconds, attributes);
      }
    }
  }
  // Both OTel serializers with mltel's arguments: no scope labels, target_info kept.
  const upstream = new PrometheusSerializer(undefined, false, undefined, false, true);
  const compat = new CompatPrometheusSerializer(undefined, false, undefined, false, true);
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new Error(`collect failed: ${errors}`);

  const outputs = {
    prom: await registry.metrics(),
    upstream: upstream.serialize(resourceMetrics),
    compat: compat.serialize(resourceMetrics),
  };
  const series = (text) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  const names = (text) =>
    [
      ...new Set(
        text
          .split('\n')
          .filter((l) => l.startsWith('# TYPE'))
          .map((l) => l.split(' ')[2]),
      ),
    ].join(', ');

  return {
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([k, text]) => [
        k,
        { bytes: Buffer.byteLength(text), lines: series(text), names: names(text) },
      ]),
    ),
    variants: [
      {
        name: 'ser-upstream',
        label: 'upstream `PrometheusSerializer.serialize()`',
        scope: 'serialize only',
        fn: () => upstream.serialize(resourceMetrics),
      },
      {
        name: 'ser-compat',
        label: 'mltel `CompatPrometheusSerializer.serialize()`',
        scope: 'serialize only',
        fn: () => compat.serialize(resourceMetrics),
      },
      {
        name: 'prom',
        label: 'prom-client `registry.metrics()`',
        scope: 'collect + serialize',
        fn: () => registry.metrics(),
      },
      {
        name: 'full-upstream',
        label: 'OTel `reader.collect()` + upstream serializer',
        scope: 'collect + serialize',
        fn: async () => upstream.serialize((await reader.collect()).resourceMetrics),
      },
      {
        name: 'full-compat',
        label: 'OTel `reader.collect()` + mltel compat serializer',
        scope: 'collect + serialize',
        fn: async () => compat.serialize((await reader.collect()).resourceMetrics),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// (3) Memory: heap used (after gc) by N distinct series, each recorded twice with one
//     collection/scrape in between (the steady state of a scraped process).
// ---------------------------------------------------------------------------------------------
const MEMORY_SERIES = 1000;
const MEMORY_REPEATS = 5;
const MEMORY_NAMES = Array.from({ length: MEMORY_SERIES }, (_, i) => `transcribe_audio_${i}`);

const memoryVariants = {
  mltel: async (n) => {
    const reader = new MinimalReader();
    const meter = createTaskMeter({
      meterProvider: new MeterProvider({ readers: [reader] }),
      maxTaskNames: MEMORY_SERIES,
    });
    const fill = () => {
      for (let i = 0; i < n; i++)
        meter.record({
          name: MEMORY_NAMES[i],
          status: 'success',
          durationSeconds: DURATIONS[i & 63],
          workerType: WORKER,
        });
    };
    fill();
    await reader.collect();
    fill();
    return meter;
  },
  otel: async (n) => {
    const reader = new MinimalReader();
    const otel = otelInstruments(new MeterProvider({ readers: [reader] }));
    const fill = () => {
      for (let i = 0; i < n; i++) {
        const attributes = { 'ml.task.name': MEMORY_NAMES[i], 'ml.task.status': 'success', 'ml.worker.type': WORKER };
        otel.tasks.add(1, attributes);
        otel.duration.record(DURATIONS[i & 63], attributes);
      }
    };
    fill();
    await reader.collect();
    fill();
    return [reader, otel];
  },
  prom: async (n) => {
    const registry = new promClient.Registry();
    const prom = promInstruments(registry);
    const fill = () => {
      for (let i = 0; i < n; i++) {
        const labels = { ml_task_name: MEMORY_NAMES[i], ml_task_status: 'success', ml_worker_type: WORKER };
        prom.tasks.inc(labels);
        prom.duration.observe(labels, DURATIONS[i & 63]);
      }
    };
    fill();
    await registry.metrics();
    fill();
    return registry;
  },
};

// Holds the last measured structures until the next measurement, so gc cannot free them early.
let _retained;

async function heapDelta(build, n) {
  _retained = undefined;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  _retained = await build(n);
  gc();
  gc();
  return process.memoryUsage().heapUsed - before;
}

async function measureMemory() {
  const results = {};
  for (const key of Object.keys(memoryVariants)) results[key] = { full: [], one: [] };
  // Warm up every code path once so lazily compiled code and caches are not counted.
  for (const build of Object.values(memoryVariants)) await build(MEMORY_SERIES);
  for (let r = 0; r < MEMORY_REPEATS; r++) {
    for (const [key, build] of Object.entries(memoryVariants)) {
      results[key].full.push(await heapDelta(build, MEMORY_SERIES));
      results[key].one.push(await heapDelta(build, 1));
    }
  }
  return Object.fromEntries(
    Object.entries(results).map(([key, { full, one }]) => {
      const total = median(full);
      const fixed = median(one);
      return [key, { total, fixed, perSeries: (total - fixed) / (MEMORY_SERIES - 1) }];
    }),
  );
}

// ---------------------------------------------------------------------------------------------

function version(pkg) {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return '?';
  }
}

async function main() {
  const started = performance.now();
  const cpus = os.cpus();
  console.log('# mltel benchmarks\n');
  console.log(
    `Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} logical CPUs), ${os.platform()} ${os.release()}, ${new Date().toISOString()}`,
  );
  console.log(
    `\n@opentelemetry/sdk-metrics ${version('@opentelemetry/sdk-metrics')}, @opentelemetry/exporter-prometheus ${version('@opentelemetry/exporter-prometheus')}, prom-client ${version('prom-client')}, tinybench ${version('tinybench')}; ${ROUNDS} rounds of ${TIME_MS} ms per variant (after ${WARMUP_MS} ms warm-up)`,
  );

  const record = recordVariants();
  const recordResults = await measure(record, BATCH);
  console.log('\n## 1. Recording one finished task (counter +1, histogram observe, 3 labels, 10 series)\n');
  console.log(timingTable(record, recordResults, () => 'otel'));

  const scrape = await scrapeVariants();
  const scrapeResults = await measure(scrape.variants, 1);
  console.log(
    '\n## 2. Serializing a scrape of 50 series (10 task names x 5 statuses; a counter and a 16-bucket histogram each)\n',
  );
  console.log(
    timingTable(
      scrape.variants.map((v) => ({ ...v, label: `${v.label} (${v.scope})` })),
      scrapeResults,
      (row) => (row.scope === 'serialize only' ? 'ser-upstream' : 'full-upstream'),
    ),
  );
  console.log('\nOutput per scrape:\n');
  console.log('| serializer | bytes | sample lines | metric families |');
  console.log('|---|---:|---:|---|');
  for (const [key, label] of [
    ['prom', 'prom-client'],
    ['upstream', 'upstream PrometheusSerializer'],
    ['compat', 'mltel CompatPrometheusSerializer'],
  ]) {
    const o = scrape.outputs[key];
    console.log(`| ${label} | ${o.bytes.toLocaleString('en-US')} | ${o.lines} | ${o.names} |`);
  }

  const memory = await measureMemory();
  console.log(
    `\n## 3. Heap held by ${MEMORY_SERIES} distinct series (counter + histogram each, recorded, collected once, recorded again; median of ${MEMORY_REPEATS})\n`,
  );
  console.log(
    '| variant | heap for 1000 series | heap for 1 series (fixed cost) | per extra series | ratio vs raw OTel (per series) |',
  );
  console.log('|---|---:|---:|---:|---:|');
  const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
  for (const [key, label] of [
    ['mltel', 'mltel `TaskMeter.record()`'],
    ['otel', 'raw OTel SDK'],
    ['prom', 'prom-client'],
  ]) {
    const m = memory[key];
    console.log(
      `| ${label} | ${kb(m.total)} | ${kb(m.fixed)} | ${Math.round(m.perSeries)} B | ${fmtRatio(m.perSeries / memory.otel.perSeries)}${key === 'otel' ? ' (baseline)' : ''} |`,
    );
  }

  await checkGenAiVariants(MeterProvider, MinimalReader);
  const genai = genAiRecordVariants(() => new MeterProvider({ readers: [new MinimalReader()] }), BATCH);
  const genaiResults = await measure(genai, BATCH);
  console.log(
    `\n## 4. Recording one tracked LLM call (1 duration + 2 token-usage histogram observations, 6-7 attributes, ${GENAI_SERIES} request models over 2 providers)\n`,
  );
  console.log(timingTable(genai, genaiResults, () => 'otel'));
  console.log(
    '\nRatios to the hand-written prom-client variants (ops/s over ops/s within each round; > 1: mltel faster):\n',
  );
  console.log('| ratio | median | range over rounds |');
  console.log('|---|---:|---:|');
  for (const [num, den, label] of [
    ['mltel-record', 'prom', 'mltel `record()` / prom-client by hand'],
    ['mltel-start-end', 'prom', 'mltel `start` + `end` / prom-client by hand'],
    ['mltel-record', 'prom-bound', 'mltel `record()` / prom-client, bound children'],
    ['mltel-start-end', 'prom-bound', 'mltel `start` + `end` / prom-client, bound children'],
  ]) {
    const r = roundRatio(genaiResults, num, den);
    console.log(`| ${label} | ${fmtRatio(r.median)} | ${fmtRatio(r.min)} – ${fmtRatio(r.max)} |`);
  }
  console.log(`\nTotal run time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
