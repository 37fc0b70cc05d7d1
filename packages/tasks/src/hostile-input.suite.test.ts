// Property suite: every public recording and wrapping API of the task meter, fed hostile values
// (throwing Proxies and getters, unprintable errors, absurd numbers, huge strings, symbols,
// bigints, cycles). Nothing throws into the caller, a wrapped function's result or error reaches
// the caller unchanged (same identity), and `ml.tasks.active` returns to 0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ML_TASK_STATUS_VALUES } from '@mltel/semconv';
import {
  checkHostile,
  either,
  expectSame,
  hostile,
  hostileRecord,
  maker,
  outcomeOf,
  throwingThen,
  unprintableError,
} from '../test/hostile.js';
import type { Outcome } from '../test/hostile.js';
import { setup } from '../test/harness.js';
import { task } from './decorator.js';
import { createTaskMeter } from './default-meter.js';
import type { TaskMeter } from './task-meter.js';
import type { TaskOptions, TaskRecord } from './types.js';

const RUNS = 8000;
const name = either(fc.constantFrom('embed', 'train', 'index'));
const status = either(fc.constantFrom(...ML_TASK_STATUS_VALUES));
const options = hostileRecord({
  workerType: fc.constantFrom('gpu', 'cpu'),
  timeoutMs: fc.integer({ min: 60_000, max: 120_000 }),
  classify: fc.constant(() => 'retry' as const),
});
const behaviours = ['return', 'throw', 'resolve', 'reject', 'generator', 'asyncGenerator', 'badThen'] as const;
type Behaviour = (typeof behaviours)[number];
const outcome = fc.oneof(fc.constant(maker('sentinel', () => ({ sentinel: true }))), hostile());

/** The function a caller wraps, behaving as told with `value` (returned, resolved or thrown). */
function work(behaviour: Behaviour, value: unknown): (...args: never[]) => unknown {
  switch (behaviour) {
    case 'return':
      return () => value;
    case 'throw':
      return () => {
        throw value;
      };
    case 'resolve':
      return () => Promise.resolve().then(() => value);
    case 'reject':
      return () => Promise.reject(value);
    case 'generator':
      return function* () {
        yield value;
        return value;
      };
    case 'asyncGenerator':
      return async function* () {
        yield value;
        return value;
      };
    case 'badThen':
      return () => value;
  }
}

/** The values a generator's two next() calls give, or what they threw. */
async function drain(outcome: Outcome): Promise<unknown[]> {
  const it = outcome.value as Iterator<unknown> | AsyncIterator<unknown>;
  const seen: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    try {
      const step = await it.next();
      seen.push(step.done, step.value);
    } catch (error) {
      seen.push('threw', error);
    }
  }
  return seen;
}

/**
 * Calls `fn` itself and through `wrapped`, and checks the caller sees the same: the same value
 * returned or thrown (identity), a promise settled the same way with the same value, a
 * generator yielding the same values.
 */
async function expectUnchanged(behaviour: Behaviour, fn: () => unknown, wrapped: () => unknown): Promise<void> {
  const direct = await outcomeOf(fn);
  const seen = await outcomeOf(wrapped);
  expectSame(seen.threw, direct.threw, 'threw');
  if (behaviour === 'generator' || behaviour === 'asyncGenerator') {
    const [a, b] = [await drain(direct), await drain(seen)];
    expectSame(b.length, a.length, 'steps');
    for (let i = 0; i < a.length; i++) expectSame(b[i], a[i], `step ${i}`);
    return;
  }
  if (direct.settled !== undefined) {
    expectSame(seen.settled, direct.settled, 'settled');
    expectSame(seen.settledWith, direct.settledWith, 'settled with');
    return;
  }
  expectSame(seen.value, direct.value, 'returned or thrown');
}

async function expectNothingInFlight(collect: ReturnType<typeof setup>['collect']): Promise<void> {
  const active = (await collect()).points('ml.tasks.active');
  expect(active.filter((p) => p.value !== 0)).toEqual([]);
}

// Each property runs thousands of inputs: a generous bound, far above the few seconds they take.
const PROPERTY_TIMEOUT_MS = 60_000;

describe('task meter: hostile input (fast-check)', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('wrap() and run(): no throw of its own, the result or error unchanged, nothing left in flight', async () => {
    const { meter, collect } = setup();
    await checkHostile(
      fc.asyncProperty(
        name,
        options,
        fc.constantFrom(...behaviours),
        outcome,
        fc.boolean(),
        async (n, o, behaviour, value, viaRun) => {
          const result = behaviour === 'badThen' ? throwingThen() : value();
          const fn = work(behaviour, result);
          const wrapped = viaRun
            ? () => meter.run(n() as string, fn, o() as TaskOptions)
            : meter.wrap(n() as string, fn, o() as TaskOptions);
          await expectUnchanged(behaviour, fn, wrapped);
        },
      ),
      RUNS,
    );
    await expectNothingInFlight(collect);
  });

  it('wrap() of a hostile function (a throwing Proxy): its own error reaches the caller, never mltel’s', async () => {
    const { meter, collect } = setup();
    await checkHostile(
      fc.asyncProperty(name, options, hostile(), async (n, o, makeFn) => {
        const fn = makeFn();
        let wrapped: unknown;
        expect(() => {
          wrapped = meter.wrap(n() as string, fn as () => unknown, o() as TaskOptions);
        }).not.toThrow();
        if (typeof fn !== 'function') {
          expectSame(wrapped, fn, 'wrap() of a non-function');
          return;
        }
        const direct = await outcomeOf(() => Reflect.apply(fn, undefined, []));
        const seen = await outcomeOf(wrapped as () => unknown);
        expectSame(seen.threw, direct.threw, 'threw');
        expectSame(
          seen.threw ? seen.value : seen.settledWith,
          direct.threw ? direct.value : direct.settledWith,
          'outcome',
        );
      }),
      RUNS / 4,
    );
    await expectNothingInFlight(collect);
  });

  it('start() and its handle: nothing throws, each handle ends once, nothing left in flight', async () => {
    const { meter, collect } = setup();
    await checkHostile(
      fc.property(
        name,
        options,
        fc.array(fc.tuple(fc.constantFrom('success', 'fail', 'end'), status, hostile()), {
          minLength: 1,
          maxLength: 3,
        }),
        (n, o, ends) => {
          const handle = meter.start(n() as string, o() as TaskOptions);
          for (const [how, s, value] of ends) {
            if (how === 'success') handle.success();
            else if (how === 'fail') handle.fail(value());
            else handle.end(s() as 'success', value() as string);
          }
          // A handle ended only with invalid statuses is still open: end it, as a caller would.
          handle.success();
        },
      ),
      RUNS,
    );
    await expectNothingInFlight(collect);
  });

  it('record(), recordQueueWait(), setQueueSize(), observeQueueSize(): nothing throws, collection stays clean', async () => {
    const { meter, collect } = setup();
    const record = hostileRecord({
      name: fc.constantFrom('embed', 'train'),
      status,
      durationSeconds: fc.double({ min: 0, max: 100, noNaN: true }),
      errorType: fc.constantFrom('Oom', 'TypeError'),
      workerType: fc.constantFrom('gpu'),
    });
    const stops: (() => void)[] = [];
    await checkHostile(
      fc.property(record, name, hostile(), hostile(), hostile(), (r, n, q, s, read) => {
        const queue = q() as string;
        const seconds = s() as number;
        meter.record(r() as TaskRecord);
        meter.recordQueueWait(n() as string, queue, seconds);
        meter.setQueueSize(queue, seconds);
        const stop = meter.observeQueueSize(queue, read() as () => number);
        expect(typeof stop).toBe('function');
        stops.push(stop);
      }),
      RUNS,
    );
    await collect();
    for (const stop of stops) stop();
    await expectNothingInFlight(collect);
  });

  it('createTaskMeter() and the decorator with hostile options never throw', async () => {
    await checkHostile(
      fc.property(
        hostileRecord({ workerType: fc.constant('gpu'), taskNames: fc.constant(['a']), maxTaskNames: fc.nat(10) }),
        name,
        hostile(),
        (o, n, key) => {
          let meter: TaskMeter | undefined;
          expect(() => {
            meter = createTaskMeter(o() as object);
          }).not.toThrow();
          const method = () => 1;
          const descriptor = { value: method, configurable: true, writable: true };
          const decorate = task(n() as string, { meter });
          const out = decorate({}, key() as string, descriptor) as PropertyDescriptor;
          expect((out.value as () => number)()).toBe(1);
          const error = unprintableError();
          const failing = meter!.wrap('x', () => {
            throw error;
          });
          let caught: unknown;
          try {
            failing();
          } catch (thrown) {
            caught = thrown;
          }
          expectSame(caught, error, 'thrown');
        },
      ),
      RUNS / 4,
    );
  });

  it('a result whose `then` getter throws: returned as is, the task ends, ml.tasks.active back to 0', async () => {
    const { meter, collect } = setup();
    const result = throwingThen();
    const wrapped = meter.wrap('then-getter', () => result);
    let returned: unknown;
    expect(() => {
      returned = wrapped();
    }).not.toThrow();
    expectSame(returned, result, 'result');
    const c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { 'ml.task.name': 'then-getter' }, value: 0 }]);
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { 'ml.task.name': 'then-getter', 'ml.task.status': 'success' }, value: 1 },
    ]);
  });

  it('a timed-out task with an unprintable name rejects with TaskTimeoutError (the timer never throws)', async () => {
    const { meter } = setup();
    const explode = (): never => {
      throw unprintableError();
    };
    const name = { toString: explode, [Symbol.toPrimitive]: explode };
    const slow = meter.wrap(name as unknown as string, () => new Promise(() => {}), { timeoutMs: 5 });
    await expect(slow()).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 5 });
  });
});
