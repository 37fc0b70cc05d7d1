// Pipeline benchmark: the cost of carrying and recording one request timeline with 8 stages
// (@mltel/pipeline) against the same request recorded with prom-client histograms (9 observe
// calls: 8 stages + end to end) and with raw OpenTelemetry histogram records, in one process so
// the ratios compare like with like. Run: `pnpm --filter @mltel/benchmarks run bench:pipeline`.
// Prints Markdown. The cluster scrape latency is ./pipeline-cluster.js.
import os from 'node:os';
import { createPipelineMeter } from '@mltel/pipeline';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import { Bench } from 'tinybench';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const WARMUP_MS = 250;
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
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

class MinimalReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

function provider() {
  const reader = new MinimalReader();
  return { reader, provider: new MeterProvider({ readers: [reader] }) };
}

const mltel = provider();
const meter = createPipelineMeter({ pipelineName: 'rerank', meterProvider: mltel.provider });

const raw = provider();
const rawMeter = raw.provider.getMeter('bench');
const rawTotal = rawMeter.createHistogram('ml.pipeline.duration', {
  unit: 's',
  advice: { explicitBucketBoundaries: BUCKETS },
});
const rawStage = rawMeter.createHistogram('ml.pipeline.stage.duration', {
  unit: 's',
  advice: { explicitBucketBoundaries: BUCKETS },
});
const rawTotalAttrs = { 'ml.pipeline.name': 'rerank' };
const rawStageAttrs = STAGES.map((stage) => ({ 'ml.pipeline.name': 'rerank', 'ml.pipeline.stage': stage }));

const registry = new promClient.Registry();
const promTotal = new promClient.Histogram({
  name: 'ml_pipeline_duration_seconds',
  help: 'End-to-end latency.',
  labelNames: ['ml_pipeline_name'],
  buckets: BUCKETS,
  registers: [registry],
});
const promStage = new promClient.Histogram({
  name: 'ml_pipeline_stage_duration_seconds',
  help: 'Stage latency.',
  labelNames: ['ml_pipeline_name', 'ml_pipeline_stage'],
  buckets: BUCKETS,
  registers: [registry],
});

// Each variant times 8 stages with the clock (performance.now) as real code would, and records
// them once at the end of the request.
const variants = [
  {
    name: 'prom-client: 9 observe() (label objects)',
    fn() {
      const t0 = performance.now();
      let last = t0;
      for (let i = 0; i < 8; i++) {
        const t = performance.now();
        promStage.observe({ ml_pipeline_name: 'rerank', ml_pipeline_stage: STAGES[i] }, (t - last) / 1000);
        last = t;
      }
      promTotal.observe({ ml_pipeline_name: 'rerank' }, (performance.now() - t0) / 1000);
    },
  },
  {
    name: 'raw OTel SDK: 9 Histogram.record() (cached attributes)',
    fn() {
      const t0 = performance.now();
      let last = t0;
      for (let i = 0; i < 8; i++) {
        const t = performance.now();
        rawStage.record((t - last) / 1000, rawStageAttrs[i]);
        last = t;
      }
      rawTotal.record((performance.now() - t0) / 1000, rawTotalAttrs);
    },
  },
  {
    name: 'mltel timeline: 8 mark() + end()',
    fn() {
      const t = meter.timeline();
      for (let i = 0; i < 8; i++) t.mark(STAGES[i]);
      t.end();
    },
  },
  {
    name: 'mltel timeline carried: 4 mark(), toJSON → JSON string → resume(), 4 mark(), end()',
    fn() {
      const t = meter.timeline();
      for (let i = 0; i < 4; i++) t.mark(STAGES[i]);
      const there = meter.resume(JSON.parse(JSON.stringify(t)));
      for (let i = 4; i < 8; i++) there.mark(STAGES[i]);
      there.end();
    },
  },
  {
    name: 'mltel timeline carried: 4 mark(), toJSON → structuredClone → resume(), 4 mark(), end()',
    fn() {
      const t = meter.timeline();
      for (let i = 0; i < 4; i++) t.mark(STAGES[i]);
      const there = meter.resume(structuredClone(t.toJSON()));
      for (let i = 4; i < 8; i++) there.mark(STAGES[i]);
      there.end();
    },
  },
];

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const perRound = new Map(variants.map((v) => [v.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const shift = round % variants.length;
  const order = [...variants.slice(shift), ...variants.slice(0, shift)];
  const bench = new Bench({ time: TIME_MS, warmupTime: WARMUP_MS, throws: true });
  for (const v of order) bench.add(v.name, v.fn);
  await bench.run();
  for (const task of bench.tasks) {
    if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
    perRound.get(task.name).push(1000 / task.result.period);
  }
}

// Sanity: every variant recorded (a benchmark of a no-op would be meaningless).
const { resourceMetrics } = await mltel.reader.collect();
const recorded = resourceMetrics.scopeMetrics[0].metrics.find((m) => m.descriptor.name === 'ml.pipeline.duration');
if (!(recorded?.dataPoints[0]?.value.count > 0)) throw new Error('the mltel variants recorded nothing');
if (!(await registry.getSingleMetricAsString('ml_pipeline_duration_seconds')).includes('_count')) {
  throw new Error('the prom-client variant recorded nothing');
}

const base = variants[0].name;
console.log(
  `## Pipelines: one request timeline with 8 stages (node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores; ${ROUNDS} rounds)\n`,
);
console.log(
  '| variant | requests/s (median) | µs/request | ratio vs prom-client (median, higher is faster) | range over rounds |',
);
console.log('|---|---:|---:|---:|---:|');
for (const v of variants) {
  const ops = perRound.get(v.name);
  const ratios = ops.map((o, i) => o / perRound.get(base)[i]);
  console.log(
    `| ${v.name} | ${Math.round(median(ops)).toLocaleString('en-US')} | ${(1e6 / median(ops)).toFixed(2)} | ${v.name === base ? '1.00x (baseline)' : `${median(ratios).toFixed(2)}x`} | ${v.name === base ? '' : `${Math.min(...ratios).toFixed(2)}x – ${Math.max(...ratios).toFixed(2)}x`} |`,
  );
}
