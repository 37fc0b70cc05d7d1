// GPU: collection. The cost of one collection of the GPU plugin (@mltel/host-metrics-gpu) through
// a real MeterProvider and reader, with the fake nvidia-smi (test/fixtures/fake-nvidia-smi)
// replaying real captures, against the naive alternative in the same run: one observable gauge
// per metric, each with its own callback that runs nvidia-smi (what a hand-rolled exporter with
// per-instrument callbacks does).
//   - spawns per collection: plugin with 10 instruments (defaults) and 13 (all extras), on 1 GPU
//     and on 8 GPUs (the capture's row repeated), vs 1 and 20 naive per-instrument callbacks;
//   - wall time and CPU per collection: the parent's process.cpuUsage() and the children's
//     user+system time from /proc/self/stat (cutime, cstime: reaped children), for the CSV path
//     (L40S capture) and the `-q -x` path on the largest XML capture (2x RTX A5000, 94 KB).
// The children are the fake (a Node.js script), so their CPU is Node start-up, not nvidia-smi's:
// read the child column as "spawn count x start-up cost", and the parent column as the plugin's.
// Run: `pnpm --filter @mltel/benchmarks run bench:gpu-collect` (after `pnpm run build`).
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GpuHostMetrics } from '@mltel/host-metrics-gpu';
import { parseQueryGpuCsv } from '@mltel/nvidia-smi-parser';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

const ROUNDS = Number(process.env.BENCH_COLLECTIONS ?? 30);
const FAKE = fileURLToPath(new URL('../../test/fixtures/fake-nvidia-smi/nvidia-smi', import.meta.url));
const fixture = (name) =>
  fileURLToPath(new URL(`../../packages/nvidia-smi-parser/test/fixtures/${name}`, import.meta.url));
const L40S = fixture('capture-multi-l40s-driver595.txt');
const LARGEST_XML = fixture('xml-2xA5000-processes-driver590-v13.xml');
const TICK_S = 0.01; // USER_HZ: 100 on Linux

class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}

/** Children's CPU seconds so far (reaped children only), from /proc/self/stat. */
function childrenCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3 → index 0; cutime is field 16 → index 13, cstime 17 → 14.
  return (Number(fields[13]) + Number(fields[14])) * TICK_S;
}

function fakeEnv(vars) {
  return { ...process.env, ...vars };
}

async function measure(collectOnce, spawns) {
  await collectOnce(); // warm-up: negotiation happens here
  const spawns0 = spawns();
  const cpu0 = process.cpuUsage();
  const kids0 = childrenCpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < ROUNDS; i++) await collectOnce();
  const wall = (performance.now() - t0) / 1000 / ROUNDS;
  const cpu = process.cpuUsage(cpu0);
  const parent = (cpu.user + cpu.system) / 1e6 / ROUNDS;
  const kids = (childrenCpuSeconds() - kids0) / ROUNDS;
  return { spawns: (spawns() - spawns0) / ROUNDS, wall, parent, kids };
}

async function plugin(vars, extras, source) {
  const reader = new Reader();
  const provider = new MeterProvider({ readers: [reader] });
  const gpu = new GpuHostMetrics({ meterProvider: provider, nvidiaSmiPath: FAKE, env: fakeEnv(vars), extras, source });
  const result = await measure(
    async () => {
      const { errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
    },
    () => gpu.spawns(),
  );
  gpu.disable();
  await provider.shutdown();
  return result;
}

const FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.used',
  'memory.total',
  'utilization.gpu',
  'power.draw',
  'temperature.gpu',
];

async function naive(vars, instruments) {
  const reader = new Reader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('naive');
  const run = promisify(execFile);
  let spawned = 0;
  for (let i = 0; i < instruments; i++) {
    const gauge = meter.createObservableGauge(`naive.gpu.metric_${i}`);
    gauge.addCallback(async (result) => {
      spawned++;
      const { stdout } = await run(FAKE, [`--query-gpu=${FIELDS.join(',')}`, '--format=csv,noheader,nounits'], {
        env: fakeEnv(vars),
      });
      for (const gpu of parseQueryGpuCsv(stdout, FIELDS))
        result.observe(gpu.memory.usedBytes ?? 0, { 'hw.id': gpu.uuid });
    });
  }
  const result = await measure(
    async () => {
      await reader.collect();
    },
    () => spawned,
  );
  await provider.shutdown();
  return result;
}

const ms = (s) => (s * 1000).toFixed(1);
const rows = [];
const add = (name, r) => rows.push({ name, ...r });

const ALL = { clocks: true, powerLimit: true, processMemory: false };
for (const gpus of [1, 8]) {
  const vars = { FAKE_NVIDIA_SMI_CAPTURE: L40S, FAKE_NVIDIA_SMI_REPEAT: String(gpus) };
  add(`plugin, CSV, ${gpus} GPU, 10 instruments`, await plugin(vars, {}, 'csv'));
  add(`plugin, CSV, ${gpus} GPU, 13 instruments (all extras)`, await plugin(vars, ALL, 'csv'));
  add(`naive, ${gpus} GPU, 1 instrument`, await naive(vars, 1));
  add(`naive, ${gpus} GPU, 20 instruments`, await naive(vars, 20));
}
add(
  'plugin, -q -x, largest XML (2 GPUs, 94 KB), process memory on',
  await plugin({ FAKE_NVIDIA_SMI_XML: LARGEST_XML }, { ...ALL, processMemory: true }, 'xml'),
);

console.log(`### GPU: collection (${ROUNDS} collections each, after one warm-up)\n`);
console.log(
  `Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}, ${os.platform()} ${os.release()}\n`,
);
console.log(
  '| collection | spawns / collection | wall ms / collection | parent CPU ms / collection | children CPU ms / collection |',
);
console.log('|---|---:|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.name} | ${r.spawns.toFixed(2)} | ${ms(r.wall)} | ${ms(r.parent)} | ${ms(r.kids)} |`);
const base = rows.find((r) => r.name === 'plugin, CSV, 8 GPU, 13 instruments (all extras)');
const naive20 = rows.find((r) => r.name === 'naive, 8 GPU, 20 instruments');
console.log(
  `\nRatios (8 GPUs): naive 20 instruments / plugin 13 instruments: spawns ${(naive20.spawns / base.spawns).toFixed(1)}x, ` +
    `wall ${(naive20.wall / base.wall).toFixed(1)}x, parent CPU ${(naive20.parent / base.parent).toFixed(1)}x, children CPU ${(naive20.kids / base.kids).toFixed(1)}x.`,
);
const bad = rows.filter((r) => r.name.startsWith('plugin') && r.spawns !== 1);
if (bad.length > 0) {
  console.error(`FAIL: more than one spawn per collection: ${bad.map((r) => r.name).join('; ')}`);
  process.exitCode = 1;
}
