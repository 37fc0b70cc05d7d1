import { createProviderMeter, defaultProviderMeter, defaultRateLimitMeter, RateLimitMeter } from '@mltel/genai';
import type { ProviderMeter } from '@mltel/genai';
import { cachePackageVersions } from '@mltel/kit';
import type { MeterProvider } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { markClientPatched } from './framework-scope.js';
import type { LlmInstrumentationConfig } from './types.js';

type Holder = Record<string, unknown>;

/** One method an instrumentation wraps: the object that holds it, its name, and its wrapper. */
export interface PatchTarget {
  readonly holder: Holder | undefined;
  readonly method: string;
  readonly wrap: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown;
}

/**
 * The part every LLM client instrumentation shares: the provider meter it records through and
 * the patching of a module's methods. The meter is, in this order: the `meter` of the
 * configuration; one on the MeterProvider given to `setMeterProvider()` (as
 * `registerInstrumentations({ meterProvider })` does); else `@mltel/genai`'s shared default meter.
 */
export abstract class LlmInstrumentation extends InstrumentationBase<LlmInstrumentationConfig> {
  private ownMeter: ProviderMeter | undefined;
  private ownRateLimits: RateLimitMeter | undefined;

  constructor(name: string, version: string, config: LlmInstrumentationConfig) {
    super(name, version, config);
    // The require hook asks for the client's version once per file of it (@mltel/kit).
    cachePackageVersions(this);
  }

  /** Records through a provider meter on `meterProvider` from now on (unless the config names a meter). */
  override setMeterProvider(meterProvider: MeterProvider): void {
    super.setMeterProvider(meterProvider);
    this.ownMeter = createProviderMeter({ meterProvider });
    this.ownRateLimits = new RateLimitMeter({ meterProvider });
  }

  /**
   * Where response rate-limit headers are recorded, looked up at each response: the config's
   * `rateLimits` (`false`: nowhere), else one on the `setMeterProvider()` provider, else the
   * shared default.
   */
  protected readonly rateLimitMeter = (): RateLimitMeter | undefined => {
    const configured = this.getConfig().rateLimits;
    if (configured === false) return undefined;
    return configured ?? this.ownRateLimits ?? defaultRateLimitMeter();
  };

  /** The provider meter calls are recorded through, looked up at each call. */
  protected readonly providerMeter = (): ProviderMeter =>
    this.getConfig().meter ?? this.ownMeter ?? defaultProviderMeter();

  /**
   * The definition of `module` (in `versions`) that wraps the methods `targets(exports)` names
   * when it loads and unwraps them when disabled. Holders or methods that are missing are skipped.
   */
  protected hookModule(
    module: string,
    versions: string[],
    targets: (exports: unknown) => PatchTarget[],
  ): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      module,
      versions,
      (exports: unknown) => {
        for (const { holder, method, wrap } of targets(exports)) {
          if (holder === undefined || typeof holder[method] !== 'function') continue;
          this._wrap(holder, method, (original: unknown) => wrap(original as (...args: unknown[]) => unknown));
        }
        markClientPatched(module, true);
        return exports;
      },
      (exports: unknown) => {
        for (const { holder, method } of targets(exports)) {
          if (holder !== undefined && typeof holder[method] === 'function') this._unwrap(holder, method);
        }
        markClientPatched(module, false);
      },
    );
  }
}
