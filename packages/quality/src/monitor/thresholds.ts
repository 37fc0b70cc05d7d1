// Drift thresholds and severity: the defaults, their merge with the user's levels, and which
// scores cross them. The monitor's alerts and the `mltel drift compare` marks both come from here,
// so a score has one severity wherever it is shown.
import { ML_DRIFT_METHOD_VALUES } from '@mltel/semconv';
import type { DriftMethod, DriftSeverity, MethodThresholds, ThresholdCrossing, ThresholdLevels } from '../types.js';

/** Default thresholds: PSI 0.1/0.25 (the usual rule of thumb); JS, Hellinger, KS 0.1/0.2; none for Wasserstein (its scale is the feature's). */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, ThresholdLevels>> = {
  psi: { warning: 0.1, critical: 0.25 },
  js: { warning: 0.1, critical: 0.2 },
  hellinger: { warning: 0.1, critical: 0.2 },
  ks: { warning: 0.1, critical: 0.2 },
  wasserstein: {},
};

/** Every method's levels: the defaults, overridden by `defaults`, then by `perFeature`; non-finite levels are ignored. */
export function mergeThresholds(
  defaults: MethodThresholds | undefined,
  perFeature: MethodThresholds | undefined,
): Record<DriftMethod, ThresholdLevels> {
  const out = {} as Record<DriftMethod, ThresholdLevels>;
  for (const method of ML_DRIFT_METHOD_VALUES) {
    out[method] = {
      ...DEFAULT_THRESHOLDS[method],
      ...validLevels(defaults?.[method]),
      ...validLevels(perFeature?.[method]),
    };
  }
  return out;
}

function validLevels(levels: ThresholdLevels | undefined): ThresholdLevels {
  const out: ThresholdLevels = {};
  if (typeof levels !== 'object' || levels === null) return out;
  if (typeof levels.warning === 'number' && Number.isFinite(levels.warning)) out.warning = levels.warning;
  if (typeof levels.critical === 'number' && Number.isFinite(levels.critical)) out.critical = levels.critical;
  return out;
}

/** The level a score reaches (at or above it), critical first; undefined for none or a non-finite score. */
export function severityOf(score: number | undefined, levels: ThresholdLevels): DriftSeverity | undefined {
  if (score === undefined || !Number.isFinite(score)) return undefined;
  if (levels.critical !== undefined && score >= levels.critical) return 'critical';
  if (levels.warning !== undefined && score >= levels.warning) return 'warning';
  return undefined;
}

/** The scores that cross their method's levels, in the catalog's method order. */
export function crossingsOf(
  scores: Partial<Record<DriftMethod, number>>,
  thresholds: Readonly<Record<DriftMethod, ThresholdLevels>>,
): ThresholdCrossing[] {
  const crossings: ThresholdCrossing[] = [];
  for (const method of ML_DRIFT_METHOD_VALUES) {
    const score = scores[method];
    const severity = severityOf(score, thresholds[method]);
    if (severity === undefined || score === undefined) continue;
    crossings.push({ method, score, severity, threshold: thresholds[method][severity]! });
  }
  return crossings;
}

/** The worst severity among `crossings`, or undefined when there are none. */
export function worstSeverity(crossings: readonly { severity: DriftSeverity }[]): DriftSeverity | undefined {
  if (crossings.length === 0) return undefined;
  return crossings.some((c) => c.severity === 'critical') ? 'critical' : 'warning';
}
