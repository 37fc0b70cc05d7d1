import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type {
  AggregationTemporality,
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/**
 * Wraps a push exporter so an unreachable endpoint costs one clear message, not one error per
 * interval: the first failure is logged with the fix, later ones are silent until an export
 * succeeds again (which is logged too). With cumulative temporality nothing is lost meanwhile:
 * the next successful export carries the totals.
 */
export class QuietFailureExporter implements PushMetricExporter {
  private failing = false;

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly target: string,
    private readonly setting: string,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let reported = false;
    const done = (result: ExportResult): void => {
      if (reported) return;
      reported = true;
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.failing) diag.warn(`mltel: metrics export to ${this.target} works again`);
        this.failing = false;
      } else if (!this.failing) {
        this.failing = true;
        const reason = result.error?.message ?? 'unknown error';
        diag.warn(
          `mltel: metrics export to ${this.target} failed (${reason}). The application keeps running; ` +
            `export is retried every interval and further failures are not logged until it works. ` +
            `Fix: start a collector there or set ${this.setting} to one that runs.`,
        );
      }
      // Report success so the SDK does not log the same failure again on every interval.
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    try {
      this.inner.export(metrics, done);
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality!(instrumentType);
  }
}
