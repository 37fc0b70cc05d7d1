// GPU: parsing. Time to parse nvidia-smi output into records with @mltel/nvidia-smi-parser,
// per call, against the naive alternatives in the same run, so the mapping overhead is a ratio:
//   - the largest `-q -x` capture (2x RTX A5000, DTD v13, 94 KB): parseXml vs fast-xml-parser's
//     raw parse of the same text with the same options and no mapping (the floor for any
//     XML-based approach), and vs parseXml on a one-GPU v12 capture for scale;
//   - a `--query-gpu --format=csv` row set: 8 GPUs x 212 fields (the H100 capture's row with
//     the index changed): parseQueryGpuCsv vs splitting lines and cells without mapping.
// Run: `pnpm --filter @mltel/benchmarks run bench:gpu-parse` (or `node benchmarks/src/gpu-parse.js`
// after `pnpm run build`). Prints Markdown. Medians over BENCH_ROUNDS rounds (default 5).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseQueryGpuCsv, parseXml } from '@mltel/nvidia-smi-parser';
import { Bench } from 'tinybench';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const WARMUP_MS = 250;

// fast-xml-parser is the parser package's dependency: load the very ESM build parseXml uses
// (its package.json "exports" import entry), resolved from the parser package.
const parserEntry = fileURLToPath(import.meta.resolve('@mltel/nvidia-smi-parser'));
const fxpDir = dirname(dirname(createRequire(parserEntry).resolve('fast-xml-parser'))); // …/lib/fxp.cjs → package dir
const fxpEntry = JSON.parse(readFileSync(join(fxpDir, 'package.json'), 'utf8')).exports['.'].import.default;
const { XMLParser } = await import(pathToFileURL(join(fxpDir, fxpEntry)).href);

const FIXTURES = new URL('../../packages/nvidia-smi-parser/test/fixtures/', import.meta.url);
const read = (name) => readFileSync(new URL(name, FIXTURES), 'utf8');

const bigXml = read('xml-2xA5000-processes-driver590-v13.xml');
const smallXml = read('xml-rtx3060-driver570-v12.xml');

// The H100 capture's "load" --query-gpu section: header + one row; make 8 rows of it.
const capture = read('capture-multi-h100-mig-4instances-driver590.txt').split('\n');
const at = capture.findIndex((l) => l.startsWith('# load :: query-gpu'));
const header = capture[at + 3];
const row = capture[at + 4];
const cols = header.split(', ');
const indexCol = cols.indexOf('index');
const rows = Array.from({ length: 8 }, (_, i) => {
  const cells = row.split(', ');
  cells[indexCol] = String(i);
  return cells.join(', ');
});
const csv = `${header}\n${rows.join('\n')}\n`;

// The raw parse uses parseXml's own options (see packages/nvidia-smi-parser/src/xml.ts).
const raw = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: { enabled: true, maxEntityCount: 16, maxEntitySize: 256, maxExpandedLength: 10_000 },
  isArray: (name) => name === 'gpu' || name === 'mig_device' || name === 'process_info',
});
const naiveCsv = (text) =>
  text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(', '));

// Sanity: the variants do the work they claim.
if (parseXml(bigXml).gpus.length !== 2) throw new Error('big XML: expected 2 GPUs');
if (raw.parse(bigXml).nvidia_smi_log.gpu.length !== 2) throw new Error('raw XML: expected 2 GPUs');
if (
  parseQueryGpuCsv(csv)
    .map((g) => g.index)
    .join() !== '0,1,2,3,4,5,6,7'
)
  throw new Error('CSV: expected 8 GPUs');
if (naiveCsv(csv).length !== 9 || cols.length < 200) throw new Error('naive CSV: expected 9 lines of 200+ cells');

let sink = 0;
const variants = [
  {
    name: 'xml',
    group: 'xml',
    label: '`parseXml`, 2 GPUs, 94 KB (v13)',
    fn: () => (sink += parseXml(bigXml).gpus.length),
  },
  {
    name: 'xml-raw',
    group: 'xml',
    label: 'fast-xml-parser raw parse, same text, no mapping',
    fn: () => (sink += raw.parse(bigXml).nvidia_smi_log.gpu.length),
  },
  {
    name: 'xml-small',
    group: 'xml',
    label: '`parseXml`, 1 GPU, 11 KB (v12)',
    fn: () => (sink += parseXml(smallXml).gpus.length),
  },
  {
    name: 'csv',
    group: 'csv',
    label: `\`parseQueryGpuCsv\`, 8 GPUs x ${cols.length} fields`,
    fn: () => (sink += parseQueryGpuCsv(csv).length),
  },
  {
    name: 'csv-raw',
    group: 'csv',
    label: 'split lines and cells, no mapping',
    fn: () => (sink += naiveCsv(csv).length),
  },
];
const baseline = { xml: 'xml-raw', csv: 'csv-raw' };

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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
    perRound.get(task.name).push(task.result.period * 1000); // µs per call
  }
}

console.log(
  `## GPU: parsing\n\nnode ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores), ${ROUNDS} rounds\n`,
);
console.log('| variant | µs per call (median) | time vs baseline (median) | range over rounds |');
console.log('|---|---:|---:|---:|');
for (const v of variants) {
  const us = perRound.get(v.name);
  const base = perRound.get(baseline[v.group]);
  const ratios = us.map((x, i) => x / base[i]);
  const isBase = v.name === baseline[v.group];
  const fmt = (r) => `${r.toFixed(2)}x`;
  console.log(
    `| ${v.label} | ${median(us).toFixed(1)} | ${isBase ? '1.00x (baseline)' : fmt(median(ratios))} | ${isBase ? '' : `${fmt(Math.min(...ratios))} – ${fmt(Math.max(...ratios))}`} |`,
  );
}
if (sink === 0) console.log('(sink)');
