/** The OpenTelemetry instrument kinds used by the catalog. */
export type InstrumentKind =
  | 'Counter'
  | 'UpDownCounter'
  | 'Histogram'
  | 'Gauge'
  | 'ObservableCounter'
  | 'ObservableUpDownCounter'
  | 'ObservableGauge';

/** One instrument of the mltel metric catalog (`spec/METRICS.md`). */
export interface MetricDefinition {
  /** OTel instrument name: dotted, no unit (`ml.task.duration`). */
  readonly name: string;
  /** Instrument kind, which decides the Prometheus type and suffixes. */
  readonly kind: InstrumentKind;
  /** UCUM unit (`s`, `By`, `1`) or an annotation in braces (`{task}`). */
  readonly unit: string;
  /** One-line description, used as the Prometheus HELP text. */
  readonly description: string;
  /** Attribute keys a data point may carry; nothing else is recorded. */
  readonly attributes: readonly string[];
  /** Explicit bucket boundaries advice, for histograms. */
  readonly buckets?: readonly number[];
  /** The family this instrument belongs to, for docs. */
  readonly family: MetricFamily;
  /**
   * The one package that creates this instrument (`@mltel/tasks`). Another package that records
   * it goes through the owner's API; test/unit/metric-owners.suite.test.ts enforces this.
   */
  readonly owner: MetricOwner;
  /**
   * Other packages that create the same instrument for other clients, with the owner's name,
   * unit and attributes (the pg instrumentation's database metrics, recorded for mysql2 by
   * @mltel/node). test/unit/metric-owners.suite.test.ts accepts them as creators.
   */
  readonly alsoCreatedBy?: readonly MetricOwner[];
  /** The Prometheus name by the OTel-to-Prometheus compatibility rules (without `_bucket` etc.). */
  readonly prometheusName: string;
  /** True when the instrument is only recorded if the user opts in. */
  readonly optIn?: boolean;
}

/** The packages that own catalog instruments. */
export type MetricOwner =
  | '@mltel/kit'
  | '@mltel/tasks'
  | '@mltel/genai'
  | '@mltel/cost'
  | '@mltel/pipeline'
  | '@mltel/quality'
  | '@mltel/host-metrics-gpu'
  | '@mltel/instrumentation-messaging'
  // An upstream package: @mltel/node starts it and decides its groups, it creates the instruments.
  | '@opentelemetry/instrumentation-host-metrics'
  // Upstream contrib instrumentations @mltel/node starts (packages/node/src/contrib.ts): they
  // create the instruments; packages/node/src/contrib.test.ts checks the catalog against them.
  | '@opentelemetry/instrumentation-http'
  | '@opentelemetry/instrumentation-runtime-node'
  | '@opentelemetry/instrumentation-pg'
  // mltel's own instrumentation where the contrib one records no metric (mysql2).
  | '@mltel/node';

/** The catalog's sections. */
export type MetricFamily =
  | 'gen_ai'
  | 'tasks'
  | 'pipeline'
  | 'cost'
  | 'quality'
  | 'gpu'
  | 'host'
  | 'messaging'
  | 'dependency'
  | 'http'
  | 'runtime'
  | 'db';
