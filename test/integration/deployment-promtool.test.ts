import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, serverBin, tempDir } from './helpers.js';

// Prometheus' own checker on the shipped configuration and every generated rules file, and
// `promtool test rules` on every generated test file: a firing and a quiet case per alert.
const run = promisify(execFile);
const PROM = join(ROOT, 'collector/prometheus');
const promtool = (...args: string[]) => run(serverBin('promtool'), args, { cwd: PROM, timeout: 60_000 });
const ruleFiles = readdirSync(join(PROM, 'rules')).filter((f) => f.endsWith('.yml'));
const testFiles = readdirSync(join(PROM, 'tests')).filter((f) => f.endsWith('.test.yml'));

describe('promtool on the shipped Prometheus files', () => {
  it('has rules and tests to check (so it can fail)', () => {
    expect(ruleFiles).toContain('mltel.rules.yml');
    expect(testFiles).toContain('mltel.test.yml');
  });

  it('promtool check config accepts prometheus.yml with its rule files', async () => {
    const { stdout } = await promtool('check', 'config', 'prometheus.yml');
    expect(stdout).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.each(ruleFiles)('promtool check rules accepts rules/%s', async (file) => {
    const { stdout } = await promtool('check', 'rules', `rules/${file}`);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.each(testFiles)('promtool test rules passes tests/%s, a firing and a quiet case per alert', async (file) => {
    const text = readFileSync(join(PROM, 'tests', file), 'utf8');
    const rules = readFileSync(join(PROM, 'rules', file.replace(/\.test\.yml$/, '.rules.yml')), 'utf8');
    const alerts = [...rules.matchAll(/^ {6}- alert: (\w+)$/gm)].map((m) => m[1]);
    expect(alerts.length).toBeGreaterThanOrEqual(20);
    for (const alert of alerts) {
      expect(text).toContain(`name: ${alert} fires`);
      expect(text).toContain(`name: ${alert} stays quiet`);
    }
    const { stdout } = await run(serverBin('promtool'), ['test', 'rules', file], {
      cwd: join(PROM, 'tests'),
      timeout: 60_000,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`promtool test rules failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    expect(stdout).toContain('SUCCESS');
  });

  it('amtool check-config accepts the shipped Alertmanager configuration', async () => {
    const amtool = join(process.env.MLTEL_SERVERS_DIR ?? join(ROOT, '.cache/servers'), 'root/usr/bin/amtool');
    const { stdout } = await run(amtool, ['check-config', join(ROOT, 'collector/alertmanager/alertmanager.yml')]);
    expect(stdout).toContain('SUCCESS');
    expect(stdout).toContain(' - 3 inhibit rules');
  });

  it('promtool test rules fails when an alert does not fire as its case expects (so it can fail)', async () => {
    const broken = join(PROM, 'tests', 'mltel.test.yml');
    const text = readFileSync(broken, 'utf8').replace(/eval_time: "30m"/, 'eval_time: "1m"');
    const dir = tempDir('mltel-promtool-');
    writeFileSync(join(dir.path, 'broken.test.yml'), text.replace('../rules/', `${join(PROM, 'rules')}/`));
    const result = await run(serverBin('promtool'), ['test', 'rules', 'broken.test.yml'], { cwd: dir.path }).then(
      () => 'passed',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    dir.remove();
    expect(result).toContain('FAILED');
    expect(result).toContain('MltelTaskErrorRatioHigh fires');
  });
});
