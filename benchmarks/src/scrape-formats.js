// Scrape cost by size and format: one GET /metrics of 1k, 10k and 100k series, mltel's endpoint
// (the compatibility naming, as the preload serves it) against prom-client's
// `register.metrics()` for the same series, in one process, alternating rounds.
//
//   cd benchmarks && node src/scrape-formats.js          # after `pnpm run build`
//   BENCH_ROUNDS=9 BENCH_SIZES=1000,10000 node src/scrape-formats.js
//
// Variants per size: mltel text 0.0.4 without host metrics, mltel text with the default host
// metrics (MLTEL_HOST_METRICS on, as the preload runs), mltel OpenMetrics 1.0 (when the endpoint
// offers it), prom-client, and prom-client with its `collectDefaultMetrics()` (process and
// Node metrics: what the host metrics are to mltel). Each scrape is timed whole (collection + serialization) and by the
// longest event-loop stall it causes (the longest gap of a setImmediate chain running beside it).
// Series: counters and up-down counters (gauges) of 1000 series each, two labels per series; with
// BENCH_KIND=histogram, histograms of 1000 series each with the same 11 buckets on both sides (a
// histogram series is 14 lines: 10k of them are 140k lines).
// Prints Markdown: median and (min–max) per variant, and the load average before and after.
// BENCH_BEFORE=<path of an older build's prometheus/reader.js> adds that endpoint as a variant
// (text format, no host metrics), to compare two versions in the same rounds.
// The endpoint is taken from the build output: it is not public API.
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import { startHostMetrics } from '../../packages/node/dist/host-metrics.js';
import { createPrometheusEndpoint } from '../../packages/node/dist/prometheus/reader.js';
import { labels, promRegistry, stall } from './scrape-stall.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const PER_INSTRUMENT = 1000;
// A full collection after each size's set-up, so that no variant scrapes a heap still holding
// the young garbage of another's set-up (the variant set up second was 10-30% slower at 100k).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const HISTOGRAMS = process.env.BENCH_KIND === 'histogram';
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function populate(meterProvider, instruments) {
  const meter = meterProvider.getMeter('bench');
  for (let k = 0; k < instruments; k++) {
    const name = `bench.metric_${k}`;
    if (HISTOGRAMS) {
      const histogram = meter.createHistogram(name, { unit: 's', advice: { explicitBucketBoundaries: BUCKETS } });
      for (let i = 0; i < PER_INSTRUMENT; i++) histogram.record((i % 50) / 10, labels(i));
      continue;
    }
    const instrument =
      k % 2 === 0
        ? meter.createCounter(name, { unit: '{task}', description: 'bench counter' })
        : meter.createUpDownCounter(name, { unit: '{task}', description: 'bench gauge' });
    for (let i = 0; i < PER_INSTRUMENT; i++) instrument.add(i + 1, labels(i));
  }
}

const before = process.env.BENCH_BEFORE ? await import(process.env.BENCH_BEFORE) : undefined;

function mltel(series, { host = false, format, create = createPrometheusEndpoint, label = 'mltel' } = {}) {
  const endpoint = create();
  const provider = new MeterProvider({ readers: [endpoint.reader] });
  populate(provider, series / PER_INSTRUMENT);
  if (host) startHostMetrics(true, provider, { mainThread: true, clusterWorker: false });
  const name = `${label} ${format ?? 'text'}${host ? ' + host metrics' : ''}`;
  return { name, scrape: () => (format ? endpoint.scrape(format) : endpoint.scrape()) };
}

function promHistograms(series) {
  const registry = new promClient.Registry();
  for (let k = 0; k < series / PER_INSTRUMENT; k++) {
    const histogram = new promClient.Histogram({
      name: `bench_metric_${k}_seconds`,
      help: 'bench',
      labelNames: ['ml_model_name', 'ml_task_name'],
      buckets: BUCKETS,
      registers: [registry],
    });
    for (let i = 0; i < PER_INSTRUMENT; i++) {
      const l = labels(i);
      histogram.observe({ ml_model_name: l['ml.model.name'], ml_task_name: l['ml.task.name'] }, (i % 50) / 10);
    }
  }
  return registry;
}

function promWithDefaults(series) {
  const registry = HISTOGRAMS
    ? promHistograms(series)
    : promRegistry(promClient, series / PER_INSTRUMENT, PER_INSTRUMENT);
  promClient.collectDefaultMetrics({ register: registry });
  return { name: 'prom-client + default metrics', scrape: () => registry.metrics() };
}

function prom(series) {
  const registry = HISTOGRAMS
    ? promHistograms(series)
    : promRegistry(promClient, series / PER_INSTRUMENT, PER_INSTRUMENT);
  return { name: 'prom-client `register.metrics()`', scrape: () => registry.metrics() };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const spread = (values) => `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;

// Endpoints before OpenMetrics ignore the format argument and write no `# EOF`.
const probe = createPrometheusEndpoint();
new MeterProvider({ readers: [probe.reader] });
const hasOpenMetrics = (await probe.scrape('openmetrics')).endsWith('# EOF\n');
const loadBefore = os.loadavg()[0];
console.log(
  `Node ${process.version}, ${os.cpus().length}x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString()}`,
);
console.log(
  `${ROUNDS} rounds per size, rotated order, after one warm-up each; load average ${loadBefore.toFixed(2)}\n`,
);
console.log(
  '| series | scrape | whole scrape ms, median (min–max) | longest stall ms, median (min–max) | kB | x prom-client |',
);
console.log('|---:|---|---:|---:|---:|---:|');
for (const series of SIZES) {
  const rounds = series >= 100_000 ? Math.max(3, Math.ceil(ROUNDS / 2)) : ROUNDS;
  const variants = [mltel(series), mltel(series, { host: true })];
  if (before) variants.push(mltel(series, { create: before.createPrometheusEndpoint, label: 'mltel before' }));
  if (hasOpenMetrics) variants.push(mltel(series, { format: 'openmetrics' }));
  variants.push(promWithDefaults(series), prom(series));
  const results = new Map(variants.map((v) => [v.name, { max: [], total: [], bytes: 0 }]));
  gc();
  for (const v of variants) await stall(v.scrape);
  for (let round = 0; round < rounds; round++) {
    for (const v of variants.map((_, i) => variants[(i + round) % variants.length])) {
      const r = await stall(v.scrape);
      const into = results.get(v.name);
      into.max.push(r.max);
      into.total.push(r.total);
      into.bytes = r.bytes;
    }
  }
  const promTotal = median(results.get('prom-client `register.metrics()`').total);
  for (const [name, r] of results) {
    console.log(
      `| ${series} | ${name} | ${spread(r.total)} | ${spread(r.max)} | ${Math.round(r.bytes / 1024)} | ${(promTotal / median(r.total)).toFixed(2)} |`,
    );
  }
}
console.log(`\nload average after: ${os.loadavg()[0].toFixed(2)} (x prom-client: above 1 means mltel is faster)`);
process.exit(0);
