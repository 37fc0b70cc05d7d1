import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_FILES } from './shipped-files.js';

const COLLECTOR = new URL('../../../../collector/', import.meta.url);

describe('SHIPPED_FILES', () => {
  it('equal the files in collector/ (else run node collector/generate-init-files.mjs)', () => {
    const stale = Object.entries(SHIPPED_FILES)
      .filter(([path, text]) => readFileSync(new URL(path, COLLECTOR), 'utf8') !== text)
      .map(([path]) => path);
    expect(stale).toEqual([]);
  });

  it('hold every dashboard and the configs', () => {
    const dashboards = readdirSync(new URL('grafana/dashboards/', COLLECTOR)).filter((f) => f.endsWith('.json'));
    expect(dashboards).toHaveLength(8);
    for (const file of dashboards) expect(Object.keys(SHIPPED_FILES)).toContain(`grafana/dashboards/${file}`);
    expect(Object.keys(SHIPPED_FILES)).toEqual(
      expect.arrayContaining(['prometheus/prometheus.yml', 'otel-collector.yaml', 'alertmanager/alertmanager.yml']),
    );
  });
});
