// `mltel` as a real child process (node packages/cli/dist/bin.js, built by `pnpm run build`), on
// a 700 000-row CSV with the V8 heap capped at 32 MB: reading the file into memory (about 13 MB of
// text, several times that as parsed rows) would run out of heap, so exit 0 shows the streaming
// two-pass profile keeps memory bounded. No timing is asserted.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mltel-drift-bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('a,b,color\n');
  const colors = ['red', 'green', 'blue'];
  let state = 1;
  for (let i = 0; i < rows; i += 1000) {
    let chunk = '';
    for (let j = i; j < i + 1000; j++) {
      state = (state * 1103515245 + 12345) % 2147483648;
      chunk += `${(state / 2147483648).toFixed(6)},${(j % 977) / 10},${colors[j % 3]}\n`;
    }
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve(undefined))),
  );
}

it('profiles a 700 000-row CSV with a 32 MB heap, then compares a file against the profile', async () => {
  const csv = join(dir, 'big.csv');
  await writeCsv(csv, 700_000);
  expect(statSync(csv).size).toBeGreaterThan(12_000_000);
  const profile = join(dir, 'profile.json');
  const profiled = await run(
    process.execPath,
    ['--max-old-space-size=32', BIN, 'drift', 'profile', csv, '--out', profile],
    { timeout: 120_000 },
  );
  expect(profiled.stdout).toContain('profiled 700000 rows: numeric [a, b], categorical [color]');
  expect(profiled.stderr).toBe('');
  const written = JSON.parse(readFileSync(profile, 'utf8')) as { features: { name: string; counts: number[] }[] };
  expect(written.features.find((f) => f.name === 'a')!.counts.reduce((s, c) => s + c, 0)).toBe(700_000);

  const compared = await run(
    process.execPath,
    [BIN, 'drift', 'compare', profile, csv, '--format', 'csv', '--fail-on', 'warning'],
    { timeout: 120_000 },
  );
  expect(compared.stdout.split('\n')[1]).toMatch(/^a\s+distribution\s+700000\s+0\s+0\s+0\.0000\s+0\.0000\s+0\.0000/);
  expect(compared.stdout).toContain('700000 rows');
}, 180_000);
