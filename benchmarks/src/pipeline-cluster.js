// Cluster scrape benchmark: the latency of one scrape of the primary's endpoint when 4 cluster
// workers each hold the same 10k series (merged into 10k), against one process alone holding
// them and against prom-client's AggregatorRegistry over the same 4 workers (the anchor: the
// cluster support that OpenTelemetry JS lacks). Each scrape is the text as /metrics serves it,
// taken without HTTP on both sides. Run: `node src/pipeline-cluster.js` (prints Markdown).
import cluster from 'node:cluster';
import os from 'node:os';
import { metrics } from '@opentelemetry/api';
import { start } from '@mltel/node';
import promClient from 'prom-client';

const WORKERS = 4;
const SERIES = Number(process.env.BENCH_SERIES ?? 10_000);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 20);
const OPTIONS = { prometheusPort: 0, hostMetrics: false, handleExit: false, cost: false, llmInstrumentations: [] };

// The OTel SDK keeps at most 2000 series per instrument (its default cardinality limit), so the
// series are spread over instruments of 2000 each, the same way on both sides.
const PER_INSTRUMENT = 2000;

function fill() {
  const meter = metrics.getMeter('bench');
  for (let m = 0; m * PER_INSTRUMENT < SERIES; m++) {
    const counter = meter.createCounter(`bench.requests.${m}`, { unit: '{request}' });
    const prom = new promClient.Counter({ name: `bench_requests_${m}_total`, help: 'requests', labelNames: ['k'] });
    for (let k = m * PER_INSTRUMENT; k < Math.min(SERIES, (m + 1) * PER_INSTRUMENT); k++) {
      counter.add(1, { k: String(k) });
      prom.inc({ k: String(k) });
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function time(fn) {
  await fn(); // warm-up
  const ms = [];
  for (let i = 0; i < SCRAPES; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return { median: median(ms), max: Math.max(...ms) };
}

if (cluster.isPrimary) {
  const sdk = start(OPTIONS);
  fill();
  const single = await time(() => sdk.scrape());
  const aggregator = new promClient.AggregatorRegistry();
  let ready = 0;
  await new Promise((resolve) => {
    for (let i = 0; i < WORKERS; i++) {
      cluster.fork().on('message', (message) => {
        if (message === 'bench:ready' && ++ready === WORKERS) resolve();
      });
    }
  });
  const mltel = await time(() => sdk.scrape());
  const prom = await time(() => aggregator.clusterMetrics());
  const text = await sdk.scrape();
  const series = text.split('\n').filter((line) => line.startsWith('bench_requests_')).length;
  if (series !== SERIES) throw new Error(`the merged scrape has ${series} bench series, not ${SERIES}`);
  const expected = `bench_requests_0_total{k="0"} ${WORKERS + 1}`;
  if (!text.includes(expected)) throw new Error(`merged scrape lacks ${expected}`);
  console.log(
    `## Cluster scrape: ${WORKERS} workers, ${SERIES} series each (merged into ${SERIES}); node ${process.version}, ${os.cpus().length} cores; ${SCRAPES} scrapes\n`,
  );
  console.log('| endpoint | scrape ms (median) | max | ratio vs one process |');
  console.log('|---|---:|---:|---:|');
  const row = (label, r) =>
    console.log(
      `| ${label} | ${r.median.toFixed(1)} | ${r.max.toFixed(1)} | ${(r.median / single.median).toFixed(2)}x |`,
    );
  row('mltel, one process alone (no workers)', single);
  row(`mltel primary merging ${WORKERS} workers + itself`, mltel);
  row(`prom-client AggregatorRegistry.clusterMetrics(), ${WORKERS} workers`, prom);
  for (const worker of Object.values(cluster.workers)) worker.kill();
  await sdk.shutdown();
} else {
  start(OPTIONS);
  new promClient.AggregatorRegistry(); // installs prom-client's worker-side listener
  fill();
  process.send('bench:ready');
}
