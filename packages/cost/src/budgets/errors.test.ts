import { CallRefusedError, genAiErrorType, isCallRefusal } from '@mltel/genai';
import { describe, expect, it } from 'vitest';
import { setup } from '../../test/harness.js';
import { BudgetExceededError } from './errors.js';

describe('BudgetExceededError', () => {
  it('names the budget, its limit and the spend, in its fields and its message', () => {
    const error = new BudgetExceededError('daily', 5, 5.25);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('BudgetExceededError');
    expect([error.budget, error.limitUsd, error.spentUsd]).toEqual(['daily', 5, 5.25]);
    expect(error.message).toBe('budget "daily" is spent ($5.25 of $5 in this window); the call was not sent');
  });

  it('is a refusal of the call (a CallRefusedError), recorded as error.type BudgetExceededError', () => {
    const error = new BudgetExceededError('daily', 5, 5);
    expect(error).toBeInstanceOf(CallRefusedError);
    expect(error.refusesCall).toBe(true);
    expect(isCallRefusal(error)).toBe(true);
    expect(genAiErrorType(error)).toBe('BudgetExceededError');
  });

  it('reaches the caller of a refused call unchanged through the provider meter', async () => {
    const { cost, meter } = setup({ budgets: [{ name: 'cap', limitUsd: 1, window: 'day', hardStop: true }] });
    cost.record({ provider: 'openai', usd: 1 });
    const refused = await meter.track({ provider: 'openai', operation: 'chat' }, async () => 'sent').catch((e) => e);
    expect(refused).toBeInstanceOf(BudgetExceededError);
    expect(refused).toMatchObject({ budget: 'cap', limitUsd: 1, spentUsd: 1 });
    await cost.close();
  });
});
