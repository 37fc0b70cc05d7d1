// Regenerates the catalog table in docs/metrics.md from @mltel/semconv (build first).
// `--check` exits 1 when the file is stale instead of writing it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderMetricsTable } from '../packages/semconv/dist/index.js';

const path = fileURLToPath(new URL('../docs/metrics.md', import.meta.url));
const BEGIN = '<!-- BEGIN GENERATED: metrics table (pnpm docs:metrics) -->';
const END = '<!-- END GENERATED -->';
const current = readFileSync(path, 'utf8');
const start = current.indexOf(BEGIN);
const end = current.indexOf(END);
if (start < 0 || end < start) throw new Error(`${path} lacks the ${BEGIN} ... ${END} markers`);
const next = `${current.slice(0, start + BEGIN.length)}\n\n${renderMetricsTable()}\n${current.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('docs/metrics.md is stale: run `pnpm docs:metrics`');
    process.exit(1);
  }
} else {
  writeFileSync(path, next);
}
