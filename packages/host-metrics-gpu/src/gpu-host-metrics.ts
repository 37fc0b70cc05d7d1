// The GPU plugin, instrumentation style: enable/disable, setMeterProvider, works with any
// MeterProvider, one batch observable callback per enable cycle. Never throws into the app:
// every failure is counted by reason and logged once per reason through diag.
import { metrics } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { ProviderBinding, WarnOnce } from '@mltel/kit';
import { GPU_DEFAULTS } from './find.js';
import { GpuInstruments, SCOPE_NAME } from './metrics.js';
import { NvidiaSmiRunner } from './runner/nvidia-smi-runner.js';
import type { CollectionResult, GpuHostMetricsConfig } from './types.js';

/** GPU host metrics (`hw.*`, `hw.gpu.*`, opt-in `nvidia.gpu.*`) read from nvidia-smi. */
export class GpuHostMetrics {
  private meterProvider: MeterProvider | undefined;
  private runner: NvidiaSmiRunner | undefined;
  // One binding per enable cycle and provider: setMeterProvider rebinds, disable disposes.
  private binding: ProviderBinding<GpuInstruments> | undefined;
  private readonly warnings = new WarnOnce();

  constructor(private readonly config: GpuHostMetricsConfig = {}) {
    this.meterProvider = config.meterProvider;
    if (config.enabled ?? true) this.enable();
  }

  /** Switches to another provider (re-registering the callback when enabled). */
  setMeterProvider(meterProvider: MeterProvider): void {
    this.meterProvider = meterProvider;
    if (this.binding !== undefined) {
      this.binding.dispose();
      this.binding = this.bind(this.runnerNow());
    }
  }

  /**
   * Registers the batch callback; idempotent. Never throws: a MeterProvider that fails to create
   * the instruments gets no-op ones, with one warning (see ProviderBinding). Before the binding,
   * that case warned "GPU metrics are off" and left the plugin disabled; now it counts as enabled
   * and records nothing, with the binding's warning (one per enable or setMeterProvider).
   */
  enable(): void {
    if (this.binding !== undefined) return;
    this.binding = this.bind(this.runnerNow());
  }

  /** Unregisters the callback and stops the loop child; idempotent. */
  disable(): void {
    this.binding?.dispose();
    this.binding = undefined;
    this.runner?.close();
    this.runner = undefined;
  }

  /** True while the callback is registered. */
  isEnabled(): boolean {
    return this.binding !== undefined;
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

  /**
   * The instruments on the configured provider, else on the global provider of this moment. The
   * binding is given that provider as a fixed one on purpose: like an OTel instrumentation, the
   * plugin stays where it was enabled until setMeterProvider() moves it (it does not follow a
   * later global provider by itself).
   */
  private bind(runner: NvidiaSmiRunner): ProviderBinding<GpuInstruments> {
    const collect = async (): Promise<CollectionResult> => {
      const result = await runner.collect();
      if (!result.ok)
        this.warnings.warn(
          `gpu:${result.reason}`,
          `GPU metrics: ${result.message} (reported once per reason; counted in ml.gpu.collection.failures)`,
        );
      return result;
    };
    const binding = new ProviderBinding(
      SCOPE_NAME,
      (meter, callbacks) =>
        new GpuInstruments(
          meter,
          callbacks,
          this.config.extras ?? {},
          collect,
          () => runner.failureCounts(),
          () => runner.lastExitCode(),
          this.warnings,
        ),
      { meterProvider: this.meterProvider ?? metrics.getMeterProvider() },
    );
    binding.get();
    return binding;
  }
}
