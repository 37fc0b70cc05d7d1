// Histogram buckets per instrument (MLTEL_HISTOGRAM_BUCKETS and StartOptions.histogramBuckets), and
// the sdk-metrics views that apply them.
import { describeText } from '@mltel/kit';
import { METRICS, metricDefinition } from '@mltel/semconv';
import { AggregationType, InstrumentType } from '@opentelemetry/sdk-metrics';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import type { ConfigProblem, HistogramBuckets } from './types.js';

const EXAMPLE = 'ml.task.duration=0.075,0.75,7.5;gen_ai.client.operation.duration=0.1,0.6,2.5';

/**
 * Why `name` with `boundaries` cannot be used, or undefined when it can. The boundaries must be
 * finite and strictly increasing; the name must be an instrument name (not its Prometheus name),
 * and when the catalog knows it, a histogram's.
 */
function invalid(name: string, boundaries: readonly number[]): string | undefined {
  if (name === '' || /\s/.test(name)) return `${describeText(name)} is not an instrument name`;
  if (boundaries.length === 0) return `${name} has no boundaries`;
  if (!boundaries.every((b) => typeof b === 'number' && Number.isFinite(b)))
    return `${name} has a boundary that is not a finite number`;
  if (!boundaries.every((b, i) => i === 0 || b > (boundaries[i - 1] as number)))
    return `${name} boundaries do not increase strictly`;
  const byPrometheus = METRICS.find((m) => m.prometheusName === name || `${m.prometheusName}_bucket` === name);
  if (byPrometheus !== undefined)
    return `${name} is a Prometheus name; views select the instrument name ${byPrometheus.name}`;
  const known = metricDefinition(name);
  if (known !== undefined && known.kind !== 'Histogram') return `${name} is a ${known.kind}, not a Histogram`;
  return undefined;
}

/** Keeps the valid entries of `buckets`; each invalid one is a problem of `setting` with the fix. */
export function validateHistogramBuckets(
  buckets: HistogramBuckets,
  setting: string,
  problems: ConfigProblem[],
): HistogramBuckets {
  const out: HistogramBuckets = {};
  for (const [name, boundaries] of Object.entries(buckets)) {
    const why = invalid(name, boundaries);
    if (why === undefined) {
      out[name] = [...boundaries];
      continue;
    }
    problems.push({
      setting,
      message:
        `${setting}: ${why}; the instrument keeps its default buckets. Fix: give an instrument name ` +
        `and strictly increasing numbers in its unit (seconds for durations), e.g. ${EXAMPLE}.`,
    });
  }
  return out;
}

/**
 * Parses `MLTEL_HISTOGRAM_BUCKETS`: `instrument=b1,b2,...` entries separated by `;`. An entry
 * that does not parse or validate is left out with a problem; a name given twice keeps the last.
 */
export function parseHistogramBuckets(
  raw: string | undefined,
  setting: string,
  problems: ConfigProblem[],
): HistogramBuckets {
  if (raw === undefined) return {};
  const parsed: HistogramBuckets = {};
  for (const entry of raw.split(';')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) {
      problems.push({
        setting,
        message: `${setting} entry ${describeText(entry.trim())} has no "=": it is ignored. Fix: write ${setting}=${EXAMPLE}.`,
      });
      continue;
    }
    const name = entry.slice(0, eq).trim();
    const list = entry.slice(eq + 1).trim();
    // Number('') is 0: an empty item is NaN here, so that "1,,2" is refused, not read as 1,0,2.
    const boundaries = list === '' ? [] : list.split(',').map((b) => (b.trim() === '' ? Number.NaN : Number(b)));
    Object.assign(parsed, validateHistogramBuckets({ [name]: boundaries }, setting, problems));
  }
  return parsed;
}

/**
 * The views that give each named histogram its buckets. They select histograms only, so a
 * wildcard never turns a counter into a histogram.
 */
export function bucketViews(buckets: HistogramBuckets): ViewOptions[] {
  return Object.entries(buckets).map(([instrumentName, boundaries]) => ({
    instrumentName,
    instrumentType: InstrumentType.HISTOGRAM,
    aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...boundaries] } },
  }));
}

/**
 * The provider's views: the built-in ones (mltel's defaults for instruments it does not own), then
 * the bucket views, then the application's. Two views matching one instrument would give it two
 * streams of one name (exported twice), so a built-in view of an instrument the application
 * configures is left out: for buckets, its name and description move into the bucket view (which
 * matches every meter: the built-in view unifies the descriptions of instrumentations that
 * record the same instrument); for an application view, the application's view decides alone.
 */
export function combineViews(
  builtIn: readonly ViewOptions[],
  buckets: HistogramBuckets,
  user: readonly ViewOptions[],
): ViewOptions[] {
  const userNames = new Set(user.map((view) => view.instrumentName));
  const kept = builtIn.filter(
    (view) =>
      view.instrumentName === undefined || (!userNames.has(view.instrumentName) && !(view.instrumentName in buckets)),
  );
  const bucketed = bucketViews(buckets).map((view) => {
    const replaced = builtIn.find((b) => b.instrumentName === view.instrumentName);
    return replaced === undefined
      ? view
      : {
          ...view,
          ...(replaced.name === undefined ? {} : { name: replaced.name }),
          ...(replaced.description === undefined ? {} : { description: replaced.description }),
        };
  });
  return [...kept, ...bucketed, ...user];
}
