import { ProviderMeter } from './provider-meter.js';
import type { ProviderMeterOptions } from './types.js';

// One default meter per process (shared through globalThis, so two copies of this package
// agree): the auto-instrumentations and the user's own calls then feed the same health state.
const DEFAULT = Symbol.for('@mltel/genai/default-provider-meter');
type Holder = { [DEFAULT]?: ProviderMeter };

/** Creates a provider meter with its own options (provider, model allow-list, derived health). */
export function createProviderMeter(options?: ProviderMeterOptions): ProviderMeter {
  return new ProviderMeter(options);
}

/** The shared provider meter on the global MeterProvider, used by the LLM auto-instrumentations. */
export function defaultProviderMeter(): ProviderMeter {
  const holder = globalThis as Holder;
  holder[DEFAULT] ??= new ProviderMeter();
  return holder[DEFAULT];
}

/**
 * Replaces the shared provider meter with one built from `options` (the `register` entry calls
 * this from MLTEL_GENAI_* settings before it enables the auto-instrumentations).
 */
export function configureDefaultProviderMeter(options: ProviderMeterOptions): ProviderMeter {
  const meter = new ProviderMeter(options);
  (globalThis as Holder)[DEFAULT] = meter;
  return meter;
}
