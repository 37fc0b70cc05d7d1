import { describe, expect, it } from 'vitest';
import { captureDiag, setup } from '../test/harness.js';
import { now, Timeline } from './timeline.js';

const STAGE = 'ml.pipeline.stage.duration';
const TOTAL = 'ml.pipeline.duration';

describe('Timeline', () => {
  it('now() is the monotonic clock on the Unix epoch', () => {
    const before = Date.now();
    const t = now();
    expect(t).toBeGreaterThanOrEqual(before - 1);
    expect(t).toBeLessThanOrEqual(Date.now() + 1);
    expect(t).toBeCloseTo(performance.timeOrigin + performance.now(), -1);
  });

  it('begin() opens a stage with end -1, finish() closes the latest open one of that name', () => {
    const t = new Timeline(1000);
    t.begin('inference').begin('inference');
    expect(t.stages[2]).toBe(-1);
    expect(t.stages[5]).toBe(-1);
    t.finish('inference');
    expect(t.stages[2]).toBe(-1); // the earlier one stays open
    expect(t.stages[5]).toBeGreaterThanOrEqual(t.stages[4] as number);
    t.finish('never-begun');
    expect(t.length).toBe(2);
  });

  it('mark() starts at the request start, then at the previous mark or finish', () => {
    const t = new Timeline(1000);
    t.mark('tokenize');
    expect(t.stages.slice(0, 2)).toEqual(['tokenize', 1000]);
    const first = t.stages[2] as number;
    t.begin('inference').finish('inference');
    const finished = t.stages[5] as number;
    t.mark('serialize');
    expect(t.stages[7]).toBe(finished);
    expect(first).toBeGreaterThan(1000);
  });

  it('add() records a stage of the given seconds ending now', () => {
    const t = new Timeline().add('ipc_receive', 0.25);
    const [stage, start, end] = t.stages as [string, number, number];
    expect(stage).toBe('ipc_receive');
    expect(end - start).toBeCloseTo(250, 6);
  });

  it('a timeline rebuilt from stages continues from its last closed stage', () => {
    const t = new Timeline(1000, ['tokenize', 1000, 1500]);
    t.mark('model_queue');
    expect(t.stages[4]).toBe(1500);
  });

  it('elapsed() and toJSON() (worker id only when given)', () => {
    const t = new Timeline(1000, ['tokenize', 1000, 1010]);
    expect(t.elapsed(3500)).toBe(2.5);
    expect(t.toJSON()).toEqual({ v: 1, o: 1000, s: ['tokenize', 1000, 1010] });
    expect(new Timeline(5, [], 2).toJSON()).toEqual({ v: 1, o: 5, s: [], w: 2 });
  });

  it('from() reads its JSON, a string, a clone of a Timeline; anything else gives an empty one', () => {
    const json = { v: 1 as const, o: 42, s: ['inference', 42, 50], w: 3 };
    const a = Timeline.from(json);
    expect([a.origin, a.stages, a.workerId]).toEqual([42, ['inference', 42, 50], 3]);
    expect(a.stages).not.toBe(json.s); // copied
    expect(Timeline.from(JSON.stringify(json)).toJSON()).toEqual(json);
    expect(Timeline.from(structuredClone(new Timeline(7, ['x', 7, 8], 1))).toJSON()).toEqual({
      v: 1,
      o: 7,
      s: ['x', 7, 8],
      w: 1,
    });
    for (const bad of ['{not json', '12', { o: Number.NaN, s: [] }, { o: 1, s: ['x', 1] }, { o: 1 }]) {
      const t = Timeline.from(bad as never);
      expect(t.length).toBe(0);
      expect(t.workerId).toBeUndefined();
    }
  });

  it('mark() chains stages from the request start, so the stages add up to the total', async () => {
    const { meter, collect } = setup();
    const t = meter.timeline();
    for (const stage of ['tokenize', 'tokenizer_queue', 'model_queue', 'inference']) {
      const until = performance.now() + 2;
      while (performance.now() < until);
      t.mark(stage);
    }
    const end = now();
    t.end({ at: end });
    const c = await collect();
    const stageSum = c.histograms(STAGE).reduce((a, p) => a + p.sum, 0);
    expect(stageSum).toBeGreaterThan(0.007);
    expect(stageSum).toBeLessThanOrEqual(c.histograms(TOTAL)[0]!.sum + 1e-9);
  });

  it('survives JSON, structuredClone and a string, and records once where it ends', async () => {
    const { meter, collect } = setup();
    const origin = now() - 100;
    const t = meter.timeline({ origin }).add('tokenize', 0.01);
    const viaJson = meter.resume(JSON.parse(JSON.stringify(t)));
    viaJson.add('ipc_receive', 0.002);
    const viaClone = meter.resume(structuredClone(viaJson.toJSON()));
    viaClone.add('inference', 0.05);
    const viaString = meter.resume(JSON.stringify(viaClone));
    expect(viaString.origin).toBe(origin);
    expect(viaString.length).toBe(3);
    // A clone of the object itself (postMessage(timeline)) carries the same data.
    expect(Timeline.from(structuredClone(viaString)).toJSON()).toEqual(viaString.toJSON());
    viaString.end({ at: origin + 100 });
    const c = await collect();
    expect(c.histograms(TOTAL)[0]!.count).toBe(1);
    expect(c.histograms(STAGE).map((p) => p.attributes['ml.pipeline.stage'])).toEqual([
      'inference',
      'ipc_receive',
      'tokenize',
    ]);
  });

  // The only test of this file that ends an unbound timeline: the warning is once per process.
  it('an unbound timeline is not recorded and warns once', async () => {
    const diag = captureDiag();
    const { collect } = setup();
    new Timeline().end();
    new Timeline().end();
    expect((await collect()).histograms(TOTAL)).toEqual([]);
    expect(diag.warnings.filter((w) => w.includes('without a pipeline meter'))).toHaveLength(1);
  });
});
