import { describe, expect, it } from 'vitest';
import { parseHistogramAggregation } from './aggregation.js';
import type { ConfigProblem } from './types.js';

describe('OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION', () => {
  it('reads the two values of the specification, explicit when unset', () => {
    const problems: ConfigProblem[] = [];
    expect(parseHistogramAggregation(undefined, problems)).toBe('explicit_bucket_histogram');
    expect(parseHistogramAggregation('explicit_bucket_histogram', problems)).toBe('explicit_bucket_histogram');
    expect(parseHistogramAggregation('BASE2_EXPONENTIAL_BUCKET_HISTOGRAM', problems)).toBe(
      'base2_exponential_bucket_histogram',
    );
    expect(problems).toEqual([]);
  });

  it('anything else is explicit, with a problem naming the setting and the fix', () => {
    const problems: ConfigProblem[] = [];
    expect(parseHistogramAggregation('exponential', problems)).toBe('explicit_bucket_histogram');
    expect(problems).toEqual([
      {
        setting: 'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION',
        message: expect.stringContaining(
          'is not explicit_bucket_histogram or base2_exponential_bucket_histogram; using explicit_bucket_histogram. Fix:',
        ),
      },
    ]);
  });
});
