// The raw-OTel side of the scrape scenario: the upstream Prometheus exporter's scrape (its
// reader's collect() and its PrometheusSerializer, as its own /metrics handler runs them) against
// prom-client's `register.metrics()` for the same 1k, 10k and 100k series (the series of
// scrape-formats.js: counters and up-down counters of 1000 series each, two labels), alternating
// rounds, whole-scrape time and the longest event-loop stall. mltel's endpoint is in
// scrape-formats.js. Run: `node src/scrape-otel.js` (BENCH_ROUNDS, BENCH_SIZES as there).
import os from 'node:os';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import promClient from 'prom-client';
import { labels, promRegistry, stall } from './scrape-stall.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const PER_INSTRUMENT = 1000;

function otel(series) {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meter = new MeterProvider({ readers: [exporter] }).getMeter('bench');
  for (let k = 0; k < series / PER_INSTRUMENT; k++) {
    const name = `bench.metric_${k}`;
    const instrument =
      k % 2 === 0
        ? meter.createCounter(name, { unit: '{task}', description: 'bench counter' })
        : meter.createUpDownCounter(name, { unit: '{task}', description: 'bench gauge' });
    for (let i = 0; i < PER_INSTRUMENT; i++) instrument.add(i + 1, labels(i));
  }
  const serializer = new PrometheusSerializer();
  return {
    name: 'raw OTel: upstream exporter (collect + serialize)',
    scrape: async () => serializer.serialize((await exporter.collect()).resourceMetrics),
  };
}

function prom(series) {
  const registry = promRegistry(promClient, series / PER_INSTRUMENT, PER_INSTRUMENT);
  return { name: 'prom-client `register.metrics()`', scrape: () => registry.metrics() };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const spread = (v) => `${fmt(median(v))} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})`;

console.log(
  `${ROUNDS} rounds per size, rotated order, after one warm-up each; load average ${os.loadavg()[0].toFixed(2)}\n`,
);
console.log(
  '| series | scrape | whole scrape ms, median (min–max) | longest stall ms, median (min–max) | kB | x prom-client |',
);
console.log('|---:|---|---:|---:|---:|---:|');
for (const size of SIZES) {
  const variants = [otel(size), prom(size)];
  const results = variants.map(() => ({ total: [], max: [], bytes: 0 }));
  for (const v of variants) await stall(v.scrape);
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < variants.length; j++) {
      const i = (j + round) % variants.length;
      const r = await stall(variants[i].scrape);
      results[i].total.push(r.total);
      results[i].max.push(r.max);
      results[i].bytes = r.bytes;
    }
  }
  const promTotal = median(results[1].total);
  variants.forEach((v, i) => {
    const r = results[i];
    console.log(
      `| ${size} | ${v.name} | ${spread(r.total)} | ${spread(r.max)} | ${Math.round(r.bytes / 1024)} | ${(promTotal / median(r.total)).toFixed(2)} |`,
    );
  });
}
console.log(
  `\nload average after: ${os.loadavg()[0].toFixed(2)} (x prom-client: above 1 means faster than prom-client)`,
);
