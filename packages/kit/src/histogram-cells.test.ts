import { context, ROOT_CONTEXT, ValueType, createContextKey } from '@opentelemetry/api';
import type { Attributes, Context, ContextManager, Histogram } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { Histogram as HistogramValue } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { batchRecorder } from './histogram-handover.js';
import type { BatchRecord } from './histogram-handover.js';
import { CELL_VALUES, CellHistogram, MAX_HISTOGRAM_CELLS, OFFER_EXEMPLAR } from './histogram-cells.js';
import type { ExemplarOffer } from './histogram-cells.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A real SDK histogram, the same wrapped in cells, and what the SDK got through each path. */
function cells(valueType = ValueType.DOUBLE) {
  const reader = new Reader();
  const target = new MeterProvider({ readers: [reader] }).getMeter('m').createHistogram('h', { valueType });
  const direct: [number, Attributes | undefined, Context | undefined][] = [];
  const batches: number[][] = [];
  const record = target.record.bind(target);
  target.record = (value, attributes, ctx) => {
    direct.push([value, attributes, ctx]);
    record(value, attributes, ctx);
  };
  const sdkBatch = batchRecorder(target)!;
  const batch: BatchRecord = (attributes, values, count) => {
    batches.push(Array.from(values.subarray(0, count)));
    sdkBatch(attributes, values, count);
  };
  const histogram = new CellHistogram(target, batch);
  const collect = async () => {
    const { resourceMetrics } = await reader.collect();
    return (resourceMetrics.scopeMetrics[0]?.metrics[0]?.dataPoints ?? []).map((p) => ({
      attributes: p.attributes,
      value: p.value as HistogramValue,
    }));
  };
  return { histogram, direct, batches, collect };
}

const A = Object.freeze({ model: 'a' });

describe('CellHistogram', () => {
  it('buffers the values of a frozen set: no SDK call until the hand-over, then every value', async () => {
    const { histogram, direct, batches, collect } = cells();
    for (let i = 1; i <= 20; i++) histogram.record(i, A);
    expect(direct).toEqual([]);
    expect(batches).toEqual([]);
    expect(await collect()).toEqual([]);
    histogram.handOver();
    expect(batches).toEqual([Array.from({ length: 20 }, (_, i) => i + 1)]);
    const [point] = await collect();
    expect(point!.attributes).toEqual(A);
    expect(point!.value).toMatchObject({ count: 20, sum: 210, min: 1, max: 20 });
    histogram.handOver();
    expect(batches).toHaveLength(1);
  });

  it(`hands a full cell over at ${CELL_VALUES} values, so a set never holds more`, () => {
    const { histogram, batches } = cells();
    for (let i = 0; i < CELL_VALUES * 2 + 1; i++) histogram.record(i, A);
    expect(batches.map((b) => b.length)).toEqual([CELL_VALUES, CELL_VALUES]);
    histogram.handOver();
    expect(batches.map((b) => b.length)).toEqual([CELL_VALUES, CELL_VALUES, 1]);
    expect(batches.flat()).toEqual(Array.from({ length: CELL_VALUES * 2 + 1 }, (_, i) => i));
  });

  it('sends what the SDK judges or may change to record() at once, unchanged', async () => {
    const { histogram, direct, batches } = cells();
    const open = { model: 'open' };
    histogram.record(1, open);
    histogram.record(-1, A);
    histogram.record(Number.NaN, A);
    histogram.record('3' as unknown as number, A);
    histogram.record(2);
    histogram.record(4, A, ROOT_CONTEXT);
    expect(direct).toEqual([
      [1, open, undefined],
      [-1, A, undefined],
      [Number.NaN, A, undefined],
      ['3', A, undefined],
      [2, undefined, undefined],
      [4, A, ROOT_CONTEXT],
    ]);
    histogram.handOver();
    expect(batches).toEqual([]);
  });

  it('sends a fraction recorded on an integer histogram to record(), which truncates it', async () => {
    const { histogram, direct, collect } = cells(ValueType.INT);
    histogram.record(2.5, A);
    histogram.record(3, A);
    histogram.handOver();
    expect(direct.map(([value]) => value)).toEqual([2.5]);
    expect((await collect())[0]!.value).toMatchObject({ count: 2, sum: 5 });
  });

  it(`buffers at most ${MAX_HISTOGRAM_CELLS} sets; further ones go to record() at once`, () => {
    const { histogram, direct } = cells();
    for (let i = 0; i <= MAX_HISTOGRAM_CELLS; i++) histogram.record(1, Object.freeze({ i }));
    expect(direct).toHaveLength(1);
  });

  it('drops a cell idle since the last collection, and buffers its set again on the next record', async () => {
    const { histogram, batches, collect } = cells();
    histogram.record(1, A);
    histogram.handOver(true);
    histogram.handOver(true);
    histogram.record(2, A);
    histogram.handOver(true);
    expect(batches).toEqual([[1], [2]]);
    expect((await collect())[0]!.value).toMatchObject({ count: 2, sum: 3 });
  });

  it('offers each buffered value as an exemplar at record time, in the active context', () => {
    // A synchronous context manager: the context of the record, not of the hand-over.
    let active = ROOT_CONTEXT;
    const manager: ContextManager = {
      active: () => active,
      with: (ctx, fn, thisArg, ...args) => {
        const previous = active;
        active = ctx;
        try {
          return fn.call(thisArg, ...args);
        } finally {
          active = previous;
        }
      },
      bind: (_ctx, target) => target,
      enable() {
        return this;
      },
      disable() {
        return this;
      },
    };
    context.setGlobalContextManager(manager);
    const key = createContextKey('test');
    const offered: [number, Attributes, unknown][] = [];
    const offer: ExemplarOffer = (value, attributes, ctx) => offered.push([value, attributes, ctx.getValue(key)]);
    const target = Object.assign(new MeterProvider().getMeter('m').createHistogram('h'), { [OFFER_EXEMPLAR]: offer });
    const histogram = new CellHistogram(target, batchRecorder(target)!);
    try {
      context.with(ROOT_CONTEXT.setValue(key, 'span-1'), () => histogram.record(0.5, A));
      histogram.record(0.75, A);
      histogram.handOver();
    } finally {
      context.disable();
    }
    expect(offered).toEqual([
      [0.5, A, 'span-1'],
      [0.75, A, undefined],
    ]);
  });

  it('never throws: a throwing exemplar offer or SDK batch loses only what it held', () => {
    const target: Histogram & { [OFFER_EXEMPLAR]?: ExemplarOffer } = {
      record() {},
      [OFFER_EXEMPLAR]: () => {
        throw new Error('offer');
      },
    };
    const histogram = new CellHistogram(target, () => {
      throw new Error('batch');
    });
    for (let i = 0; i < CELL_VALUES + 1; i++) expect(() => histogram.record(i, A)).not.toThrow();
    expect(() => histogram.handOver()).not.toThrow();
  });
});
