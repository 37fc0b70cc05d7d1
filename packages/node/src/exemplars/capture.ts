import { context as apiContext, trace, TraceFlags, ValueType } from '@opentelemetry/api';
import type { Attributes, Context, Histogram, Meter, MeterProvider, MeterOptions } from '@opentelemetry/api';
import { OFFER_EXEMPLAR } from '@mltel/kit';
import type { ExemplarOffer } from '@mltel/kit';
import type { ExemplarStore } from './store.js';

const CAPTURING = Symbol.for('mltel.exemplars.capturing');

type Capturing = { [CAPTURING]?: true };

/**
 * Makes every histogram created through `meterProvider` (the provider mltel's distribution owns:
 * the global one, and the one passed to instrumentations such as instrumentation-http) keep
 * exemplars in `store`: a value recorded while a sampled span is active is offered to the store
 * with that span's trace and span ids. The OpenTelemetry JS SDK records no exemplars itself.
 *
 * Only the instance is patched (its `getMeter`, and each meter's `createHistogram`), after the
 * SDK's own call, so the SDK's aggregation is untouched and a recording costs one more call and a
 * look-up of the active span when no span is active. mltel's own meters buffer histogram values
 * in kit's cells and hand them to the SDK's storage at collection: they offer each value through
 * the function this sets on the histogram (`OFFER_EXEMPLAR`), at record time.
 */
export function captureExemplars(meterProvider: MeterProvider, store: ExemplarStore): void {
  const provider = meterProvider as MeterProvider & Capturing;
  if (provider[CAPTURING]) return;
  provider[CAPTURING] = true;
  const getMeter = meterProvider.getMeter.bind(meterProvider);
  provider.getMeter = (name: string, version?: string, options?: MeterOptions): Meter =>
    capturingMeter(getMeter(name, version, options), store);
}

function capturingMeter(meter: Meter, store: ExemplarStore): Meter {
  const patched = meter as Meter & Capturing;
  // The SDK hands out one Meter per scope: patched once.
  if (patched[CAPTURING]) return meter;
  patched[CAPTURING] = true;
  const createHistogram = meter.createHistogram.bind(meter);
  patched.createHistogram = ((name: string, options?: Parameters<Meter['createHistogram']>[1]) =>
    capturingHistogram(
      createHistogram(name, options),
      name,
      store,
      options?.valueType === ValueType.INT,
    )) as Meter['createHistogram'];
  return meter;
}

function capturingHistogram(histogram: Histogram, name: string, store: ExemplarStore, integer: boolean): Histogram {
  const record = histogram.record.bind(histogram);
  const offer: ExemplarOffer = (value, attributes, context) => {
    const span = trace.getSpanContext(context);
    if (span === undefined || (span.traceFlags & TraceFlags.SAMPLED) === 0) return;
    // What the SDK drops (not a number, negative) has no exemplar either.
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return;
    // An integer histogram records the value without its fraction: so does its exemplar, which
    // then lies in the bucket that counted it.
    store.offer(name, integer ? Math.trunc(value) : value, attributes, span.traceId, span.spanId);
  };
  histogram.record = (value: number, attributes?: Attributes, context?: Context): void => {
    record(value, attributes, context);
    offer(value, attributes ?? {}, context ?? apiContext.active());
  };
  // mltel's own histograms buffer values in kit's cells and reach the SDK without `record`: the
  // cells offer each value here, in the context it was recorded in.
  (histogram as Histogram & { [OFFER_EXEMPLAR]?: ExemplarOffer })[OFFER_EXEMPLAR] = offer;
  return histogram;
}
