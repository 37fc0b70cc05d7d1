// The series names a generated query may read: the catalog's Prometheus names (with the
// histogram and counter suffixes; host and process metrics included), `target_info` and `up`.
import { METRICS } from '@mltel/semconv';

/** Every series name a generated query may read, beside its own recorded series. */
export const CATALOG_SERIES: ReadonlySet<string> = new Set([
  'target_info',
  'up',
  ...METRICS.flatMap((m) =>
    ['', '_bucket', '_count', '_sum', '_total'].map((suffix) => `${m.prometheusName}${suffix}`),
  ),
]);
