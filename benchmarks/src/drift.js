// Drift benchmark (issue 5): the cost of observing one feature value with @mltel/quality's model
// monitor (bin search into the profile's edges + quantile-sketch append, window scoring amortised)
// against a prom-client histogram observe and a raw OpenTelemetry histogram record of the same
// value, as ratios within the same run; and the heap held per monitored feature.
// Run: `pnpm --filter @mltel/benchmarks run bench:drift` (or `node --expose-gc src/drift.js` in
// benchmarks/). Prints Markdown. Timings compare variants on one machine; they are not absolutes.
// A/B of two builds in one run: DRIFT_BASELINE=<path of another build's dist/index.js of
// @mltel/quality> adds that build's two monitor variants, alternating with the others, and prints
// this build's time over the baseline's per round (on a shared machine, the only fair comparison).
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildProfile, createModelMonitor } from '@mltel/quality';
import { QuantileSketch } from '@mltel/quality/stats';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import { Bench } from 'tinybench';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc (the memory section needs global.gc())');
  process.exit(1);
}
const gc = globalThis.gc;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BASELINE = process.env.DRIFT_BASELINE
  ? await import(pathToFileURL(path.resolve(process.env.DRIFT_BASELINE)).href)
  : undefined;
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const FEATURES = 20;
const BINS = 10;
const WINDOW = 10_000;
// Records observed per timed call; ns per value = period / (RECORDS_PER_CALL * FEATURES).
const RECORDS_PER_CALL = 50;

class MinimalReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

/** Deterministic standard normals (Box-Muller over mulberry32). */
function normals(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const names = (n) => Array.from({ length: n }, (_, i) => `feature_${i}`);

function profileOf(featureNames) {
  const next = normals(1);
  const rows = Array.from({ length: 5000 }, () => Object.fromEntries(featureNames.map((f) => [f, next()])));
  return buildProfile(rows, { numeric: featureNames, bins: BINS });
}

// 1024 precomputed records of FEATURES values, slightly shifted from the reference.
const FEATURE_NAMES = names(FEATURES);
const next = normals(2);
const RECORDS = Array.from({ length: 1024 }, () =>
  Object.fromEntries(FEATURE_NAMES.map((f) => [f, next() * 1.1 + 0.1])),
);
const VALUES = RECORDS.flatMap((r) => FEATURE_NAMES.map((f) => r[f]));

function variants() {
  const provider = new MeterProvider({ readers: [new MinimalReader()] });
  const profile = profileOf(FEATURE_NAMES);
  const monitor = createModelMonitor({
    modelName: 'bench',
    profile,
    meterProvider: provider,
    window: { count: WINDOW },
  });
  const binsOnly = createModelMonitor({
    modelName: 'bench-bins',
    profile,
    meterProvider: provider,
    window: { count: WINDOW },
    sketch: false,
  });
  const baseline = BASELINE
    ? [
        BASELINE.createModelMonitor({
          modelName: 'baseline',
          profile,
          meterProvider: provider,
          window: { count: WINDOW },
        }),
        BASELINE.createModelMonitor({
          modelName: 'baseline-bins',
          profile,
          meterProvider: provider,
          window: { count: WINDOW },
          sketch: false,
        }),
      ]
    : [];
  const histogram = provider
    .getMeter('bench')
    .createHistogram('bench.value', { advice: { explicitBucketBoundaries: [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2] } });
  const attributes = { 'ml.model.name': 'bench', 'ml.feature.name': 'feature_0' };
  const registry = new promClient.Registry();
  const prom = new promClient.Histogram({
    name: 'bench_value',
    help: 'h',
    buckets: [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2],
    registers: [registry],
  });
  let i = 0;
  let b = 0;
  let bi = 0;
  let bb = 0;
  let j = 0;
  let k = 0;
  const perCall = RECORDS_PER_CALL * FEATURES;
  const baselineVariants = BASELINE
    ? [
        {
          name: 'baseline build: monitor.observe (20 features per record)',
          key: 'baseline',
          fn: () => {
            for (let r = 0; r < RECORDS_PER_CALL; r++) baseline[0].observe(RECORDS[bi++ & 1023]);
          },
        },
        {
          name: 'baseline build: monitor.observe, `sketch: false`',
          key: 'baseline-bins',
          fn: () => {
            for (let r = 0; r < RECORDS_PER_CALL; r++) baseline[1].observe(RECORDS[bb++ & 1023]);
          },
        },
      ]
    : [];
  return [
    ...baselineVariants,
    {
      name: 'mltel monitor.observe (20 features per record)',
      key: 'mltel',
      fn: () => {
        for (let r = 0; r < RECORDS_PER_CALL; r++) monitor.observe(RECORDS[i++ & 1023]);
      },
    },
    {
      name: 'mltel monitor.observe, `sketch: false` (bins only: no KS/Wasserstein)',
      key: 'mltel-bins',
      fn: () => {
        for (let r = 0; r < RECORDS_PER_CALL; r++) binsOnly.observe(RECORDS[b++ & 1023]);
      },
    },
    {
      name: 'raw OTel histogram.record (baseline)',
      key: 'otel',
      fn: () => {
        for (let r = 0; r < perCall; r++) histogram.record(VALUES[j++ & 20479], attributes);
      },
    },
    {
      name: 'prom-client histogram.observe',
      key: 'prom',
      fn: () => {
        for (let r = 0; r < perCall; r++) prom.observe(VALUES[k++ & 20479]);
      },
    },
  ];
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function timing() {
  const list = variants();
  const nsPerValue = new Map(list.map((v) => [v.key, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const shift = round % list.length;
    const bench = new Bench({ time: TIME_MS, warmupTime: 250, throws: true });
    for (const v of [...list.slice(shift), ...list.slice(0, shift)]) bench.add(v.key, v.fn);
    await bench.run();
    for (const task of bench.tasks) {
      if (task.result.state !== 'completed') throw new Error(`${task.name}: ${task.result.state}`);
      // period is in ms per call.
      nsPerValue.get(task.name).push((task.result.period * 1e6) / (RECORDS_PER_CALL * FEATURES));
    }
  }
  return { list, nsPerValue };
}

// Typed-array contents (bins, sketches) live outside the V8 heap: count heapUsed + arrayBuffers.
const held = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

let _retained;
async function heapDelta(build) {
  _retained = undefined;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  const before = held();
  _retained = build();
  gc();
  gc();
  return held() - before;
}

/** A monitor of n features, after a full window minus one record (sketches at their largest). */
function filledMonitor(n, sketchK, sketch = true) {
  const featureNames = names(n);
  const profile = profileOf(featureNames);
  const build = () => {
    // A fresh provider per build (its fixed cost cancels out in the 100-vs-1 difference).
    const provider = new MeterProvider({ readers: [new MinimalReader()] });
    const monitor = createModelMonitor({
      modelName: 'bench',
      profile,
      meterProvider: provider,
      window: { count: WINDOW },
      sketchK,
      sketch,
    });
    const gen = normals(3);
    for (let r = 0; r < WINDOW - 1; r++) {
      const record = {};
      for (const f of featureNames) record[f] = gen();
      monitor.observe(record);
    }
    return monitor;
  };
  return build;
}

async function memory(sketchK, sketch = true) {
  const many = 100;
  const full = [];
  const one = [];
  for (let r = 0; r < 3; r++) {
    full.push(await heapDelta(filledMonitor(many, sketchK, sketch)));
    one.push(await heapDelta(filledMonitor(1, sketchK, sketch)));
  }
  return (median(full) - median(one)) / (many - 1);
}

async function main() {
  console.log('# mltel drift benchmark\n');
  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} x ${os.cpus().length}, ${ROUNDS} rounds of ${TIME_MS} ms per variant\n`,
  );
  const { list, nsPerValue } = await timing();
  console.log(
    `## Observing one feature value (${FEATURES} numeric features, ${BINS} bins, window ${WINDOW} records, scoring amortised)\n`,
  );
  console.log('Time ratios (< 1: cheaper than the other), each the median of the per-round ratios.\n');
  console.log(
    '| variant | ns per value (median) | range over rounds | time vs raw OTel record | time vs prom-client observe |',
  );
  console.log('|---|---:|---:|---:|---:|');
  const otel = nsPerValue.get('otel');
  const prom = nsPerValue.get('prom');
  for (const v of list) {
    const ns = nsPerValue.get(v.key);
    const vsOtel = median(ns.map((x, i) => x / otel[i]));
    const vsProm = median(ns.map((x, i) => x / prom[i]));
    console.log(
      `| ${v.name} | ${median(ns).toFixed(1)} | ${Math.min(...ns).toFixed(1)}-${Math.max(...ns).toFixed(1)} | ${vsOtel.toFixed(2)}x | ${vsProm.toFixed(2)}x |`,
    );
  }
  if (BASELINE) {
    const perRound = (key, base) => median(nsPerValue.get(key).map((x, i) => x / nsPerValue.get(base)[i]));
    console.log(
      `\nThis build over the baseline (${process.env.DRIFT_BASELINE}), median of the per-round ratios: with the sketch ${perRound('mltel', 'baseline').toFixed(3)}, \`sketch: false\` ${perRound('mltel-bins', 'baseline-bins').toFixed(3)}; load average now ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}.`,
    );
  }
  console.log(
    `\n## Memory per monitored numeric feature (heap + array buffers, ${BINS} bins, window of ${WINDOW} records almost full)\n`,
  );
  console.log('| window sketch k | bytes per feature | stated bound of the window sketch (doubles x 8) |');
  console.log('|---:|---:|---:|');
  for (const k of [256, 1024]) {
    const bound = QuantileSketch.storedBound(k, WINDOW) * 8;
    console.log(`| ${k} | ${Math.round(await memory(k)).toLocaleString('en-US')} | ${bound.toLocaleString('en-US')} |`);
  }
  console.log(`| \`sketch: false\` | ${Math.round(await memory(1024, false)).toLocaleString('en-US')} | 0 |`);
  console.log(
    '\n(The reference sketch of each feature, loaded from the profile, is included while the sketch is on; it is the same for every k.)',
  );
}

await main();
