// The generated Grafana dashboards (collector/grafana): current with their TypeScript specs, and
// every panel query reads catalog series only.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CATALOG_SERIES, metricNamesIn } from '../../packages/cli/src/init/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = `${ROOT}collector/grafana/dashboards/`;

interface Dashboard {
  uid: string;
  title: string;
  links: { type: string; tags: string[] }[];
  templating: { list: { name: string; query?: { query: string } }[] };
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
}
const dashboards = readdirSync(DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(DIR + file, 'utf8')) as Dashboard);
const exprs = dashboards.flatMap((d) =>
  d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${d.uid} / ${p.title}`, expr: t.expr }))),
);

describe('the generated Grafana dashboards', () => {
  it('are current with collector/grafana/src (node collector/grafana/src/generate.ts --check)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['collector/grafana/src/generate.ts', '--check'], {
      cwd: ROOT,
    }).catch((error: { stderr?: string }) => {
      throw new Error(`stale: ${error.stderr ?? String(error)}`);
    });
    expect(stdout).toContain('dashboards current (8)');
  });

  it('are the eight promised, each linking the others and carrying the template variables', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'mltel-cost',
      'mltel-llm',
      'mltel-overview',
      'mltel-pipeline',
      'mltel-quality',
      'mltel-runtime',
      'mltel-service',
      'mltel-tasks',
    ]);
    for (const d of dashboards) {
      expect(d.links).toEqual([expect.objectContaining({ type: 'dashboards', tags: ['mltel'] })]);
      expect(d.templating.list.map((v) => v.name).slice(0, 4)).toEqual(['datasource', 'job', 'service', 'instance']);
    }
    const llm = dashboards.find((d) => d.uid === 'mltel-llm')!;
    expect(llm.templating.list.map((v) => v.name)).toEqual([
      'datasource',
      'job',
      'service',
      'instance',
      'provider',
      'model',
    ]);
  });

  it('every panel query filters by job and instance and reads only catalog series', () => {
    expect(exprs.length).toBeGreaterThan(60);
    for (const { where, expr } of exprs) {
      const unknown = metricNamesIn(expr).filter((n) => !CATALOG_SERIES.has(n));
      expect(unknown, where).toEqual([]);
      expect(expr, where).toContain('job=~"$job"');
      expect(expr, where).toContain('instance=~"$instance"');
    }
  });

  it('the provisioning files point Grafana at the dashboards folder and at Prometheus', () => {
    const provider = readFileSync(`${ROOT}collector/grafana/provisioning/dashboards/mltel.yml`, 'utf8');
    expect(provider).toContain('path: /var/lib/grafana/dashboards/mltel');
    const datasource = readFileSync(`${ROOT}collector/grafana/provisioning/datasources/prometheus.yml`, 'utf8');
    expect(datasource).toContain('type: prometheus');
  });
});
