// The GPU plugin, instrumentation style: enable/disable, setMeterProvider, works with any
// MeterProvider, one batch observable callback per enable cycle. Never throws into the app:
// every failure is counted by reason and logged once per reason through diag.
import { diag, metrics } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { WarnOnce } from '@mltel/kit';
import { GpuInstruments, SCOPE_NAME, SCOPE_VERSION } from './metrics.js';
import { NvidiaSmiRunner } from './runner/nvidia-smi-runner.js';
import type { CollectionResult, GpuHostMetricsConfig } from './types.js';

/** Defaults of {@link GpuHostMetricsConfig}. */
export const GPU_DEFAULTS = { nvidiaSmiPath: 'nvidia-smi', timeoutMs: 10_000, killGraceMs: 1000 } as const;

/** GPU host metrics (`hw.*`, `hw.gpu.*`, opt-in `nvidia.gpu.*`) read from nvidia-smi. */
export class GpuHostMetrics {
  private meterProvider: MeterProvider | undefined;
  private runner: NvidiaSmiRunner | undefined;
  private instruments: GpuInstruments | undefined;
  private readonly warnings = new WarnOnce();

  constructor(private readonly config: GpuHostMetricsConfig = {}) {
    this.meterProvider = config.meterProvider;
    if (config.enabled ?? true) this.enable();
  }

  /** Switches to another provider (re-registering the callback when enabled). */
  setMeterProvider(meterProvider: MeterProvider): void {
    this.meterProvider = meterProvider;
    if (this.instruments !== undefined) {
      this.instruments.remove();
      this.instruments = this.createInstruments(this.runnerNow());
    }
  }

  /** Registers the batch callback; idempotent. Never throws. */
  enable(): void {
    if (this.instruments !== undefined) return;
    try {
      this.instruments = this.createInstruments(this.runnerNow());
    } catch (error) {
      diag.warn(`mltel: GPU metrics are off (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  /** Unregisters the callback and stops the loop child; idempotent. */
  disable(): void {
    this.instruments?.remove();
    this.instruments = undefined;
    this.runner?.close();
    this.runner = undefined;
  }

  /** True while the callback is registered. */
  isEnabled(): boolean {
    return this.instruments !== undefined;
  }

  /** Runs one collection now (shared with one in flight), e.g. for `mltel gpu`. */
  collect(): Promise<CollectionResult> {
    return this.runnerNow().collect();
  }

  /** Children started so far (for tests and benchmarks: one per steady-state collection). */
  spawns(): number {
    return this.runner?.spawns() ?? 0;
  }

  private runnerNow(): NvidiaSmiRunner {
    this.runner ??= new NvidiaSmiRunner({
      path: this.config.nvidiaSmiPath ?? GPU_DEFAULTS.nvidiaSmiPath,
      timeoutMs: this.config.timeoutMs ?? GPU_DEFAULTS.timeoutMs,
      killGraceMs: this.config.killGraceMs ?? GPU_DEFAULTS.killGraceMs,
      source: this.config.source ?? 'auto',
      processes: this.config.extras?.processMemory ?? false,
      loopIntervalSeconds: this.config.loopIntervalSeconds,
      env: this.config.env ?? process.env,
    });
    return this.runner;
  }

  private createInstruments(runner: NvidiaSmiRunner): GpuInstruments {
    const meter = (this.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE_NAME, SCOPE_VERSION);
    const collect = async (): Promise<CollectionResult> => {
      const result = await runner.collect();
      if (!result.ok)
        this.warnings.warn(
          `gpu:${result.reason}`,
          `GPU metrics: ${result.message} (reported once per reason; counted in ml.gpu.collection.failures)`,
        );
      return result;
    };
    return new GpuInstruments(
      meter,
      this.config.extras ?? {},
      collect,
      () => runner.failureCounts(),
      () => runner.lastExitCode(),
      this.warnings,
    );
  }
}
