// How a batch of buffered histogram values of one attribute set reaches the OpenTelemetry JS
// SDK's storage: the attribute set is looked up once per batch, and each value goes to the
// series' accumulation (the SDK's own aggregator: explicit or exponential buckets, every view and
// reader as configured). The SDK's `record()` sorts and JSON-stringifies the attributes on every
// call to find the series (`hashAttributes`: 43% of a priced LLM record() in a CPU profile, with
// the look-up 12% more), and the metrics API has no bound instruments.
//
// This reaches past the SDK's public API into the storages of @opentelemetry/sdk-metrics 2.x-3.x
// (`_writableMetricStorage`, `_backingStorages`, `_deltaMetricStorage`). It is recognised by its
// shape, never assumed: an instrument of another shape (another SDK, a future version, a no-op)
// gets no hand-over at all, and its histogram records go to `record()` as they are, so a change
// there costs speed, never data. A view's attributes processor is applied once per batch when it
// is one of the SDK's own (pass-through, allow list, deny list, a list of these), which read no
// context; any other (one may read the baggage of the context of each record) keeps the
// instrument on `record()`.
import type { Attributes, Histogram } from '@opentelemetry/api';
import { ROOT_CONTEXT, ValueType } from '@opentelemetry/api';

/** Records `count` values of one attribute set into the SDK, in order. */
export type BatchRecord = (attributes: Attributes, values: Float64Array, count: number) => void;

interface Accumulation {
  record(value: number): void;
}

interface AttributeMap {
  get(attributes: Attributes): Accumulation | undefined;
}

interface DeltaProcessor {
  _activeCollectionStorage: AttributeMap;
  record(value: number, attributes: Attributes, collectionTime: number): void;
}

interface AttributesProcessor {
  process(attributes: Attributes, context: typeof ROOT_CONTEXT): Attributes;
  _processors?: unknown;
}

interface SyncStorage {
  _deltaMetricStorage?: DeltaProcessor;
  _attributesProcessor?: AttributesProcessor;
}

/** One storage of the instrument: its delta processor and, when not a pass-through, its view's processor. */
interface Target {
  delta: DeltaProcessor;
  process: AttributesProcessor | undefined;
}

// The SDK's processors that read no context (@opentelemetry/sdk-metrics view/AttributesProcessor).
const CONTEXT_FREE = new Set(['NoopAttributesProcessor', 'AllowListProcessor', 'DenyListProcessor']);

/** Whether `processor` is one of the SDK's own that ignore the context, or a list of those. */
function contextFree(processor: AttributesProcessor, depth = 0): boolean {
  const name = (processor as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name === 'string' && CONTEXT_FREE.has(name)) return true;
  if (name !== 'MultiAttributesProcessor' || depth > 4 || !Array.isArray(processor._processors)) return false;
  return processor._processors.every(
    (inner) => inner !== null && typeof inner === 'object' && contextFree(inner as AttributesProcessor, depth + 1),
  );
}

interface SdkHistogram {
  _writableMetricStorage?: SyncStorage & { _backingStorages?: SyncStorage[] };
  _descriptor?: { valueType?: ValueType };
}

/**
 * The batch recorder of an SDK histogram, or undefined when `histogram` is not one whose storage
 * this recognises (then it is recorded value by value, as it is).
 */
export function batchRecorder(histogram: Histogram): BatchRecord | undefined {
  try {
    const sdk = histogram as Histogram & SdkHistogram;
    const writable = sdk._writableMetricStorage;
    if (writable === null || typeof writable !== 'object') return undefined;
    const storages = Array.isArray(writable._backingStorages) ? writable._backingStorages : [writable];
    const targets: Target[] = [];
    for (const storage of storages) {
      if (storage === null || typeof storage !== 'object') return undefined;
      const processor = storage._attributesProcessor;
      if (
        processor !== undefined &&
        (processor === null || typeof processor.process !== 'function' || !contextFree(processor))
      ) {
        return undefined;
      }
      const delta = storage._deltaMetricStorage;
      if (
        delta === null ||
        typeof delta !== 'object' ||
        typeof delta.record !== 'function' ||
        typeof delta._activeCollectionStorage?.get !== 'function'
      ) {
        return undefined;
      }
      const passThrough = processor === undefined || processor.constructor.name === 'NoopAttributesProcessor';
      targets.push({ delta, process: passThrough ? undefined : processor });
    }
    if (targets.length === 0) return undefined;
    // An integer histogram drops the fraction (the SDK warns once per record): the cells pass
    // such values to record() instead, so here every value is already what the SDK would keep.
    return (attributes, values, count) => handOver(targets, attributes, values, count);
  } catch {
    return undefined;
  }
}

/** Whether `histogram` is an integer histogram (the SDK drops the fraction of a value). */
export function isIntegerHistogram(histogram: Histogram): boolean {
  try {
    return (histogram as Histogram & SdkHistogram)._descriptor?.valueType === ValueType.INT;
  } catch {
    return false;
  }
}

function handOver(targets: Target[], given: Attributes, values: Float64Array, count: number): void {
  if (count === 0) return;
  const now = Date.now();
  for (const { delta, process } of targets) {
    const attributes = process === undefined ? given : process.process(given, ROOT_CONTEXT);
    let start = 0;
    let accumulation = delta._activeCollectionStorage.get(attributes);
    if (accumulation === undefined) {
      // A new series in this collection interval (or past the cardinality limit: then the SDK
      // puts it in its overflow series, and each value takes the SDK's own path).
      delta.record(values[0]!, attributes, now);
      start = 1;
      accumulation = delta._activeCollectionStorage.get(attributes);
    }
    if (accumulation === undefined) {
      for (let i = start; i < count; i++) delta.record(values[i]!, attributes, now);
    } else {
      for (let i = start; i < count; i++) accumulation.record(values[i]!);
    }
  }
}
