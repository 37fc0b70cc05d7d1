// Reads `ModelMonitorOptions` into the settings a monitor runs with. Every option is checked; a bad
// one falls back to its default with one warning, never a throw, because options often come from
// configuration files the application does not validate.
import type { MeterProvider } from '@opentelemetry/api';
import type { WarnOnce } from '@mltel/kit';
import { parseProfile } from '../profile/parse.js';
import type { ReferenceProfile } from '../profile/types.js';
import { DEFAULT_SKETCH_K } from '../stats/quantile-sketch.js';
import type { DriftAlert, DriftMethod, ModelMonitorOptions, ThresholdLevels } from '../types.js';
import { mergeThresholds } from './thresholds.js';

/** Records per window when `window` is absent or bad. */
export const DEFAULT_WINDOW_COUNT = 1000;
/** Valid values a feature needs in a window to be scored, when `minSamples` is absent or bad. */
export const DEFAULT_MIN_SAMPLES = 100;
/** Longest model name and predicted or actual class kept (longer ones are truncated). */
export const MAX_CLASS_LENGTH = 128;
const MAX_SKETCH_K = 1 << 16;
const MIN_SKETCH_K = 8;

/** The checked settings of one monitor. */
export interface MonitorSettings {
  /** `ml.model.name`: the option, truncated, or "unknown". */
  modelName: string;
  /** The explicit provider; undefined follows the global one. */
  meterProvider: MeterProvider | undefined;
  /** The usable profile, or undefined when none was given or it was refused (warned). */
  profile: ReferenceProfile | undefined;
  minSamples: number;
  /** Records per window; 0 when windows close on a timer. */
  windowCount: number;
  /** Seconds per window when they close on a timer, else undefined. */
  windowSeconds: number | undefined;
  /** Values per level of the window sketches; 0 with `sketch: false` (no KS, no Wasserstein). */
  sketchK: number;
  /** The allow-list of `ml.prediction.class`: the option, else the profile's classes, else none (first seen). */
  classes: string[] | undefined;
  accuracyWindow: number;
  maxPendingLabels: number;
  labelTtlMs: number;
  now: () => number;
  onAlert: ((alerts: DriftAlert[]) => void) | undefined;
  /** Every method's levels for one feature (defaults, `thresholds.default`, then `perFeature`). */
  thresholdsFor(feature: string): Record<DriftMethod, ThresholdLevels>;
}

/** A finite number above 0, else undefined. */
export function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Checks `options`, warning once through `warnings` about each one replaced by its default. */
export function readOptions(options: ModelMonitorOptions, warnings: WarnOnce): MonitorSettings {
  const modelName =
    typeof options.modelName === 'string' && options.modelName !== ''
      ? options.modelName.slice(0, MAX_CLASS_LENGTH)
      : 'unknown';
  if (modelName === 'unknown')
    warnings.warn('model-name', 'createModelMonitor needs a non-empty modelName; using "unknown"');

  let profile: ReferenceProfile | undefined;
  if (options.profile !== undefined) {
    const parsed = parseProfile(options.profile);
    if (parsed.ok) profile = parsed.profile;
    else {
      warnings.warn(
        'profile',
        `the drift profile of model "${modelName}" is not usable: ${parsed.reason}. Predictions and accuracy are recorded, drift is not scored`,
      );
    }
  }

  const classList = options.classes ?? (profile?.prediction ? profile.prediction.categories : undefined);
  return {
    modelName,
    meterProvider: options.meterProvider,
    profile,
    minSamples: Math.max(1, Math.floor(positive(options.minSamples) ?? DEFAULT_MIN_SAMPLES)),
    ...readWindow(options.window, warnings),
    sketchK:
      options.sketch === false
        ? 0
        : Math.min(MAX_SKETCH_K, Math.max(MIN_SKETCH_K, Math.floor(positive(options.sketchK) ?? DEFAULT_SKETCH_K))),
    classes: classList ? [...classList] : undefined,
    accuracyWindow: Math.floor(positive(options.accuracyWindow) ?? 1000),
    maxPendingLabels: Math.floor(positive(options.maxPendingLabels) ?? 10_000),
    labelTtlMs: (positive(options.labelTtlSeconds) ?? 3600) * 1000,
    now: typeof options.now === 'function' ? options.now : Date.now,
    onAlert: typeof options.onAlert === 'function' ? options.onAlert : undefined,
    thresholdsFor: (feature) => mergeThresholds(options.thresholds?.default, options.thresholds?.perFeature?.[feature]),
  };
}

function readWindow(window: unknown, warnings: WarnOnce): { windowCount: number; windowSeconds: number | undefined } {
  const value: unknown = window ?? { count: DEFAULT_WINDOW_COUNT };
  const seconds =
    typeof value === 'object' && value !== null && 'seconds' in value ? positive(value.seconds) : undefined;
  if (seconds !== undefined) return { windowCount: 0, windowSeconds: seconds };
  const count = typeof value === 'object' && value !== null && 'count' in value ? positive(value.count) : undefined;
  if (count === undefined)
    warnings.warn(
      'window',
      `window must be { count: n } or { seconds: s } with n, s > 0; using { count: ${DEFAULT_WINDOW_COUNT} }`,
    );
  return { windowCount: Math.floor(count ?? DEFAULT_WINDOW_COUNT), windowSeconds: undefined };
}
