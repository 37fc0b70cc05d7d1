import { METRICS } from '@mltel/semconv';
import { describe, expect, it } from 'vitest';
import { CATALOG_SERIES } from './catalog-names.js';
import { DEFAULT_PARAMS } from './params.js';
import { metricNamesIn } from './promql-names.js';
import { recordingRules, sel } from './recording-rules.js';

const rules = recordingRules({ ...DEFAULT_PARAMS }).flatMap((group) => group.rules);

describe('recording rules', () => {
  it('read only catalog series (or series recorded before them)', () => {
    const recorded = new Set<string>();
    for (const rule of rules) {
      expect(metricNamesIn(rule.expr).filter((name) => !CATALOG_SERIES.has(name) && !recorded.has(name))).toEqual([]);
      recorded.add(rule.record);
    }
  });

  it('put the selector on every series they read', () => {
    for (const rule of rules) {
      for (const name of metricNamesIn(rule.expr)) expect(rule.expr).toContain(`${name}{job="mltel"`);
    }
  });

  it('name each series once, in level:metric:operations form', () => {
    const names = rules.map((rule) => rule.record);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
  });

  it('cover every family of the catalog', () => {
    const read = new Set(rules.flatMap((rule) => metricNamesIn(rule.expr)));
    const families = new Set(
      METRICS.filter((m) => ['', '_bucket', '_count', '_sum'].some((s) => read.has(`${m.prometheusName}${s}`))).map(
        (m) => m.owner,
      ),
    );
    expect([...families].sort()).toEqual([
      '@mltel/cost',
      '@mltel/genai',
      '@mltel/host-metrics-gpu',
      '@mltel/kit',
      '@mltel/pipeline',
      '@mltel/quality',
      '@mltel/tasks',
    ]);
  });

  it('sel joins the selector and the rule matchers', () => {
    expect(sel({ ...DEFAULT_PARAMS, selector: 'job=~"a|b"' }, 'up', 'x="1"')).toBe('up{job=~"a|b",x="1"}');
    expect(sel({ ...DEFAULT_PARAMS }, 'up')).toBe('up{job="mltel"}');
  });
});
