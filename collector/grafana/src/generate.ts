// Writes collector/grafana/dashboards/<uid>.json from the specs (Grafana Foundation SDK), in the
// repository's JSON format (Biome), or with --check exits 1 when a checked-in file holds other
// JSON than the specs give (the test runs that).
//   node collector/grafana/src/generate.ts [--check]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { DASHBOARDS } from './dashboards.ts';
import { build } from './panels.ts';

const out = new URL('../dashboards/', import.meta.url);
const check = process.argv.includes('--check');
const stale: string[] = [];
for (const spec of DASHBOARDS) {
  const file = new URL(`${spec.uid}.json`, out);
  const json = JSON.parse(JSON.stringify(build(spec))) as unknown;
  if (!check) writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  else if (!existsSync(file) || !isDeepStrictEqual(JSON.parse(readFileSync(file, 'utf8')), json)) stale.push(spec.uid);
}
if (stale.length > 0) {
  console.error(`stale dashboards: ${stale.join(', ')}; run: node collector/grafana/src/generate.ts`);
  process.exit(1);
}
if (!check) {
  const biome = new URL('../../../node_modules/.bin/biome', import.meta.url).pathname;
  if (existsSync(biome)) execFileSync(biome, ['format', '--write', out.pathname], { stdio: 'ignore' });
}
console.log(
  check
    ? `dashboards current (${DASHBOARDS.length})`
    : `wrote ${DASHBOARDS.length} dashboards to collector/grafana/dashboards`,
);
