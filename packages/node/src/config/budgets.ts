// MLTEL_BUDGETS: a JSON array of budgets inline, or the path of a file holding one. Resolution
// stays pure (a path is recorded, not read: the cost feature reads it when it starts, see
// ../cost.ts); the JSON check is shared by both forms.
import type { BudgetConfig } from '@mltel/cost';
import { read } from './read.js';
import type { Env } from './read.js';
import type { ConfigProblem, ResolvedConfig } from './types.js';

/** Where the budgets of `MLTEL_BUDGETS` come from: the array given inline, or a file to read. */
export type BudgetsSetting = Pick<ResolvedConfig, 'budgets' | 'budgetsFile'>;

/** The budgets in `text`, a JSON array; [] and one problem naming the fix when it is not one. */
export function parseBudgets(text: string, problems: ConfigProblem[]): BudgetConfig[] {
  try {
    const budgets = JSON.parse(text) as unknown;
    if (!Array.isArray(budgets)) throw new Error('not an array');
    return budgets as BudgetConfig[];
  } catch (error) {
    problems.push({
      setting: 'MLTEL_BUDGETS',
      message: `MLTEL_BUDGETS is not a JSON array of budgets (${error instanceof Error ? error.message : String(error)}); no budgets are kept. Fix: e.g. MLTEL_BUDGETS='[{"name":"daily","limitUsd":50,"window":"day"}]'.`,
    });
    return [];
  }
}

/** `MLTEL_BUDGETS`: an inline array is parsed now; anything else is taken as a file path. */
export function budgetsOf(env: Env, problems: ConfigProblem[]): BudgetsSetting {
  const raw = read(env, 'MLTEL_BUDGETS');
  if (raw === undefined) return { budgets: [], budgetsFile: undefined };
  if (!raw.startsWith('[')) return { budgets: [], budgetsFile: raw };
  return { budgets: parseBudgets(raw, problems), budgetsFile: undefined };
}
