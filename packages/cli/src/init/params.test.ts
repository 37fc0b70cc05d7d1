import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, NUMERIC_PARAMS, paramProblems } from './params.js';

describe('deployment parameters', () => {
  it('accepts the default set', () => {
    expect(paramProblems({ ...DEFAULT_PARAMS })).toEqual([]);
  });

  it('names each bad setting', () => {
    expect(
      paramProblems({ ...DEFAULT_PARAMS, name: 'Bad Name', selector: 'job=mltel', errorRatio: 2, hourlyCostUsd: -1 }),
    ).toEqual([
      'name "Bad Name": use a-z, 0-9 and -',
      `selector 'job=mltel': expected label matchers such as job="mltel",env=~"prod.*"`,
      'errorRatio 2: expected a share in (0, 1]',
      'hourlyCostUsd -1: expected a positive number',
    ]);
  });

  it('accepts several matchers of every operator', () => {
    expect(paramProblems({ ...DEFAULT_PARAMS, selector: 'job=~"ml.*", env!="dev",team!~"x|y",a="b\\"c"' })).toEqual([]);
  });

  it('lists every numeric parameter', () => {
    expect(NUMERIC_PARAMS.every((key) => typeof DEFAULT_PARAMS[key] === 'number')).toBe(true);
    expect(NUMERIC_PARAMS).toHaveLength(
      Object.values(DEFAULT_PARAMS).filter((value) => typeof value === 'number').length,
    );
  });
});
