// StartOptions.instrumentations: the application's own instrumentations, on mltel's provider.
import { diag } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/**
 * Registers `instrumentations` with `meterProvider` (as `registerInstrumentations` does: their
 * meters come from it, whatever the global provider is) and enables them. Returns the function
 * that disables them. Never throws: a failing instrumentation is logged with the fix.
 */
export function registerExtraInstrumentations(
  instrumentations: readonly Instrumentation[],
  meterProvider: MeterProvider,
): () => void {
  if (instrumentations.length === 0) return () => {};
  try {
    return registerInstrumentations({ instrumentations: [...instrumentations], meterProvider });
  } catch (error) {
    diag.warn(
      `mltel: the instrumentations given to start() could not be registered (${error instanceof Error ? error.message : String(error)}); ` +
        'they are off. Fix: check the instrumentations option.',
    );
    return () => {};
  }
}
