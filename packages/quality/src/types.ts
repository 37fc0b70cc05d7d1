import type { MeterProvider } from '@opentelemetry/api';
import type { ML_DRIFT_KIND_VALUES, ML_DRIFT_METHOD_VALUES } from '@mltel/semconv';

/** A drift method, the value of `ml.drift.method` (the catalog's list). */
export type DriftMethod = (typeof ML_DRIFT_METHOD_VALUES)[number];
/** A drift kind, the value of `ml.drift.kind` (the catalog's list). */
export type DriftKind = (typeof ML_DRIFT_KIND_VALUES)[number];
/** An alert severity, the value of `ml.alert.severity`. */
export type DriftSeverity = 'warning' | 'critical';

/** Warning and critical levels of one method; a score at or above a level crosses it. */
export interface ThresholdLevels {
  warning?: number;
  critical?: number;
}

/** Thresholds per method. */
export type MethodThresholds = Partial<Record<DriftMethod, ThresholdLevels>>;

/** Default thresholds, merged per method with `thresholds.default`; per-feature ones override both. */
export interface DriftThresholds {
  default?: MethodThresholds;
  /** By feature name; `_confidence` and `_prediction` for the confidence and predicted class. */
  perFeature?: Record<string, MethodThresholds>;
}

/** One method's score that crossed a threshold. */
export interface ThresholdCrossing {
  method: DriftMethod;
  score: number;
  severity: DriftSeverity;
  threshold: number;
}

/** A feature whose drift crossed a threshold in a window. */
export interface DriftAlert {
  modelName: string;
  feature: string;
  kind: DriftKind;
  /** The worst severity among `crossings`. */
  severity: DriftSeverity;
  crossings: ThresholdCrossing[];
  /** Valid values of the feature in the scored window. */
  samples: number;
}

/** A tumbling window: closes after `count` records, or every `seconds`. */
export type WindowOptions = { count: number } | { seconds: number };

/** Options of `createModelMonitor`. */
export interface ModelMonitorOptions {
  /** `ml.model.name` of every point. */
  modelName: string;
  /**
   * The reference profile: a parsed object or its JSON text (see `parseProfile`). Absent, newer
   * or corrupted: one warning, predictions and accuracy are still recorded, no drift scores.
   */
  profile?: unknown;
  /** Defaults to the global provider. */
  meterProvider?: MeterProvider;
  /** Default `{ count: 1000 }`. */
  window?: WindowOptions;
  /** A feature is scored only when its window holds at least this many valid values (default 100). */
  minSamples?: number;
  thresholds?: DriftThresholds;
  /** Called once per window that has alerts, with all of them; a throw is caught and warned about once. */
  onAlert?: (alerts: DriftAlert[]) => void;
  /** Allowed `ml.prediction.class` values; default: the profile's classes, else the first 100 seen. */
  classes?: readonly string[];
  /** Labelled results over which `ml.model.accuracy` is computed (default 1000). */
  accuracyWindow?: number;
  /** Predictions waiting for a label, at most (default 10000; the oldest is dropped beyond). */
  maxPendingLabels?: number;
  /** Seconds a prediction waits for its label (default 3600). */
  labelTtlSeconds?: number;
  /** Values per sketch level of the window's sketches (default 1024; see QuantileSketch for the error bound). */
  sketchK?: number;
  /**
   * false: no window sketch, so no KS and Wasserstein; PSI, JS and Hellinger only, at about half
   * the cost per value and a few hundred bytes per feature (default true).
   */
  sketch?: boolean;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

/** One prediction. */
export interface PredictionRecord {
  predictedClass: string | number | boolean;
  /** In 0..1. */
  confidence?: number;
  /** Feature values by name, observed for drift. */
  features?: Record<string, unknown>;
  /** Your id to match a later label; never an attribute. */
  id?: string | number;
}

/** Counts of what the monitor dropped or could not match. */
export interface MonitorStats {
  records: number;
  windowsClosed: number;
  /** By feature name. */
  features: Record<string, { missing: number; invalid: number; unknownCategory: number }>;
  unknownFeatures: number;
  invalidConfidence: number;
  invalidRecords: number;
  labelsMatched: number;
  labelsUnmatched: number;
  pendingExpired: number;
  pendingEvicted: number;
  pendingLabels: number;
}
