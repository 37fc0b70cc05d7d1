// Property suite: every public recording API of the pipeline meter and its timelines, fed hostile
// values (throwing Proxies and getters, unprintable errors, absurd numbers, huge strings, symbols,
// bigints, cycles). Nothing throws into the caller, and collection stays clean.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHostile, either, hostile, hostileRecord } from '../../tasks/test/hostile.js';
import { setup } from '../test/harness.js';
import { createPipelineMeter } from './pipeline-meter.js';
import type { PipelineMeter } from './pipeline-meter.js';
import { Timeline } from './timeline.js';
import type { TimelineJSON } from './timeline.js';
import type { BatchRecord, EndOptions, InferenceRecord, PipelineMeterOptions } from './types.js';

const RUNS = 10000;
const stage = either(fc.constantFrom('tokenize', 'model', 'custom-stage'));
const seconds = either(fc.double({ min: 0, max: 10, noNaN: true }));
const model = either(fc.constantFrom('bert', 'gpt'));

// Each property runs thousands of inputs: a generous bound, far above the few seconds they take.
const PROPERTY_TIMEOUT_MS = 60_000;

describe('pipeline meter: hostile input (fast-check)', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('timelines: timeline(), begin/finish/mark/add, elapsed, toJSON, end(), resume(), record(): nothing throws', async () => {
    const { meter, collect } = setup({ workerPool: { type: 'gpu', size: 4 } });
    const endOptions = hostileRecord({
      error: fc.constantFrom<unknown>(new TypeError('x'), 'x'),
      workerId: fc.nat(4),
      at: fc.double({ noNaN: true }),
    });
    const json = either(
      fc.constantFrom<unknown>({ v: 1, o: 1, s: ['tokenize', 1, 2] }, '{"v":1,"o":1,"s":["tokenize",1,2]}', {
        v: 1,
        o: 1,
        s: [{}, 'x', 2],
      }),
      ['v', 'o', 's', 'w', 'origin', 'stages'],
    );
    await checkHostile(
      fc.property(
        hostileRecord({ workerId: fc.nat(4), origin: fc.double({ noNaN: true }) }),
        fc.array(fc.tuple(fc.constantFrom('begin', 'finish', 'mark', 'add', 'elapsed'), stage, seconds), {
          maxLength: 4,
        }),
        endOptions,
        json,
        fc.constantFrom('end', 'record', 'resume', 'from'),
        (o, steps, e, j, how) => {
          const timeline = meter.timeline(o() as { workerId?: number; origin?: number });
          for (const [step, s, sec] of steps) {
            if (step === 'begin') timeline.begin(s() as string);
            else if (step === 'finish') timeline.finish(s() as string);
            else if (step === 'mark') timeline.mark(s() as string);
            else if (step === 'add') timeline.add(s() as string, sec() as number);
            else timeline.elapsed(sec() as number);
          }
          JSON.stringify(timeline.toJSON());
          if (how === 'end') timeline.end(e() as EndOptions);
          else if (how === 'record') meter.record(j() as Timeline, e() as EndOptions);
          else if (how === 'resume') meter.resume(j() as TimelineJSON).end(e() as EndOptions);
          else Timeline.from(j() as TimelineJSON).end();
        },
      ),
      RUNS,
    );
    await collect();
  });

  it('recordStage(), recordInference(), recordBatch(), observeQueue(): nothing throws', async () => {
    const { meter, collect } = setup({ workerPool: { type: 'gpu', size: 4 } });
    const inference = hostileRecord({
      seconds: fc.double({ min: 0, max: 10, noNaN: true }),
      model: fc.constantFrom('bert'),
      modelVersion: fc.constantFrom('v1', 'v2'),
      error: fc.constantFrom<unknown>(new RangeError('x')),
      workerId: fc.nat(4),
    });
    const batch = hostileRecord({
      size: fc.nat(64),
      sequenceLengths: fc.array(fc.nat(512), { maxLength: 4 }),
      realTokens: fc.nat(1000),
      paddingTokens: fc.nat(1000),
      paddedLength: fc.nat(512),
      model: fc.constantFrom('bert'),
      workerId: fc.nat(4),
    });
    const stops: (() => void)[] = [];
    await checkHostile(
      fc.property(
        stage,
        seconds,
        hostileRecord({ workerId: fc.nat(4) }),
        inference,
        batch,
        model,
        hostile(['length', 'size']),
        (s, sec, o, i, b, q, read) => {
          meter.recordStage(s() as string, sec() as number, o() as { workerId?: number });
          meter.recordInference(i() as InferenceRecord);
          meter.recordBatch(b() as BatchRecord);
          const stop = meter.observeQueue(q() as string, read() as () => number);
          expect(typeof stop).toBe('function');
          stops.push(stop);
        },
      ),
      RUNS,
    );
    await collect();
    for (const stop of stops) stop();
  });

  it('createPipelineMeter() and new Timeline() with hostile arguments never throw', async () => {
    await checkHostile(
      fc.property(
        hostileRecord({
          pipelineName: fc.constantFrom('p'),
          workerPool: fc.constantFrom<unknown>({ type: 'gpu', size: 2 }, { type: 'gpu', size: 1e308 }),
          workerId: fc.nat(2),
          stages: fc.constant(['s']),
          models: fc.constant(['m*']),
        }),
        hostile(),
        hostile(),
        (o, origin, stages) => {
          let meter: PipelineMeter | undefined;
          expect(() => {
            meter = createPipelineMeter(o() as PipelineMeterOptions);
          }).not.toThrow();
          meter!.recordStage('tokenize', 1);
          new Timeline(origin() as number, stages() as string[]).end();
        },
      ),
      RUNS / 3,
    );
  });
});
