import { describeText, redactUrl, WarnOnce } from '@mltel/kit';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import type { InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** Batches kept waiting while an export is in flight (delta data; a cumulative batch replaces them). */
export const MAX_QUEUED_EXPORTS = 10;

function cumulativeOnly(metrics: ResourceMetrics): boolean {
  return metrics.scopeMetrics.every((scope) =>
    scope.metrics.every((metric) => metric.aggregationTemporality === AggregationTemporality.CUMULATIVE),
  );
}

/**
 * Wraps a push exporter so that a collector that refuses or hangs neither stalls nor floods the
 * application:
 * - the reader is answered at once and the export runs behind it, one at a time: the reader's own
 *   export timer is a ref'd timer that would hold the process, and it logs every timed-out
 *   interval. A batch arriving meanwhile waits; a cumulative one replaces those waiting (it
 *   carries their totals), delta ones queue up to {@link MAX_QUEUED_EXPORTS};
 * - a failure is logged once with the fix (the endpoint redacted), then counted and logged again
 *   at most once a minute with the count (kit's `WarnOnce`); so is a recovery.
 * `forceFlush` and `shutdown` wait for the exports in flight and waiting (the SDK bounds them).
 */
export class QuietFailureExporter implements PushMetricExporter {
  private readonly warnings = new WarnOnce();
  private readonly target: string;
  private failing = false;
  private inFlight: Promise<void> | undefined;
  private waiting: ResourceMetrics[] = [];

  constructor(
    private readonly inner: PushMetricExporter,
    target: string,
    private readonly setting: string,
  ) {
    this.target = describeText(redactUrl(target), 200);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    // Success for the reader: failures are this wrapper's to report, once (see the class comment).
    resultCallback({ code: ExportResultCode.SUCCESS });
    if (this.inFlight === undefined) {
      this.send(metrics);
      return;
    }
    if (cumulativeOnly(metrics)) {
      this.waiting = [metrics];
      return;
    }
    this.waiting.push(metrics);
    if (this.waiting.length > MAX_QUEUED_EXPORTS) {
      this.waiting.shift();
      this.warnings.warn(
        'export-dropped',
        `metrics export to ${this.target} is slower than the export interval; the oldest waiting delta batch is dropped`,
      );
    }
  }

  private send(metrics: ResourceMetrics): void {
    this.inFlight = this.exportOnce(metrics).then(() => {
      const next = this.waiting.shift();
      if (next === undefined) this.inFlight = undefined;
      else this.send(next);
    });
  }

  private exportOnce(metrics: ResourceMetrics): Promise<void> {
    return new Promise<void>((resolve) => {
      let reported = false;
      const done = (result: ExportResult): void => {
        if (reported) return;
        reported = true;
        this.onResult(result);
        resolve();
      };
      try {
        this.inner.export(metrics, done);
      } catch (error) {
        done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  private onResult(result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.failing) this.warnings.warn('recovered', `metrics export to ${this.target} works again`);
      this.failing = false;
      return;
    }
    this.failing = true;
    const reason = redactUrl(String(result.error?.message ?? 'unknown error')).slice(0, 300);
    this.warnings.warn(
      'failed',
      `metrics export to ${this.target} failed (${reason}). The application keeps running; export is retried ` +
        `every interval, and further failures are counted and logged at most once a minute. ` +
        `Fix: start a collector there or set ${this.setting} to one that runs.`,
    );
  }

  async forceFlush(): Promise<void> {
    await this.settled();
    await this.inner.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.settled();
    await this.inner.shutdown();
  }

  // The export in flight and those waiting behind it.
  private async settled(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality!(instrumentType);
  }
}
