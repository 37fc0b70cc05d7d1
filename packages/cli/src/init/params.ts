// The parameters of a generated deployment: which series the rules select and where the alerts
// draw their lines. One rules file is generated per parameter set, so a team edits these, never
// the generated PromQL.

/** Thresholds and selectors of one generated set of rules. */
export interface DeploymentParams {
  /** Name of the parameter set; the rules file is `<name>.rules.yml`. */
  name: string;
  /** Label matchers every rule puts on the series it reads, e.g. `job="mltel"`. */
  selector: string;
  /** Share of failed task runs and provider calls over which HighErrorRatio alerts fire. */
  errorRatio: number;
  /** p95 targets in seconds. */
  taskP95Seconds: number;
  providerP95Seconds: number;
  pipelineP95Seconds: number;
  /** Spend per hour (USD) over which the hourly cost alert fires. */
  hourlyCostUsd: number;
  /** Share of a budget spent at which the "nearly exhausted" alert fires. */
  budgetNearlyRatio: number;
  /** Lowest acceptable windowed accuracy. */
  minAccuracy: number;
  /** GPU temperature (°C) and memory-use share over which the GPU alerts fire. */
  gpuTemperatureCelsius: number;
  gpuMemoryRatio: number;
  /** Queue depth over which a queue counts as backing up (when it also keeps growing). */
  queueSize: number;
  /** Share of a database pool's connection limit in use over which the pool counts as nearly exhausted. */
  dbPoolRatio: number;
  /** Share of a provider rate limit left (remaining / limit) under which the headroom counts as low. */
  rateLimitHeadroomRatio: number;
  /** Where the runbooks live; each alert links `<runbookBase>#<alert name in lower case>`. */
  runbookBase: string;
}

/** The checked-in default set (collector/prometheus/rules/mltel.rules.yml). */
export const DEFAULT_PARAMS: Readonly<DeploymentParams> = {
  name: 'mltel',
  selector: 'job="mltel"',
  errorRatio: 0.05,
  taskP95Seconds: 30,
  providerP95Seconds: 20,
  pipelineP95Seconds: 0.5,
  hourlyCostUsd: 10,
  budgetNearlyRatio: 0.8,
  minAccuracy: 0.8,
  gpuTemperatureCelsius: 85,
  gpuMemoryRatio: 0.95,
  queueSize: 100,
  dbPoolRatio: 0.9,
  rateLimitHeadroomRatio: 0.1,
  runbookBase: 'docs/deployment/runbooks.md',
};

const NUMBERS = [
  'errorRatio',
  'taskP95Seconds',
  'providerP95Seconds',
  'pipelineP95Seconds',
  'hourlyCostUsd',
  'budgetNearlyRatio',
  'minAccuracy',
  'gpuTemperatureCelsius',
  'gpuMemoryRatio',
  'queueSize',
  'dbPoolRatio',
  'rateLimitHeadroomRatio',
] as const satisfies readonly (keyof DeploymentParams)[];

/** The numeric parameters, by name (what `mltel init --set name=value` accepts). */
export const NUMERIC_PARAMS: readonly (keyof DeploymentParams)[] = NUMBERS;

/**
 * Checks a parameter set; returns the problems, each naming the setting (empty when valid).
 * Ratios must lie in (0, 1], the rest be positive, and the selector be a list of label matchers.
 */
export function paramProblems(params: DeploymentParams): string[] {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9-]*$/.test(params.name)) problems.push(`name "${params.name}": use a-z, 0-9 and -`);
  const matcher = /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*$/;
  if (params.selector.split(',').some((part) => !matcher.test(part))) {
    problems.push(`selector '${params.selector}': expected label matchers such as job="mltel",env=~"prod.*"`);
  }
  for (const key of NUMBERS) {
    const value = params[key];
    const ratio = key.endsWith('Ratio') || key === 'minAccuracy';
    if (!Number.isFinite(value) || value <= 0 || (ratio && value > 1)) {
      problems.push(`${key} ${value}: expected ${ratio ? 'a share in (0, 1]' : 'a positive number'}`);
    }
  }
  return problems;
}
