// Reads `ModelMonitorOptions` into the settings a monitor runs with. Every option is checked; a bad
// one falls back to its default with one warning, never a throw, because options often come from
// configuration files the application does not validate.
import type { MeterProvider } from '@opentelemetry/api';
import { ML_DRIFT_METHOD_VALUES } from '@mltel/semconv';
import type { WarnOnce } from '@mltel/kit';
import { parseProfile } from '../profile/parse.js';
import type { ReferenceProfile } from '../profile/types.js';
import { DEFAULT_SKETCH_K } from '../stats/quantile-sketch.js';
import type { DriftAlert, DriftMethod, MethodThresholds, ModelMonitorOptions, ThresholdLevels } from '../types.js';
import { arrayCopy, field } from '@mltel/kit';
import { mergeThresholds } from './thresholds.js';

/** Records per window when `window` is absent or bad. */
export const DEFAULT_WINDOW_COUNT = 1000;
/** Valid values a feature needs in a window to be scored, when `minSamples` is absent or bad. */
export const DEFAULT_MIN_SAMPLES = 100;
/** Longest model name and predicted or actual class kept (longer ones are truncated). */
export const MAX_CLASS_LENGTH = 128;
const MAX_SKETCH_K = 1 << 16;
/** Longest window on a timer: Node's timers keep at most 2^31-1 ms (~24.8 days). */
const MAX_WINDOW_SECONDS = 2_147_483;
const MAX_CLASS_LIST = 10_000;
// Bounds of the label-matching memory: the accuracy ring is a byte per entry, pending labels a Map.
const MAX_ACCURACY_WINDOW = 10_000_000;
const MAX_PENDING = 10_000_000;
const MAX_TTL_SECONDS = 1e7;
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
  // Every option is read behind a guard (a Proxy or a throwing getter leaves that option at its
  // default), so a monitor is always created.
  const name = field(options, 'modelName');
  const modelName = typeof name === 'string' && name !== '' ? name.slice(0, MAX_CLASS_LENGTH) : 'unknown';
  if (modelName === 'unknown')
    warnings.warn('model-name', 'createModelMonitor needs a non-empty modelName; using "unknown"');

  let profile: ReferenceProfile | undefined;
  const given = field(options, 'profile');
  if (given !== undefined) {
    let parsed: ReturnType<typeof parseProfile>;
    try {
      parsed = parseProfile(given);
    } catch {
      parsed = { ok: false, reason: 'it threw while read (a getter or Proxy)' };
    }
    if (parsed.ok) profile = parsed.profile;
    else {
      warnings.warn(
        'profile',
        `the drift profile of model "${modelName}" is not usable: ${parsed.reason}. Predictions and accuracy are recorded, drift is not scored`,
      );
    }
  }

  const classList =
    arrayCopy(field(options, 'classes'), MAX_CLASS_LIST) ??
    (profile?.prediction ? profile.prediction.categories : undefined);
  const provider = field(options, 'meterProvider');
  const now = field(options, 'now');
  const onAlert = field(options, 'onAlert');
  const thresholds = field(options, 'thresholds');
  const defaults = safeLevels(field(thresholds, 'default'));
  const perFeature = field(thresholds, 'perFeature');
  return {
    modelName,
    meterProvider: typeof provider === 'object' && provider !== null ? (provider as MeterProvider) : undefined,
    profile,
    minSamples: Math.max(1, Math.floor(positive(field(options, 'minSamples')) ?? DEFAULT_MIN_SAMPLES)),
    ...readWindow(field(options, 'window'), warnings),
    sketchK:
      field(options, 'sketch') === false
        ? 0
        : Math.min(
            MAX_SKETCH_K,
            Math.max(MIN_SKETCH_K, Math.floor(positive(field(options, 'sketchK')) ?? DEFAULT_SKETCH_K)),
          ),
    classes: classList?.filter((c): c is string => typeof c === 'string'),
    accuracyWindow: Math.floor(Math.min(positive(field(options, 'accuracyWindow')) ?? 1000, MAX_ACCURACY_WINDOW)),
    maxPendingLabels: Math.floor(Math.min(positive(field(options, 'maxPendingLabels')) ?? 10_000, MAX_PENDING)),
    labelTtlMs: Math.min(positive(field(options, 'labelTtlSeconds')) ?? 3600, MAX_TTL_SECONDS) * 1000,
    now: typeof now === 'function' ? (now as () => number) : Date.now,
    onAlert: typeof onAlert === 'function' ? (onAlert as MonitorSettings['onAlert']) : undefined,
    thresholdsFor: (feature) => mergeThresholds(defaults, safeLevels(field(perFeature, feature))),
  };
}

/** Threshold levels as plain data, read behind guards (a throwing getter leaves the defaults). */
function safeLevels(levels: unknown): MethodThresholds | undefined {
  if (typeof levels !== 'object' || levels === null) return undefined;
  const out: Record<string, ThresholdLevels> = {};
  for (const method of ML_DRIFT_METHOD_VALUES) {
    const entry = field(levels, method);
    if (typeof entry !== 'object' || entry === null) continue;
    out[method] = { warning: field(entry, 'warning') as number, critical: field(entry, 'critical') as number };
  }
  return out as MethodThresholds;
}

function readWindow(window: unknown, warnings: WarnOnce): { windowCount: number; windowSeconds: number | undefined } {
  const value: unknown = window ?? { count: DEFAULT_WINDOW_COUNT };
  // Past 2^31-1 ms a Node timer fires at once: such a window is refused like any bad one.
  const seconds = positive(field(value, 'seconds'));
  if (seconds !== undefined && seconds <= MAX_WINDOW_SECONDS) return { windowCount: 0, windowSeconds: seconds };
  const count = positive(field(value, 'count'));
  if (count === undefined)
    warnings.warn(
      'window',
      `window must be { count: n } or { seconds: s } with n, s > 0; using { count: ${DEFAULT_WINDOW_COUNT} }`,
    );
  return { windowCount: Math.floor(count ?? DEFAULT_WINDOW_COUNT), windowSeconds: undefined };
}
