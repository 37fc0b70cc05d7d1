import { describe, expect, it } from 'vitest';
import { budgetsOf, parseBudgets } from './budgets.js';
import type { ConfigProblem } from './types.js';

describe('parseBudgets', () => {
  it('returns the array as given', () => {
    const problems: ConfigProblem[] = [];
    expect(parseBudgets('[{"name":"daily","limitUsd":50,"window":"day"}]', problems)).toEqual([
      { name: 'daily', limitUsd: 50, window: 'day' },
    ]);
    expect(parseBudgets('[]', problems)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('anything but a JSON array: no budgets and one problem naming the variable and the fix', () => {
    for (const text of ['{"name":"daily"}', '[{"name":', '']) {
      const problems: ConfigProblem[] = [];
      expect(parseBudgets(text, problems)).toEqual([]);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.setting).toBe('MLTEL_BUDGETS');
      expect(problems[0]!.message).toMatch(
        /^MLTEL_BUDGETS is not a JSON array of budgets \(.+\); no budgets are kept\. Fix: /,
      );
    }
  });
});

describe('budgetsOf', () => {
  it('unset: no budgets, no file', () => {
    const problems: ConfigProblem[] = [];
    expect(budgetsOf({}, problems)).toEqual({ budgets: [], budgetsFile: undefined });
    expect(budgetsOf({ MLTEL_BUDGETS: '  ' }, problems)).toEqual({ budgets: [], budgetsFile: undefined });
    expect(problems).toEqual([]);
  });

  it('an inline array is parsed; anything else is a path, recorded and never read', () => {
    const problems: ConfigProblem[] = [];
    expect(budgetsOf({ MLTEL_BUDGETS: ' [{"name":"h","limitUsd":1,"window":"hour"}] ' }, problems)).toEqual({
      budgets: [{ name: 'h', limitUsd: 1, window: 'hour' }],
      budgetsFile: undefined,
    });
    expect(budgetsOf({ MLTEL_BUDGETS: '/dev/zero' }, problems)).toEqual({ budgets: [], budgetsFile: '/dev/zero' });
    expect(problems).toEqual([]);
  });
});
