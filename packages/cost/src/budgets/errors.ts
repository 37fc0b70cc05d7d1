/**
 * Thrown (as the rejection of the call) when a hard-stop budget is spent: the call was not sent.
 * `refusesCall` tells the provider meter's hook runner to let it through to the caller.
 */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  readonly refusesCall = true;
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
