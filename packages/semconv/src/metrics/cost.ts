import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_BUDGET_NAME,
  ATTR_ML_BUDGET_WINDOW,
  ATTR_ML_TASK_NAME,
} from '../attributes.js';
import { REQUEST_COST_BUCKETS } from '../buckets.js';
import type { MetricDefinition } from '../types.js';

const COST_ATTRS = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_ML_TASK_NAME,
] as const;
const BUDGET_ATTRS = [ATTR_ML_BUDGET_NAME, ATTR_ML_BUDGET_WINDOW] as const;

/**
 * `ml.cost.usd`: money spent, in US dollars. Observable: the meter keeps each series' total as an
 * exact decimal and reports it at collection, so a million calls of $0.0000025 show $2.5, not a
 * float sum that drifted.
 */
export const ML_COST_USD = {
  name: 'ml.cost.usd',
  kind: 'ObservableCounter',
  unit: '{USD}',
  description: 'Money spent on provider calls, in US dollars.',
  attributes: COST_ATTRS,
  family: 'cost',
  owner: '@mltel/cost',
  prometheusName: 'ml_cost_usd_total',
} as const satisfies MetricDefinition;

/** `ml.cost.request.usd`: distribution of the cost of one call, in US dollars. */
export const ML_COST_REQUEST_USD = {
  name: 'ml.cost.request.usd',
  kind: 'Histogram',
  unit: '{USD}',
  description: 'Cost of one provider call, in US dollars.',
  attributes: COST_ATTRS,
  buckets: REQUEST_COST_BUCKETS,
  family: 'cost',
  owner: '@mltel/cost',
  prometheusName: 'ml_cost_request_usd',
} as const satisfies MetricDefinition;

/** `ml.cost.unpriced`: calls whose model has no known price. */
export const ML_COST_UNPRICED = {
  name: 'ml.cost.unpriced',
  kind: 'Counter',
  unit: '{call}',
  description: 'Provider calls with no known price.',
  attributes: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL],
  family: 'cost',
  owner: '@mltel/cost',
  prometheusName: 'ml_cost_unpriced_total',
} as const satisfies MetricDefinition;

/** `ml.budget.limit.usd`: the budget's limit in its current window. */
export const ML_BUDGET_LIMIT_USD = {
  name: 'ml.budget.limit.usd',
  kind: 'ObservableGauge',
  unit: '{USD}',
  description: 'Budget limit in the current window, in US dollars.',
  attributes: BUDGET_ATTRS,
  family: 'cost',
  owner: '@mltel/cost',
  prometheusName: 'ml_budget_limit_usd',
} as const satisfies MetricDefinition;

/** `ml.budget.spent.usd`: spent so far in the budget's current window. */
export const ML_BUDGET_SPENT_USD = {
  name: 'ml.budget.spent.usd',
  kind: 'ObservableGauge',
  unit: '{USD}',
  description: 'Spent in the current budget window, in US dollars.',
  attributes: BUDGET_ATTRS,
  family: 'cost',
  owner: '@mltel/cost',
  prometheusName: 'ml_budget_spent_usd',
} as const satisfies MetricDefinition;

/** `ml.budget.remaining.usd`: left in the budget's current window. */
export const ML_BUDGET_REMAINING_USD = {
  name: 'ml.budget.remaining.usd',
  kind: 'ObservableGauge',
  unit: '{USD}',
  description: 'Remaining in the current budget window, in US dollars.',
  attributes: BUDGET_ATTRS,
  family: 'cost',
  owner: '@mltel/cost',
  prometheusName: 'ml_budget_remaining_usd',
} as const satisfies MetricDefinition;

/** `ml.budget.exceeded`: times a budget was exceeded. */
export const ML_BUDGET_EXCEEDED = {
  name: 'ml.budget.exceeded',
  kind: 'Counter',
  unit: '{event}',
  description: 'Times a budget was exceeded.',
  attributes: BUDGET_ATTRS,
  family: 'cost',
  owner: '@mltel/cost',
  prometheusName: 'ml_budget_exceeded_total',
} as const satisfies MetricDefinition;

/** `ml.budget.refused`: calls refused before they were sent because a budget with a hard stop was spent. */
export const ML_BUDGET_REFUSED = {
  name: 'ml.budget.refused',
  kind: 'Counter',
  unit: '{call}',
  description: 'Provider calls refused by a hard-stop budget before they were sent.',
  attributes: BUDGET_ATTRS,
  family: 'cost',
  owner: '@mltel/cost',
  prometheusName: 'ml_budget_refused_total',
} as const satisfies MetricDefinition;

/** The cost and budget family. */
export const COST_METRICS = [
  ML_COST_USD,
  ML_COST_REQUEST_USD,
  ML_COST_UNPRICED,
  ML_BUDGET_LIMIT_USD,
  ML_BUDGET_SPENT_USD,
  ML_BUDGET_REMAINING_USD,
  ML_BUDGET_EXCEEDED,
  ML_BUDGET_REFUSED,
] as const;
