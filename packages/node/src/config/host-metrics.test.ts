import { describe, expect, it } from 'vitest';
import { resolveConfig } from './env.js';
import { DEFAULT_HOST_METRIC_GROUPS, HOST_METRIC_GROUPS, parseHostMetricGroups } from './host-metrics.js';

describe('MLTEL_HOST_METRICS', () => {
  it('parses true, false (or 1, 0) and a list of groups; anything else is undefined', () => {
    expect(parseHostMetricGroups('true')).toEqual(DEFAULT_HOST_METRIC_GROUPS);
    expect(parseHostMetricGroups(' FALSE ')).toEqual([]);
    expect([parseHostMetricGroups('1'), parseHostMetricGroups('0')]).toEqual([DEFAULT_HOST_METRIC_GROUPS, []]);
    expect(parseHostMetricGroups('system.cpu, system.network,system.cpu')).toEqual(['system.cpu', 'system.network']);
    expect(parseHostMetricGroups('system.disk')).toBeUndefined();
    expect(parseHostMetricGroups('')).toBeUndefined();
  });

  it('leaves the process-spawning network group out by default', () => {
    expect(DEFAULT_HOST_METRIC_GROUPS).not.toContain('system.network');
    expect(HOST_METRIC_GROUPS.filter((g) => !DEFAULT_HOST_METRIC_GROUPS.includes(g))).toEqual(['system.network']);
  });

  it('resolves a list of groups from the environment, and names the variable for a bad one', () => {
    const listed = resolveConfig({ env: { MLTEL_HOST_METRICS: 'system.cpu,system.network' } });
    expect(listed.config.hostMetrics).toEqual(['system.cpu', 'system.network']);
    expect(listed.problems).toEqual([]);
    const bad = resolveConfig({ env: { MLTEL_HOST_METRICS: 'system.disk' } });
    expect(bad.config.hostMetrics).toBe(true);
    expect(bad.problems.map((p) => p.setting)).toEqual(['MLTEL_HOST_METRICS']);
    expect(bad.problems[0]!.message).toContain('Fix: set MLTEL_HOST_METRICS');
  });
});
