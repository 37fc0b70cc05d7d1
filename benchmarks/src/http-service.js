// Service level: a node:http service (./http/app.js: about 0.2 ms of work per request, one ML
// task and one LLM call recorded per request) under a bounded autocannon load on 127.0.0.1,
// uninstrumented against the mltel preload with default settings (HTTP metrics from Node's
// diagnostics channels), with the contrib HTTP instrumentation instead, with the contrib
// HTTP/runtime instrumentations off, raw OTel by hand and prom-client by hand. Two kinds of work,
// one table each:
//   native  one SHA-256 over a buffer sized to take about 0.2 ms: native work, as the issue's
//           service does (the target's table)
//   rounds  about 340 SHA-256 rounds of 32 bytes: a crypto Hash object per round, about 40% of
//           the server's time in V8 scavenges, whose pause grows with the young generation
// Rounds alternate the variants (rotated order); each variant runs in a fresh server process: a
// warm-up, then a measured run. Throughput and p99 are compared with the uninstrumented server
// of the same round (median and range of the in-round ratios). The server's CPU time per
// request is read from /proc around the measured run.
// Run: `node src/http-service.js [--quick] [--work native|rounds]` (run.js includes it; both
// kinds of work by default); BENCH_HTTP_ROUNDS_N and BENCH_HTTP_SECONDS override the rounds and
// seconds. Prints Markdown. The per-request CPU of the HTTP instrumentations alone, in one
// process: ./http/instrumentation-cost.js.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cleanEnv } from './startup.js';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const APP = here('./http/app.js');
const REGISTER = import.meta.resolve('@mltel/node/register');

const quick = process.argv.includes('--quick');
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS_N ?? (quick ? 2 : 5));
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? (quick ? 3 : 8));
const WARMUP_SECONDS = quick ? 1 : 2;
const CONNECTIONS = 8;
const WORK_MS = 0.2;

/** The heading of each kind of work's table; run.js splits the output at the second one. */
export const WORK_HEADINGS = { native: '#### Native work (the target)', rounds: '#### Allocation-heavy work' };

export const HTTP_VARIANTS = [
  { name: 'none', label: 'uninstrumented (baseline)', args: [] },
  { name: 'mltel', label: 'mltel preload, default settings', args: ['--import', REGISTER] },
  {
    name: 'mltel',
    key: 'mltel-contrib-http',
    label: 'mltel preload, contrib HTTP instrumentation (MLTEL_HTTP_INSTRUMENTATION=contrib)',
    args: ['--import', REGISTER],
    env: { MLTEL_HTTP_INSTRUMENTATION: 'contrib' },
    only: 'native',
  },
  {
    name: 'mltel',
    key: 'mltel-no-contrib',
    label: 'mltel preload, HTTP/runtime instrumentations off',
    args: ['--import', REGISTER],
    env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,undici,express,runtime-node,pg' },
  },
  {
    name: 'mltel',
    key: 'mltel-no-runtime',
    label: 'mltel preload, runtime instrumentation off (its GC observer)',
    args: ['--import', REGISTER],
    env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'runtime-node' },
    only: 'rounds',
  },
  {
    name: 'otel',
    label: 'raw OTel by hand (MeterProvider + Prometheus exporter)',
    args: ['--import', here('./startup/otel.js')],
  },
  { name: 'prom', label: 'prom-client by hand', args: [] },
];

/** The fastest of many samples of `run()` in ms: on a loaded machine most samples include time
 * waiting for a core, and the work must be the same whatever the load (it would double with the
 * median). */
function fastest(run, samples) {
  for (let i = 0; i < 20; i++) run(); // warm
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/**
 * The app's environment for `work` sized to about WORK_MS on an idle core here: `native`, the
 * bytes of one SHA-256 (measured on 64 KiB); `rounds`, the count of 32-byte SHA-256 rounds.
 */
export function calibrate(work) {
  if (work === 'native') {
    const probe = Buffer.alloc(64 * 1024, 7);
    const ms = fastest(() => createHash('sha256').update(probe).digest(), 200);
    const bytes = Math.max(1024, Math.round(((WORK_MS / ms) * probe.length) / 1024) * 1024);
    return {
      BENCH_HTTP_WORK: 'native',
      BENCH_HTTP_BYTES: String(bytes),
      describe: `one SHA-256 of ${Math.round(bytes / 1024)} KiB`,
    };
  }
  let digest = Buffer.alloc(256, 7);
  const ms = fastest(() => {
    for (let i = 0; i < 500; i++) digest = createHash('sha256').update(digest).digest();
  }, 50);
  const rounds = Math.max(1, Math.round(WORK_MS / (ms / 500)));
  return {
    BENCH_HTTP_WORK: 'rounds',
    BENCH_HTTP_ROUNDS: String(rounds),
    describe: `${rounds} SHA-256 rounds of 32 bytes`,
  };
}

function startServer(variant, work) {
  const { describe: _, ...workEnv } = work;
  const child = spawn(process.execPath, [...variant.args, APP], {
    env: cleanEnv({ BENCH_HTTP_MODE: variant.name, ...workEnv, ...variant.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${variant.name}: no "listening" within 20 s: ${stderr}`));
    }, 20_000);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const match = /listening (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${variant.name}: exited ${code}: ${stderr}`));
    });
  });
}

/** The CPU seconds (user + system) a process has used so far, from /proc; NaN where there is none. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function load(port, seconds) {
  return autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: seconds });
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs the rounds with `work` ('native' or 'rounds'); per variant: requests/s, p99 latency (ms) and errors of every round. */
export async function measureHttp(variants = HTTP_VARIANTS, workName = 'native') {
  const work = calibrate(workName);
  const keyOf = (v) => v.key ?? v.name;
  const results = new Map(variants.map((v) => [keyOf(v), { rps: [], p99: [], cpu: [], errors: 0 }]));
  for (let r = 0; r < ROUNDS; r++) {
    const shift = r % variants.length;
    for (const v of [...variants.slice(shift), ...variants.slice(0, shift)]) {
      const server = await startServer(v, work);
      try {
        await load(server.port, WARMUP_SECONDS);
        const cpu0 = cpuSeconds(server.child.pid);
        const result = await load(server.port, SECONDS);
        const cpu = cpuSeconds(server.child.pid) - cpu0;
        const entry = results.get(keyOf(v));
        entry.rps.push(result.requests.average);
        entry.p99.push(result.latency.p99);
        // The server's busy CPU per request: less sensitive than throughput to the other
        // processes on a shared machine (waiting for a core costs no CPU time).
        entry.cpu.push((cpu / result.requests.total) * 1e6);
        entry.errors += result.errors + result.non2xx + result.timeouts;
      } finally {
        server.child.kill('SIGKILL');
      }
    }
  }
  return { work, results, variants };
}

/** A Markdown table of {@link measureHttp}'s results, ratios to the uninstrumented server. */
export function httpTable({ work, results, variants }) {
  const base = results.get('none');
  const lines = [
    `Work per request: ${work.describe} (about ${WORK_MS} ms here); autocannon ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured per variant and round, ${ROUNDS} rounds.`,
    '',
    '| variant | requests/s (median) | throughput vs uninstrumented (median, range) | p99 latency (median) | p99 vs uninstrumented (median) | errors | server CPU µs per request (median, vs uninstrumented) |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const v of variants) {
    const r = results.get(v.key ?? v.name);
    const ratios = r.rps.map((x, i) => x / base.rps[i]);
    const p99 = r.p99.map((x, i) => x / base.p99[i]);
    const cpu = r.cpu.map((x, i) => x - base.cpu[i]);
    const isBase = v === variants[0];
    lines.push(
      `| ${v.label} | ${Math.round(median(r.rps)).toLocaleString('en-US')} | ${isBase ? '1.000' : `${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`} | ${median(r.p99).toFixed(2)} ms | ${isBase ? '1.00x' : `${median(p99).toFixed(2)}x`} | ${r.errors} | ${median(r.cpu).toFixed(0)}${isBase ? '' : ` (${median(cpu) >= 0 ? '+' : ''}${median(cpu).toFixed(0)})`} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(
    `load average before: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const at = process.argv.indexOf('--work');
  const works = at > 0 ? [process.argv[at + 1]] : Object.keys(WORK_HEADINGS);
  for (const work of works) {
    if (!Object.hasOwn(WORK_HEADINGS, work)) throw new Error(`--work ${work}: use native or rounds`);
    console.log(`\n${WORK_HEADINGS[work]}\n`);
    console.log(
      httpTable(
        await measureHttp(
          HTTP_VARIANTS.filter((v) => (v.only ?? work) === work),
          work,
        ),
      ),
    );
  }
  console.log(
    `\nload average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
