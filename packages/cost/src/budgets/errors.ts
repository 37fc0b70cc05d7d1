import { CallRefusedError } from '@mltel/genai';

/**
 * Thrown (as the rejection of the call) when a hard-stop budget is spent: the call was not sent.
 * A `CallRefusedError`, so the provider meter's hook runner lets it through to the caller.
 */
export class BudgetExceededError extends CallRefusedError {
  override readonly name = 'BudgetExceededError';
  constructor(
    /** The budget that refused the call. */
    readonly budget: string,
    /** Its limit in this window, in US dollars. */
    readonly limitUsd: number,
    /** What was spent in this window, in US dollars. */
    readonly spentUsd: number,
  ) {
    super(`budget "${budget}" is spent ($${spentUsd} of $${limitUsd} in this window); the call was not sent`);
  }
}
