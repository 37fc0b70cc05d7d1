// The application's own parts of mltel's provider: StartOptions.instrumentations, .readers and .views.
import { diag } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { MeterProvider as SdkMeterProvider } from '@opentelemetry/sdk-metrics';
import type { IMetricReader, MeterProviderOptions, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { HistogramBuckets } from './config/types.js';
import { combineViews } from './config/views.js';

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

/** What {@link createMeterProvider} builds the provider from. */
export interface ProviderParts {
  resource: MeterProviderOptions['resource'];
  /** mltel's readers (OTEL_METRICS_EXPORTER). */
  readers: IMetricReader[];
  /** mltel's built-in views. */
  builtInViews: readonly ViewOptions[];
  /** The validated histogram buckets (MLTEL_HISTOGRAM_BUCKETS, StartOptions.histogramBuckets). */
  buckets: HistogramBuckets;
  /** StartOptions.readers. */
  extraReaders: readonly IMetricReader[];
  /** StartOptions.views. */
  extraViews: readonly ViewOptions[];
}

/**
 * The MeterProvider, with the application's readers and views. The SDK throws for some of them
 * (a named view selecting several instruments, a reader bound to another provider); start() never
 * throws, so then the provider is built without them and one line says why. The SDK adds views
 * before it binds readers, and the application's readers come first: a refusal binds none of
 * mltel's readers to the provider given up.
 */
export function createMeterProvider(parts: ProviderParts): SdkMeterProvider {
  const { resource, readers, builtInViews, buckets, extraReaders, extraViews } = parts;
  const without = (): SdkMeterProvider =>
    new SdkMeterProvider({ resource, readers, views: combineViews(builtInViews, buckets, []) });
  if (extraReaders.length === 0 && extraViews.length === 0) return without();
  try {
    return new SdkMeterProvider({
      resource,
      readers: [...extraReaders, ...readers],
      views: combineViews(builtInViews, buckets, extraViews),
    });
  } catch (error) {
    diag.warn(
      `mltel: the views or readers given to start() were refused (${error instanceof Error ? error.message : String(error)}); ` +
        'mltel runs without them. Fix: correct the views and readers options (a view that renames must select one instrument; a reader serves one provider).',
    );
    return without();
  }
}
