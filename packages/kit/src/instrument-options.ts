import type { MetricDefinition } from '@mltel/semconv';

/** The options an OTel `create*` call takes for a catalog instrument. */
export interface InstrumentOptions {
  description: string;
  unit: string;
  advice?: { explicitBucketBoundaries: number[] };
}

/** Description, unit and (for histograms) the bucket advice of a catalog instrument. */
export function instrumentOptions(definition: MetricDefinition): InstrumentOptions {
  return definition.buckets === undefined
    ? { description: definition.description, unit: definition.unit }
    : {
        description: definition.description,
        unit: definition.unit,
        advice: { explicitBucketBoundaries: [...definition.buckets] },
      };
}
