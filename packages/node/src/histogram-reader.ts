import { AggregationType, InstrumentType, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { AggregationOption, PeriodicExportingMetricReaderOptions } from '@opentelemetry/sdk-metrics';
import type { HistogramAggregation } from './config/types.js';

/**
 * A periodic reader whose histograms are aggregated as `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`
 * says. `explicit_bucket_histogram` keeps the default aggregation, so each instrument's advised
 * buckets (the catalog's) still apply; `base2_exponential_bucket_histogram` makes every histogram
 * exponential. A view that sets an aggregation (MLTEL_HISTOGRAM_BUCKETS, StartOptions.views) wins
 * over either, as the SDK specification wants.
 */
export class HistogramAggregationReader extends PeriodicExportingMetricReader {
  private readonly histograms: HistogramAggregation;

  constructor(options: PeriodicExportingMetricReaderOptions & { histogramAggregation: HistogramAggregation }) {
    super(options);
    this.histograms = options.histogramAggregation;
  }

  override selectAggregation(instrumentType: InstrumentType): AggregationOption {
    if (instrumentType === InstrumentType.HISTOGRAM && this.histograms === 'base2_exponential_bucket_histogram')
      return { type: AggregationType.EXPONENTIAL_HISTOGRAM };
    return super.selectAggregation(instrumentType);
  }
}
