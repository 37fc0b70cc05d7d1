import { ML_TASK_DURATION, ML_TASKS } from '@mltel/semconv';
import { describe, expect, it } from 'vitest';
import { instrumentOptions } from './instrument-options.js';

describe('instrumentOptions', () => {
  it('gives a counter its description and unit, and no advice', () => {
    expect(instrumentOptions(ML_TASKS)).toEqual({ description: ML_TASKS.description, unit: '{task}' });
  });

  it('gives a histogram the catalog buckets as advice, in a copy the SDK may keep', () => {
    const options = instrumentOptions(ML_TASK_DURATION);
    expect(options.unit).toBe('s');
    expect(options.advice?.explicitBucketBoundaries).toEqual([...ML_TASK_DURATION.buckets]);
    expect(options.advice?.explicitBucketBoundaries).not.toBe(ML_TASK_DURATION.buckets);
  });
});
