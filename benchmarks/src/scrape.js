// The event-loop stall of one Prometheus scrape of 10k series: the longest time the
// application's thread is blocked while a scrape is served (the app cannot answer its own requests
// meanwhile), mltel's endpoint against prom-client's `register.metrics()` for the same series, in
// one process, alternating. Run with `node src/scrape.js` in benchmarks/ (after the build).
// Prints Markdown. The endpoint is taken from the build output: it is not public API.
import os from 'node:os';
import { CompatPrometheusSerializer } from '@mltel/node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import { createPrometheusEndpoint } from '../../packages/node/dist/prometheus/reader.js';
import { labels, promRegistry, stall } from './scrape-stall.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
// 10k series: 5 counters and 5 gauges of 1000 series each (under the SDK's 2000-per-instrument limit).
const INSTRUMENTS = 10;
const SERIES = 1000;

function populate(reader) {
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('bench');
  for (let k = 0; k < INSTRUMENTS; k++) {
    const name = `bench.metric_${k}`;
    const instrument =
      k % 2 === 0
        ? meter.createCounter(name, { unit: '{task}', description: 'bench counter' })
        : meter.createUpDownCounter(name, { unit: '{task}', description: 'bench gauge' });
    for (let i = 0; i < SERIES; i++) instrument.add(i + 1, labels(i));
  }
}

// The endpoint as /metrics runs it: coalesced collection, serialization in slices.
function mltel() {
  const endpoint = createPrometheusEndpoint();
  populate(endpoint.reader);
  return { name: 'mltel `/metrics` (collect, sliced serialize)', scrape: () => endpoint.scrape() };
}

// The endpoint before issue 13: the same collection, then the whole text in one synchronous call.
function mltelBefore() {
  const reader = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const serializer = new CompatPrometheusSerializer(undefined, false, undefined, false, true);
  populate(reader);
  return {
    name: 'mltel before (collect, one synchronous serialize)',
    scrape: async () => serializer.serialize((await reader.collect()).resourceMetrics),
  };
}

function prom() {
  const registry = promRegistry(promClient, INSTRUMENTS, SERIES);
  return { name: 'prom-client `register.metrics()`', scrape: () => registry.metrics() };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const fmt = (n) => n.toFixed(1);

const variants = [mltel(), mltelBefore(), prom()];
const results = new Map(variants.map((v) => [v.name, { max: [], total: [], bytes: 0 }]));
for (const v of variants) await stall(v.scrape); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  // Rotated order, so no variant always runs first (after the others' garbage).
  for (const v of variants.map((_, i) => variants[(i + round) % variants.length])) {
    const r = await stall(v.scrape);
    const into = results.get(v.name);
    into.max.push(r.max);
    into.total.push(r.total);
    into.bytes = r.bytes;
  }
}

console.log(
  `Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(`${INSTRUMENTS * SERIES} series, ${ROUNDS} rounds alternating, after one warm-up each\n`);
console.log('| scrape | longest stall ms: median (min–max) | whole scrape ms: median (min–max) | body kB |');
console.log('|---|---:|---:|---:|');
for (const [name, r] of results) {
  console.log(
    `| ${name} | ${fmt(quantile(r.max, 0.5))} (${fmt(Math.min(...r.max))}–${fmt(Math.max(...r.max))}) | ` +
      `${fmt(quantile(r.total, 0.5))} (${fmt(Math.min(...r.total))}–${fmt(Math.max(...r.total))}) | ${Math.round(r.bytes / 1024)} |`,
  );
}
