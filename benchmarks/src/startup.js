// Start-up cost of the preload: wall time of `node [preload] app.js` for an app that exits at
// once, against bare node and a hand-written prom-client set-up, in alternating rounds (every
// variant once per round, rotated), medians and spread; and the number of modules each loads
// (./startup/count-modules.js); then the same for an app that requires 600 modules of its own.
// Run: `node src/startup.js [--quick]`; run.js includes it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const APP = here('./startup/app.js');
const COUNT = here('./startup/count-modules.js');
const REGISTER = import.meta.resolve('@mltel/node/register');

// Environment of every run: no inherited OTEL_*/MLTEL_* setting, the endpoint on a free port
// (9464 may be taken on a shared machine). Also used by ./http-service.js.
export function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(OTEL_|MLTEL_|NODE_OPTIONS)/.test(k)) env[k] = v;
  return { ...env, OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...extra };
}

/** The variants: a label, the node arguments before the app, extra environment. */
export const STARTUP_VARIANTS = [
  { name: 'bare', label: 'bare node', args: [], env: {} },
  {
    name: 'prom-client',
    label: 'prom-client (default metrics + /metrics server)',
    args: ['--import', here('./startup/prom-client.js')],
    env: {},
  },
  {
    name: 'otel',
    label: 'raw OTel (MeterProvider + upstream Prometheus exporter)',
    args: ['--import', here('./startup/otel.js')],
    env: {},
  },
  { name: 'mltel', label: 'mltel preload, defaults (Prometheus)', args: ['--import', REGISTER], env: {} },
  {
    name: 'mltel-no-contrib',
    label: 'mltel preload, defaults, contrib instrumentations off',
    args: ['--import', REGISTER],
    env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,undici,express,runtime-node,pg,mysql2,redis,ioredis' },
  },
  {
    name: 'mltel-otlp',
    label: 'mltel preload, OTLP http/protobuf only',
    args: ['--import', REGISTER],
    env: { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
  },
  {
    // Node's own compile cache (NODE_COMPILE_CACHE, Node >= 22.1), warm: filled by the warm-up run.
    name: 'mltel-compile-cache',
    label: 'mltel preload, defaults, with NODE_COMPILE_CACHE (warm)',
    args: ['--import', REGISTER],
    env: { NODE_COMPILE_CACHE: join(tmpdir(), 'mltel-bench-compile-cache') },
  },
  {
    name: 'mltel-disabled',
    label: 'mltel preload, OTEL_SDK_DISABLED=true',
    args: ['--import', REGISTER],
    env: { OTEL_SDK_DISABLED: 'true' },
  },
];

// An application that loads modules of its own: 600 small CommonJS modules of one package,
// generated once in the temp directory. The preload's module hooks (require-in-the-middle's,
// import-in-the-middle's and mltel's resolve hook) run for each of them, which the empty app above
// does not show.
export const MANY_MODULES = 600;
const MANY_DIR = join(tmpdir(), `mltel-bench-${MANY_MODULES}-modules`);
const MANY_APP = join(MANY_DIR, 'app.cjs');

function writeManyModulesApp() {
  const pkg = join(MANY_DIR, 'node_modules', 'bench-modules');
  if (existsSync(join(pkg, 'index.js')) && existsSync(MANY_APP)) return;
  mkdirSync(pkg, { recursive: true });
  let index = '';
  for (let i = 1; i <= MANY_MODULES; i++) {
    writeFileSync(join(pkg, `m${i}.js`), `module.exports = ${i};\n`);
    index += `require('./m${i}.js');\n`;
  }
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'bench-modules', version: '1.0.0', main: 'index.js' }),
  );
  writeFileSync(join(pkg, 'index.js'), index);
  writeFileSync(MANY_APP, "require('bench-modules');\nsetImmediate(() => process.exit(0));\n");
}

/** The same set-ups with that application (each table has its own bare node row). */
export const MANY_MODULE_VARIANTS = [
  { name: 'bare', label: `bare node, app requiring ${MANY_MODULES} modules`, args: [], env: {}, app: MANY_APP },
  {
    name: 'otel',
    label: `raw OTel, app requiring ${MANY_MODULES} modules`,
    args: ['--import', here('./startup/otel.js')],
    env: {},
    app: MANY_APP,
  },
  {
    name: 'mltel',
    label: `mltel preload (defaults), app requiring ${MANY_MODULES} modules`,
    args: ['--import', REGISTER],
    env: {},
    app: MANY_APP,
  },
];

function runOnce(variant, count) {
  const app = variant.app ?? APP;
  const args = count ? ['--import', COUNT, ...variant.args, app] : [...variant.args, app];
  const t0 = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env: cleanEnv(variant.env), encoding: 'utf8', timeout: 30_000 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (result.status !== 0) throw new Error(`${variant.name}: exit ${result.status}: ${result.stderr}`);
  return { seconds, stderr: result.stderr };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Measures every variant `rounds` times, alternating; returns per variant its times and modules. */
export function measureStartup(rounds = 15, variants = STARTUP_VARIANTS) {
  const times = new Map(variants.map((v) => [v.name, []]));
  for (const v of variants) runOnce(v, false); // warm the file cache
  for (let r = 0; r < rounds; r++) {
    const shift = r % variants.length;
    for (const v of [...variants.slice(shift), ...variants.slice(0, shift)])
      times.get(v.name).push(runOnce(v, false).seconds);
  }
  return variants.map((v) => {
    const line = runOnce(v, true)
      .stderr.split('\n')
      .find((l) => l.startsWith('MODULES '));
    const modules = line ? JSON.parse(line.slice(8)) : { total: NaN, packages: {} };
    const t = times.get(v.name);
    return { ...v, median: median(t), min: Math.min(...t), max: Math.max(...t), modules };
  });
}

/** A Markdown table of {@link measureStartup}'s results. */
export function startupTable(results) {
  const bare = results.find((r) => r.name === 'bare');
  const lines = [
    '| variant | wall time (median) | range | over bare node | modules loaded from files |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.label} | ${(r.median * 1000).toFixed(0)} ms | ${(r.min * 1000).toFixed(0)}–${(r.max * 1000).toFixed(0)} ms | ${r === bare ? '' : `${r.median >= bare.median ? '+' : '−'}${Math.abs((r.median - bare.median) * 1000).toFixed(0)} ms`} | ${r.modules.total} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const results = measureStartup(quick ? 5 : 15);
  console.log(startupTable(results));
  writeManyModulesApp();
  console.log(`\nAn application that requires ${MANY_MODULES} small CommonJS modules of its own:\n`);
  console.log(startupTable(measureStartup(quick ? 5 : 15, MANY_MODULE_VARIANTS)));
  if (process.argv.includes('--modules')) {
    for (const r of results) console.log(`\n${r.name}: ${JSON.stringify(r.modules.packages)}`);
  }
}
