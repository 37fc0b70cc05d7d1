import { describe, expect, it } from 'vitest';
import { deploymentFiles } from './files.js';
import { DEFAULT_PARAMS } from './params.js';
import { renderRulesFile } from './rules-file.js';
import { SHIPPED_FILES } from './shipped-files.js';

describe('deploymentFiles', () => {
  it('is the shipped files plus the rules and tests of the parameter set', () => {
    const files = deploymentFiles({ ...DEFAULT_PARAMS, name: 'prod', hourlyCostUsd: 50 });
    expect(files.size).toBe(Object.keys(SHIPPED_FILES).length + 2);
    expect(files.get('prometheus/rules/prod.rules.yml')).toBe(
      renderRulesFile({ ...DEFAULT_PARAMS, name: 'prod', hourlyCostUsd: 50 }),
    );
    expect(files.get('prometheus/rules/prod.rules.yml')).toContain('expr: "job:ml_cost_usd:per_hour > 50"');
    expect(files.get('prometheus/tests/prod.test.yml')).toContain('rule_files:\n  - ../rules/prod.rules.yml');
    expect(files.get('otel-collector.yaml')).toBe(SHIPPED_FILES['otel-collector.yaml']);
  });

  it('has no promtool tests for a regex selector', () => {
    const files = deploymentFiles({ ...DEFAULT_PARAMS, selector: 'job=~"ml.*"' });
    expect([...files.keys()].filter((path) => path.startsWith('prometheus/tests/'))).toEqual([]);
  });
});
