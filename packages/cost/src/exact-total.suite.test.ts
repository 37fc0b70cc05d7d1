import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag, COST, OPERATION, PROVIDER, REQUEST_MODEL, setup } from '../test/harness.js';

// A file of its own so that it runs beside money.test.ts: a million calls take a while.
let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const MILLION = 1_000_000;

describe('a million calls of $0.0000025 sum to exactly 2.5', () => {
  it('through the attached provider meter, with a budget counting the same spend', async () => {
    const { cost, meter, collect } = setup({ budgets: [{ name: 'daily', limitUsd: 100, window: 'day' }] });
    for (let i = 0; i < MILLION; i++) {
      meter.record({
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o',
        durationSeconds: 0.01,
        usage: { inputTokens: 1 },
      });
    }
    const c = await collect();
    expect(c.points(COST)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' }, value: 2.5 },
    ]);
    expect(c.points('ml.budget.spent.usd').map((p) => p.value)).toEqual([2.5]);
    expect(c.points('ml.budget.remaining.usd').map((p) => p.value)).toEqual([97.5]);
    expect(cost.budgets.spentUsd('daily')).toBe(2.5);
    expect(log.warnings).toEqual([]);
    await cost.close();
  }, 120_000);
});
