// The model monitor: predictions, confidence, accuracy from late labels, and online drift of
// every profiled feature, the confidence and the predicted class against a reference profile.
// Recording never throws into the application: bad input is counted (see `stats()`) and warned
// about once per kind through `diag`. Options are read by options.ts, severities by thresholds.ts.
import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import {
  ATTR_ML_ALERT_SEVERITY,
  ATTR_ML_DRIFT_KIND,
  ATTR_ML_DRIFT_METHOD,
  ATTR_ML_FEATURE_NAME,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PREDICTION_CLASS,
  ML_DRIFT_METHOD_VALUES,
} from '@mltel/semconv';
import { BoundedValues, isNonNegativeFinite, WarnOnce } from '@mltel/kit';
import type { ProviderBinding } from '@mltel/kit';
import { createPipelineMeter } from '@mltel/pipeline';
import type { PipelineMeter } from '@mltel/pipeline';
import type { ReferenceProfile } from '../profile/types.js';
import { QuantileSketch } from '../stats/quantile-sketch.js';
import type {
  DriftAlert,
  DriftKind,
  DriftMethod,
  DriftSeverity,
  ModelMonitorOptions,
  MonitorStats,
  PredictionRecord,
  ThresholdLevels,
} from '../types.js';
import { CONFIDENCE_FEATURE, PREDICTION_FEATURE } from './feature-names.js';
import { bindQualityInstruments } from './instruments.js';
import type { QualityInstruments, ZeroSeries } from './instruments.js';
import { LabelMatcher, labelKey, MAX_ID_LENGTH } from './labels.js';
import { MAX_CLASS_LENGTH, readOptions } from './options.js';
import { describeThrown } from './safe.js';
import { arrayCopy, field } from '@mltel/kit';
import { crossingsOf, worstSeverity } from './thresholds.js';
import { CategoricalTracker, NumericTracker } from './trackers.js';
import type { Scores, Tracker } from './trackers.js';

const MAX_CLASSES = 100;
/** Predictions of one recordBatch() call that are read; more are past any plausible batch (ml.batch.size caps at 1e9). */
const MAX_BATCH = 1_000_000;
/** Drift alert severities, a closed set (`ml.alert.severity`). */
const SEVERITIES: readonly DriftSeverity[] = ['warning', 'critical'];
/** The first UNKNOWN_CHECK_FIRST records, then every UNKNOWN_CHECK_EVERY-th, are checked for feature names the profile lacks (a full check per record would double the cost of observe). */
const UNKNOWN_CHECK_FIRST = 64;
const UNKNOWN_CHECK_EVERY = 256;
/**
 * Records with more own keys than this (at the last check above) are read by name, not by the
 * for-in fast path of observeFeatures: V8 keeps an object of many properties as a dictionary,
 * and for-in over a dictionary collects and sorts all its keys on every call.
 */
const FOR_IN_MAX_KEYS = 128;

interface Monitored {
  tracker: Tracker;
  kind: DriftKind;
  feature: string;
  thresholds: Record<DriftMethod, ThresholdLevels>;
  published: { attributes: Attributes; value: number }[];
}

/**
 * The same string as V8 keeps it for a property key (internalized), so that observeFeatures'
 * `key !== m.feature` against a record's keys is a pointer compare: a name read by JSON.parse
 * (a loaded profile) is not internalized, and each compare then went through the characters
 * (measured in a loop of that fast path, 20 features: 22 -> 15.5 ns per value).
 */
function internalized(name: string): string {
  return Object.keys({ [name]: 0 })[0] ?? name;
}

/** Monitors one model; create with `createModelMonitor`. */
export class ModelMonitor {
  readonly modelName: string;
  private readonly warnings = new WarnOnce();
  private readonly instruments: ProviderBinding<QualityInstruments>;
  private readonly modelAttributes: Attributes;
  private readonly meterProvider: MeterProvider | undefined;
  private batches: PipelineMeter | undefined;
  private readonly classes: BoundedValues;
  private readonly classAttributes = new Map<string, Attributes>();
  private readonly features: Monitored[] = [];
  private readonly featureNames = new Set<string>();
  private readonly all: Monitored[] = [];
  private readonly confidence: Monitored | undefined;
  private readonly prediction: Monitored | undefined;
  private readonly labels: LabelMatcher;
  private readonly windowCount: number;
  private readonly minSamples: number;
  private readonly onAlert: ((alerts: DriftAlert[]) => void) | undefined;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private readonly counters = {
    records: 0,
    windowsClosed: 0,
    unknownFeatures: 0,
    invalidConfidence: 0,
    invalidRecords: 0,
  };
  private inWindow = 0;
  private recordsSeen = 0;
  /** Whether observeFeatures tries its for-in fast path (see FOR_IN_MAX_KEYS). */
  private forIn = true;
  private closed = false;
  /** The profile in use, or undefined when none was given or it was refused. */
  readonly profile: ReferenceProfile | undefined;

  constructor(options: ModelMonitorOptions) {
    const settings = readOptions(options, this.warnings);
    this.modelName = settings.modelName;
    this.meterProvider = settings.meterProvider;
    this.modelAttributes = { [ATTR_ML_MODEL_NAME]: this.modelName };
    this.minSamples = settings.minSamples;
    this.onAlert = settings.onAlert;
    this.labels = new LabelMatcher(
      settings.accuracyWindow,
      settings.maxPendingLabels,
      settings.labelTtlMs,
      settings.now,
    );
    const { profile, sketchK, thresholdsFor } = settings;
    this.profile = profile;
    // Without window sketches the reference sketches are not needed either.
    const referenceOf = (json: unknown) => (sketchK > 0 ? QuantileSketch.fromJSON(json, true)! : new QuantileSketch(2));
    if (profile) {
      for (const f of profile.features) {
        const tracker =
          f.type === 'numeric'
            ? new NumericTracker(f, referenceOf(f.sketch), sketchK, this.warnings)
            : new CategoricalTracker(f, this.warnings);
        this.features.push(this.monitored(tracker, 'distribution', internalized(f.name), thresholdsFor(f.name)));
        this.featureNames.add(f.name);
      }
      if (profile.confidence) {
        const tracker = new NumericTracker(
          profile.confidence,
          referenceOf(profile.confidence.sketch),
          sketchK,
          this.warnings,
          CONFIDENCE_FEATURE,
        );
        this.confidence = this.monitored(tracker, 'confidence', CONFIDENCE_FEATURE, thresholdsFor(CONFIDENCE_FEATURE));
      }
      if (profile.prediction) {
        const tracker = new CategoricalTracker(profile.prediction, this.warnings, PREDICTION_FEATURE);
        this.prediction = this.monitored(
          tracker,
          'distribution',
          PREDICTION_FEATURE,
          thresholdsFor(PREDICTION_FEATURE),
        );
      }
    }
    this.classes = new BoundedValues(
      ATTR_ML_PREDICTION_CLASS,
      MAX_CLASSES,
      MAX_CLASS_LENGTH,
      this.warnings,
      settings.classes,
    );

    this.instruments = bindQualityInstruments(
      settings.meterProvider,
      { accuracy: this.publishAccuracy, driftScore: this.publishScores },
      this.zeroSeries(settings.classes),
    );
    // The gauges must reach a global provider registered later, even by an SDK that does not
    // announce itself: announced changes are followed at once, others by an unref'd re-check.
    this.instruments.follow();

    this.windowCount = settings.windowCount;
    if (settings.windowSeconds !== undefined) {
      this.timer = setInterval(() => this.closeWindow(), settings.windowSeconds * 1000);
      this.timer.unref?.();
    }
  }

  /**
   * The closed label sets created at 0: `ml.drift.alerts` for each drift kind this monitor scores
   * (distribution: features or the predicted class; confidence) at each severity, as soon as it
   * has a profile; `ml.predictions` for each class of an exact allow-list (at most MAX_CLASSES).
   */
  private zeroSeries(classes: readonly string[] | undefined): ZeroSeries {
    const kinds = new Set(this.all.map((m) => m.kind));
    const alerts: Attributes[] = [];
    for (const kind of kinds) {
      for (const severity of SEVERITIES) {
        alerts.push({ ...this.modelAttributes, [ATTR_ML_DRIFT_KIND]: kind, [ATTR_ML_ALERT_SEVERITY]: severity });
      }
    }
    const exact = (classes ?? []).filter((c) => !c.endsWith('*') && c !== '').slice(0, MAX_CLASSES);
    const predictions = [...new Set(exact.map((c) => c.slice(0, MAX_CLASS_LENGTH)))].map((c) =>
      this.classAttributesOf(c),
    );
    return { alerts, predictions };
  }

  private readonly publishAccuracy = (result: ObservableResult): void => {
    const accuracy = this.labels.accuracy();
    if (accuracy !== undefined) result.observe(accuracy, this.modelAttributes);
  };

  private readonly publishScores = (result: ObservableResult): void => {
    for (const m of this.all) for (const p of m.published) result.observe(p.value, p.attributes);
  };

  private monitored(
    tracker: Tracker,
    kind: DriftKind,
    feature: string,
    thresholds: Record<DriftMethod, ThresholdLevels>,
  ): Monitored {
    const m: Monitored = { tracker, kind, feature, thresholds, published: [] };
    this.all.push(m);
    return m;
  }

  /** Observes one record of feature values (by name) for drift. Never throws. */
  observe(features: Record<string, unknown>): void {
    if (this.closed) return;
    try {
      if (!this.observeFeatures(features)) return;
      this.counters.records++;
      if (++this.inWindow >= this.windowCount && this.windowCount > 0) this.closeWindow();
    } catch (error) {
      this.warnings.warn('observe-error', `observe() failed and was skipped: ${describeThrown(error)}`);
    }
  }

  private observeFeatures(features: Record<string, unknown>): boolean {
    if (typeof features !== 'object' || features === null) {
      this.counters.invalidRecords++;
      this.warnings.warn(
        'record',
        `observe() needs an object of feature values, got ${features === null ? 'null' : typeof features}; the record is dropped`,
      );
      return false;
    }
    const list = this.features;
    const n = list.length;
    // Fast path: a record whose keys come in the profile's order (the usual case: records built
    // by the same code) is read by a for-in loop, where V8 loads `features[key]` by the position
    // in the enum cache of the record's hidden class. A lookup by a name that changes on every
    // call (the loop below) is a megamorphic keyed load (measured under cachegrind, 20 features:
    // 100 of about 925 instructions per observed value fewer, and 0.9 of 4.3 branch mispredicts).
    // The first key out of order (an absent, extra or reordered feature) ends the fast path, and
    // the features from there are read by name. Each feature is still read once, by the same
    // [[Get]]; a Proxy also sees its ownKeys trap called.
    let i = 0;
    if (n > 0 && this.forIn) {
      try {
        for (const key in features) {
          const m = list[i]!;
          if (key !== m.feature) break;
          let value: unknown;
          try {
            value = features[key];
          } catch {
            value = undefined; // as field(): a throwing getter is that feature's missing value
          }
          i++;
          m.tracker.observe(value);
          if (i === n) break;
        }
      } catch {
        // An enumeration that throws (a Proxy's trap): the features from i are read by name.
      }
    }
    for (; i < n; i++) {
      const m = list[i]!;
      // Behind a guard: a throwing getter is that feature's missing value, not a lost record.
      m.tracker.observe(field(features, m.feature));
    }
    const seen = this.recordsSeen++;
    if (seen < UNKNOWN_CHECK_FIRST || seen % UNKNOWN_CHECK_EVERY === 0) this.checkUnknownFeatures(features);
    return true;
  }

  private checkUnknownFeatures(features: Record<string, unknown>): void {
    if (this.profile === undefined) return;
    let keys: string[];
    try {
      keys = Object.keys(features);
    } catch {
      this.forIn = false;
      return; // A Proxy whose ownKeys trap throws: nothing to check.
    }
    this.forIn = keys.length <= FOR_IN_MAX_KEYS;
    for (const key of keys) {
      if (!this.featureNames.has(key)) {
        this.counters.unknownFeatures++;
        this.warnings.warn(
          'unknown-feature',
          `a record has feature "${key.slice(0, 64)}", which the profile does not have; such features are ignored`,
        );
      }
    }
  }

  /** Records one prediction: its class, confidence, features (for drift) and id (for a later label). Never throws. */
  recordPrediction(prediction: PredictionRecord): void {
    if (this.closed) return;
    try {
      if (typeof prediction !== 'object' || prediction === null) {
        this.counters.invalidRecords++;
        this.warnings.warn('prediction', 'recordPrediction() needs an object; the prediction is dropped');
        return;
      }
      // Each field read once, behind a guard: a throwing getter loses that field only.
      const predicted = field(prediction, 'predictedClass');
      const raw = typeof predicted === 'number' || typeof predicted === 'boolean' ? String(predicted) : predicted;
      const cls = this.classes.admit(raw);
      const instruments = this.instruments.get();
      if (cls !== undefined) instruments.predictions.add(1, this.classAttributesOf(cls));
      this.prediction?.tracker.observe(raw);

      const c = field(prediction, 'confidence');
      if (c !== undefined) {
        if (isNonNegativeFinite(c) && c <= 1) {
          instruments.confidence.record(c, this.modelAttributes);
          this.confidence?.tracker.observe(c);
        } else {
          this.counters.invalidConfidence++;
          this.warnings.warn(
            'confidence',
            `confidence must be a number in 0..1, got ${typeof c === 'number' ? String(c) : typeof c}; the confidence is dropped`,
          );
        }
      }
      const features = field(prediction, 'features');
      if (features !== undefined) this.observeFeatures(features as Record<string, unknown>);
      const givenId = field(prediction, 'id');
      const id = labelKey(givenId);
      if (givenId !== undefined && id === undefined) this.warnIdType();
      if (id !== undefined && typeof raw === 'string') this.labels.expect(id, raw.slice(0, MAX_CLASS_LENGTH));
      this.counters.records++;
      if (++this.inWindow >= this.windowCount && this.windowCount > 0) this.closeWindow();
    } catch (error) {
      this.warnings.warn('prediction-error', `recordPrediction() failed and was skipped: ${describeThrown(error)}`);
    }
  }

  /** Records a batch of predictions and `ml.batch.size`. Never throws. */
  recordBatch(predictions: readonly PredictionRecord[]): void {
    if (this.closed) return;
    // A copy, read behind a guard: a Proxy of an array passes Array.isArray and may throw when read.
    const items = arrayCopy(predictions, MAX_BATCH);
    if (items === undefined) {
      this.warnings.warn('batch', 'recordBatch() needs an array; the batch is dropped');
      return;
    }
    try {
      // ml.batch.size is owned by the pipeline meter: one instrument, one set of attributes.
      this.batches ??= createPipelineMeter({
        pipelineName: this.modelName,
        meterProvider: this.meterProvider,
        models: [this.modelName],
      });
      this.batches.recordBatch({ model: this.modelName, size: items.length });
    } catch (error) {
      this.warnings.warn('batch-error', `recording ml.batch.size failed: ${describeThrown(error)}`);
    }
    for (const p of items) this.recordPrediction(p as PredictionRecord);
  }

  /** Records the true class of the prediction with this id (late and in any order). Never throws. */
  recordLabel(id: string | number, actualClass: string | number | boolean): void {
    try {
      const key = labelKey(id);
      if (key === undefined) {
        this.warnIdType();
        return;
      }
      if (typeof actualClass !== 'string' && typeof actualClass !== 'number' && typeof actualClass !== 'boolean') {
        this.warnings.warn('label-class', 'a label needs a string, number or boolean class; the label is ignored');
        return;
      }
      const actual = typeof actualClass === 'string' ? actualClass.slice(0, MAX_CLASS_LENGTH) : String(actualClass);
      if (!this.labels.label(key, actual)) {
        this.warnings.warn(
          'label-unmatched',
          'a label matched no pending prediction (unknown id, expired, evicted or labelled twice); such labels are counted in stats().labelsUnmatched',
        );
      }
    } catch (error) {
      this.warnings.warn('label-error', `recordLabel() failed and was skipped: ${describeThrown(error)}`);
    }
  }

  private warnIdType(): void {
    this.warnings.warn(
      'id',
      `prediction ids must be non-empty strings of at most ${MAX_ID_LENGTH} characters or finite numbers; the id is ignored`,
    );
  }

  /**
   * Ends the current window: scores every feature with at least `minSamples` valid values,
   * publishes the scores, raises alerts. Features short of `minSamples` keep accumulating.
   * Does nothing after `close()`.
   */
  closeWindow(): void {
    if (this.closed) return;
    try {
      this.inWindow = 0;
      this.counters.windowsClosed++;
      const alerts: DriftAlert[] = [];
      for (const m of this.all) {
        const samples = m.tracker.size;
        if (samples < this.minSamples) continue;
        const scores = m.tracker.score();
        m.tracker.reset();
        m.published = this.toPoints(m, scores);
        const alert = this.check(m, scores, samples);
        if (alert) alerts.push(alert);
      }
      if (alerts.length === 0) return;
      const instruments = this.instruments.get();
      for (const a of alerts) {
        instruments.alerts.add(1, {
          ...this.modelAttributes,
          [ATTR_ML_DRIFT_KIND]: a.kind,
          [ATTR_ML_ALERT_SEVERITY]: a.severity,
        });
      }
      if (this.onAlert) {
        try {
          this.onAlert(alerts);
        } catch (error) {
          this.warnings.warn(
            'on-alert',
            `the onAlert handler threw (${describeThrown(error)}); the alerts are still counted`,
          );
        }
      }
    } catch (error) {
      this.warnings.warn('window-error', `closing a drift window failed: ${describeThrown(error)}`);
    }
  }

  private toPoints(m: Monitored, scores: Scores): { attributes: Attributes; value: number }[] {
    const points: { attributes: Attributes; value: number }[] = [];
    for (const method of ML_DRIFT_METHOD_VALUES) {
      const value = scores[method];
      if (value === undefined || !Number.isFinite(value)) continue;
      points.push({
        value,
        attributes: {
          ...this.modelAttributes,
          [ATTR_ML_FEATURE_NAME]: m.feature,
          [ATTR_ML_DRIFT_METHOD]: method,
          [ATTR_ML_DRIFT_KIND]: m.kind,
        },
      });
    }
    return points;
  }

  private check(m: Monitored, scores: Scores, samples: number): DriftAlert | undefined {
    const crossings = crossingsOf(scores, m.thresholds);
    const severity = worstSeverity(crossings);
    if (severity === undefined) return undefined;
    return { modelName: this.modelName, feature: m.feature, kind: m.kind, severity, crossings, samples };
  }

  private classAttributesOf(cls: string): Attributes {
    let attributes = this.classAttributes.get(cls);
    if (attributes === undefined) {
      attributes = { ...this.modelAttributes, [ATTR_ML_PREDICTION_CLASS]: cls };
      this.classAttributes.set(cls, attributes);
    }
    return attributes;
  }

  /** The last published scores, by feature then method (for tests and the CLI). */
  scores(): Record<string, Partial<Record<DriftMethod, number>>> {
    const out: Record<string, Partial<Record<DriftMethod, number>>> = {};
    for (const m of this.all) {
      if (m.published.length === 0) continue;
      const byMethod: Partial<Record<DriftMethod, number>> = {};
      for (const p of m.published) byMethod[p.attributes[ATTR_ML_DRIFT_METHOD] as DriftMethod] = p.value;
      out[m.feature] = byMethod;
    }
    return out;
  }

  /** Counts of dropped, unmatched and invalid input. */
  stats(): MonitorStats {
    const features: MonitorStats['features'] = {};
    for (const m of this.all) features[m.feature] = { ...m.tracker.stats };
    return {
      ...this.counters,
      features,
      labelsMatched: this.labels.matched,
      labelsUnmatched: this.labels.unmatched,
      pendingExpired: this.labels.expired,
      pendingEvicted: this.labels.evicted,
      pendingLabels: this.labels.pendingCount,
    };
  }

  /**
   * Stops the window timer, stops following the global provider and removes the gauges from the
   * provider; later records and windows are ignored. `scores()` and `stats()` keep their values.
   */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.instruments.dispose();
  }
}

/** Creates a monitor for one model (see `ModelMonitorOptions`). Never throws. */
export function createModelMonitor(options: ModelMonitorOptions): ModelMonitor {
  return new ModelMonitor(
    typeof options === 'object' && options !== null ? options : ({ modelName: 'unknown' } as ModelMonitorOptions),
  );
}
