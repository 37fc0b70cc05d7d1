// OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: the histogram aggregation of the OTLP
// reader (the standard variable of the OTLP metrics exporter specification).
import { describeText } from '@mltel/kit';
import type { ConfigProblem, HistogramAggregation } from './types.js';

/** The values the specification defines. */
export const HISTOGRAM_AGGREGATIONS: readonly HistogramAggregation[] = [
  'explicit_bucket_histogram',
  'base2_exponential_bucket_histogram',
];

const SETTING = 'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION';

/** Reads the variable; unset, or a value it does not define (a problem), is `explicit_bucket_histogram`. */
export function parseHistogramAggregation(raw: string | undefined, problems: ConfigProblem[]): HistogramAggregation {
  if (raw === undefined) return 'explicit_bucket_histogram';
  const value = raw.toLowerCase();
  if ((HISTOGRAM_AGGREGATIONS as readonly string[]).includes(value)) return value as HistogramAggregation;
  problems.push({
    setting: SETTING,
    message:
      `${SETTING}=${describeText(raw)} is not ${HISTOGRAM_AGGREGATIONS.join(' or ')}; using explicit_bucket_histogram. ` +
      `Fix: set one of those or unset it.`,
  });
  return 'explicit_bucket_histogram';
}
