// `mltel init` in-process through main(), on temporary folders.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../io.js';
import { main } from '../main.js';
import { SHIPPED_FILES } from './shipped-files.js';

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
}

async function run(cwd: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env: {}, cwd };
  const code = await main(['init', ...args], io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const total = Object.keys(SHIPPED_FILES).length + 2;

describe('mltel init', () => {
  it('writes every file, then --check finds the copy current', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mltel-init-'));
    expect(await run(cwd, 'deploy', '--set', 'hourlyCostUsd=25', '--selector', 'job="api"')).toEqual({
      code: 0,
      stdout: `${join(cwd, 'deploy')}: wrote ${total} files (0 already current)\n`,
      stderr: '',
    });
    const rules = readFileSync(join(cwd, 'deploy/prometheus/rules/mltel.rules.yml'), 'utf8');
    expect(rules).toContain('expr: "job:ml_cost_usd:per_hour > 25"');
    expect(rules).toContain('ml_tasks_total{job="api"}');
    expect(readFileSync(join(cwd, 'deploy/otel-collector.yaml'), 'utf8')).toBe(SHIPPED_FILES['otel-collector.yaml']);
    const check = await run(cwd, 'deploy', '--check', '--set', 'hourlyCostUsd=25', '--selector', 'job="api"');
    expect(check).toEqual({ code: 0, stdout: `${join(cwd, 'deploy')}: current (${total} files)\n`, stderr: '' });
  });

  it('--check names missing and changed files and exits 1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mltel-init-'));
    await run(cwd, 'd');
    writeFileSync(join(cwd, 'd/otel-collector.yaml'), 'edited\n');
    const check = await run(cwd, 'd', '--check', '--set', 'errorRatio=0.1');
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('differs  otel-collector.yaml\n');
    expect(check.stdout).toContain('differs  prometheus/rules/mltel.rules.yml\n');
    expect(check.stdout).toContain(`${join(cwd, 'd')}: 0 missing, 3 different;`);
  });

  it('does not overwrite a changed file without --force', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mltel-init-'));
    await run(cwd, 'd');
    writeFileSync(join(cwd, 'd/otel-collector.yaml'), 'edited\n');
    const refused = await run(cwd, 'd');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('otel-collector.yaml exists and differs');
    expect(readFileSync(join(cwd, 'd/otel-collector.yaml'), 'utf8')).toBe('edited\n');
    expect((await run(cwd, 'd', '--force')).stdout).toContain(`wrote 1 files (${total - 1} already current)`);
    expect(readFileSync(join(cwd, 'd/otel-collector.yaml'), 'utf8')).toBe(SHIPPED_FILES['otel-collector.yaml']);
  });

  it('rejects bad options and thresholds with exit 2, naming them', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mltel-init-'));
    const unknown = await run(cwd, '--set', 'nope=1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--set nope=1: expected key=value with key one of errorRatio,');
    const bad = await run(cwd, '--set', 'errorRatio=5', '--selector', 'job');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('errorRatio 5: expected a share in (0, 1]');
    expect(bad.stderr).toContain("selector 'job'");
    expect((await run(cwd, 'a', 'b')).stderr).toContain('one folder expected, got 2');
  });

  it('prints its help', async () => {
    const help = await run('/', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: mltel init [dir] [options]');
  });
});
