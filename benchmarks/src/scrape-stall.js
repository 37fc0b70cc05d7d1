// Shared by the scrape benchmarks (scrape.js, scrape-formats.js): the series both populate and
// the measure of one scrape, its whole time and the longest event-loop stall it causes.
import { performance } from 'node:perf_hooks';

/** The labels of series `i`: 100 models x 10 tasks. */
export const labels = (i) => ({ 'ml.model.name': `model_${i % 100}`, 'ml.task.name': `task_${Math.floor(i / 100)}` });

/**
 * prom-client counters (even `k`) and gauges (odd `k`) of `series` series each, named
 * `bench_metric_<k>`, with the values and labels of the OTel side.
 */
export function promRegistry(promClient, instruments, series) {
  const registry = new promClient.Registry();
  for (let k = 0; k < instruments; k++) {
    const options = {
      name: `bench_metric_${k}`,
      help: 'bench',
      labelNames: ['ml_model_name', 'ml_task_name'],
      registers: [registry],
    };
    const metric = k % 2 === 0 ? new promClient.Counter(options) : new promClient.Gauge(options);
    for (let i = 0; i < series; i++) {
      const l = labels(i);
      metric.inc({ ml_model_name: l['ml.model.name'], ml_task_name: l['ml.task.name'] }, i + 1);
    }
  }
  return registry;
}

/**
 * Runs `scrape` once: its whole time, and the longest gap between two turns of the event loop
 * meanwhile (a setImmediate chain records each turn; a synchronous block shows as one long gap).
 */
export async function stall(scrape) {
  let last = performance.now();
  let max = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    if (now - last > max) max = now - last;
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const started = performance.now();
  const body = await scrape();
  const total = performance.now() - started;
  running = false;
  await new Promise((resolve) => setImmediate(resolve));
  return { max, total, bytes: Buffer.byteLength(body) };
}
