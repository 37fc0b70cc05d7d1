import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  budgetAttrs,
  captureDiag,
  COST,
  EXCEEDED,
  LIMIT,
  OPERATION,
  PROVIDER,
  REFUSED,
  REMAINING,
  REQUEST_MODEL,
  settle,
  setup,
  SPENT,
  TASK,
} from '../../test/harness.js';
import type { CostMeterOptions } from '../cost-meter.js';
import { withCostScope } from '../scope.js';
import { MemoryStore } from '../stores/memory.js';
import type { BudgetStore } from '../stores/types.js';
import { BudgetSet } from './budget-set.js';
import { BudgetExceededError } from './errors.js';
import type { BudgetConfig, ThresholdEvent } from './types.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const CHAT = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;

/** A cost meter with budgets, a fake clock at `start` and the threshold events it called. */
function budgeted(
  budgets: BudgetConfig[],
  start: string,
  options: Omit<CostMeterOptions, 'meterProvider' | 'budgets'> = {},
) {
  const events: ThresholdEvent[] = [];
  const s = setup({ budgets, onThreshold: (e) => events.push(e), ...options }, start);
  const spend = (usd: string | number, extra: { provider?: string; model?: string } = {}) =>
    s.cost.record({ provider: extra.provider ?? 'openai', model: extra.model ?? 'gpt-4o', usd });
  return { ...s, events, spend };
}

function event(
  budget: string,
  window: string,
  threshold: number,
  spentUsd: number,
  limitUsd: number,
  windowStart: string,
): ThresholdEvent {
  return { budget, window, threshold, spentUsd, limitUsd, windowStart: new Date(windowStart) };
}

describe('calendar windows roll over in UTC', () => {
  it('hour: spend of the last hour is gone at the next one', async () => {
    const { cost, clock, spend, collect } = budgeted(
      [{ name: 'hourly', limitUsd: 10, window: 'hour' }],
      '2025-06-15T10:00:00.000Z',
    );
    spend(1);
    clock.set('2025-06-15T10:59:59.999Z');
    spend(2);
    expect(cost.budgets.spentUsd('hourly')).toBe(3);
    clock.set('2025-06-15T11:00:00.000Z');
    expect(cost.budgets.spentUsd('hourly')).toBe(0);
    expect((await collect()).points(SPENT)).toEqual([{ attributes: budgetAttrs('hourly', 'hour'), value: 0 }]);
    spend(0.25);
    expect(cost.budgets.spentUsd('hourly')).toBe(0.25);
    // ml.cost.usd is a total, not a window: it keeps growing.
    expect((await collect()).points(COST).map((p) => p.value)).toEqual([3.25]);
  });

  it('day: at UTC midnight (Jan 31 → Feb 1)', () => {
    const { cost, clock, spend } = budgeted(
      [{ name: 'daily', limitUsd: 10, window: 'day' }],
      '2025-01-31T00:00:00.000Z',
    );
    spend(1);
    clock.set('2025-01-31T23:59:59.999Z');
    spend(2);
    expect(cost.budgets.spentUsd('daily')).toBe(3);
    clock.set('2025-02-01T00:00:00.000Z');
    expect(cost.budgets.spentUsd('daily')).toBe(0);
  });

  it('month: Jan 31 → Feb 1, Feb → Mar in a leap year, Dec → Jan', () => {
    const { cost, clock, spend } = budgeted(
      [{ name: 'monthly', limitUsd: 1000, window: 'month' }],
      '2025-01-01T00:00:00.000Z',
    );
    spend(1);
    clock.set('2025-01-15T12:00:00.000Z');
    spend(2);
    clock.set('2025-01-31T23:59:59.999Z');
    spend(4);
    expect(cost.budgets.spentUsd('monthly')).toBe(7);
    clock.set('2025-02-01T00:00:00.000Z');
    expect(cost.budgets.spentUsd('monthly')).toBe(0);
    spend(5);
    clock.set('2025-02-28T23:59:59.999Z');
    expect(cost.budgets.spentUsd('monthly')).toBe(5);
    clock.set('2025-12-31T23:59:59.999Z');
    spend(6);
    expect(cost.budgets.spentUsd('monthly')).toBe(6);
    clock.set('2026-01-01T00:00:00.000Z');
    expect(cost.budgets.spentUsd('monthly')).toBe(0);
  });

  it('month: Feb 29 of a leap year is still February', () => {
    const { cost, clock, spend } = budgeted(
      [{ name: 'monthly', limitUsd: 1000, window: 'month' }],
      '2024-02-01T00:00:00.000Z',
    );
    spend(3);
    clock.set('2024-02-29T23:59:59.999Z');
    expect(cost.budgets.spentUsd('monthly')).toBe(3);
    clock.set('2024-03-01T00:00:00.000Z');
    expect(cost.budgets.spentUsd('monthly')).toBe(0);
  });
});

describe('rolling windows', () => {
  it('spend leaves the window after its length (at the resolution of window / 60)', () => {
    // One hour, in buckets of one minute.
    const { cost, clock, spend } = budgeted(
      [{ name: 'last-hour', limitUsd: 10, window: { rollingSeconds: 3600 } }],
      '2025-06-15T12:00:00.000Z',
    );
    spend(1);
    clock.set('2025-06-15T12:30:00.000Z');
    spend(2);
    clock.set('2025-06-15T12:59:59.999Z');
    expect(cost.budgets.spentUsd('last-hour')).toBe(3);
    clock.set('2025-06-15T13:00:00.000Z');
    expect(cost.budgets.spentUsd('last-hour')).toBe(2);
    clock.set('2025-06-15T13:29:59.999Z');
    expect(cost.budgets.spentUsd('last-hour')).toBe(2);
    clock.set('2025-06-15T13:30:00.000Z');
    expect(cost.budgets.spentUsd('last-hour')).toBe(0);
  });

  it('a threshold crossed again after old spend left calls the handler again', () => {
    const { clock, spend, events } = budgeted(
      [{ name: 'r', limitUsd: 10, window: { rollingSeconds: 60 }, thresholds: [0.5] }],
      '2025-06-15T12:00:00.000Z',
    );
    spend(6);
    spend(1);
    expect(events.map((e) => e.threshold)).toEqual([0.5]);
    // The 7 dollars left; one charge brings the spend back over the threshold.
    clock.set('2025-06-15T12:01:00.000Z');
    spend(6);
    expect(events.map((e) => [e.threshold, e.spentUsd])).toEqual([
      [0.5, 6],
      [0.5, 6],
    ]);
    expect(events[1]).toEqual(event('r', 'rolling', 0.5, 6, 10, '2025-06-15T12:00:00.000Z'));
  });

  it('exceeded again after old spend left counts again', async () => {
    const { clock, spend, events, collect } = budgeted(
      [{ name: 'r', limitUsd: 1, window: { rollingSeconds: 60 }, thresholds: [0.5] }],
      '2025-06-15T12:00:00.000Z',
    );
    spend(2);
    spend(2);
    clock.advance(60_000);
    spend(2);
    expect(events.map((e) => e.threshold)).toEqual([0.5, 1, 0.5, 1]);
    expect((await collect()).points(EXCEEDED)).toEqual([{ attributes: budgetAttrs('r', 'rolling'), value: 2 }]);
  });
});

describe('thresholds', () => {
  it('default 0.8 and 0.95, and 1 when exceeded: once per window, again in the next', async () => {
    const { clock, spend, events, collect } = budgeted(
      [{ name: 'daily', limitUsd: 10, window: 'day' }],
      '2025-06-15T12:00:00.000Z',
    );
    spend('7.99');
    expect(events).toEqual([]);
    spend('0.01');
    expect(events).toEqual([event('daily', 'day', 0.8, 8, 10, '2025-06-15T00:00:00.000Z')]);
    spend('0.5');
    spend('1');
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual(event('daily', 'day', 0.95, 9.5, 10, '2025-06-15T00:00:00.000Z'));
    // Spent to the limit counts as exceeded (a hard stop refuses from there).
    spend('0.5');
    expect(events[2]).toEqual(event('daily', 'day', 1, 10, 10, '2025-06-15T00:00:00.000Z'));
    spend('0.000001');
    expect(events).toHaveLength(3);
    spend(5);
    spend(5);
    expect(events).toHaveLength(3);
    expect((await collect()).points(EXCEEDED)).toEqual([{ attributes: budgetAttrs('daily', 'day'), value: 1 }]);

    // The next day: again, all at once when one charge crosses them all.
    clock.set('2025-06-16T00:00:00.000Z');
    spend(11);
    expect(events.slice(3)).toEqual([
      event('daily', 'day', 0.8, 11, 10, '2025-06-16T00:00:00.000Z'),
      event('daily', 'day', 0.95, 11, 10, '2025-06-16T00:00:00.000Z'),
      event('daily', 'day', 1, 11, 10, '2025-06-16T00:00:00.000Z'),
    ]);
    spend(1);
    expect(events).toHaveLength(6);
    expect((await collect()).points(EXCEEDED)).toEqual([{ attributes: budgetAttrs('daily', 'day'), value: 2 }]);
  });

  it('custom thresholds, sorted and deduplicated', () => {
    const { spend, events } = budgeted(
      [{ name: 'h', limitUsd: 4, window: 'hour', thresholds: [0.5, 0.25, 0.5] }],
      '2025-06-15T12:00:00.000Z',
    );
    spend(0.99);
    expect(events).toEqual([]);
    spend(0.01);
    spend(1);
    spend(0.5);
    expect(events.map((e) => [e.threshold, e.spentUsd])).toEqual([
      [0.25, 1],
      [0.5, 2],
    ]);
  });

  it('a threshold of 1 calls the handler once, at the limit', async () => {
    const { spend, events, collect } = budgeted(
      [{ name: 'h', limitUsd: 4, window: 'hour', thresholds: [1] }],
      '2025-06-15T12:00:00.000Z',
    );
    spend(4);
    spend(1);
    expect(events.map((e) => [e.threshold, e.spentUsd])).toEqual([[1, 4]]);
    expect((await collect()).points(EXCEEDED)).toEqual([{ attributes: budgetAttrs('h', 'hour'), value: 1 }]);
  });

  it('each budget keeps its own thresholds', () => {
    const { spend, events } = budgeted(
      [
        { name: 'a', limitUsd: 10, window: 'day', thresholds: [0.5] },
        { name: 'b', limitUsd: 100, window: 'month', thresholds: [0.05] },
      ],
      '2025-06-15T12:00:00.000Z',
    );
    spend(5);
    expect(events.map((e) => [e.budget, e.window, e.threshold])).toEqual([
      ['a', 'day', 0.5],
      ['b', 'month', 0.05],
    ]);
    expect(events[1]?.windowStart).toEqual(new Date('2025-06-01T00:00:00.000Z'));
  });

  it('a throwing handler is reported once and never reaches the caller', async () => {
    const s = setup(
      {
        budgets: [{ name: 'd', limitUsd: 1, window: 'day' }],
        onThreshold: () => {
          throw new Error('boom');
        },
      },
      '2025-06-15T12:00:00.000Z',
    );
    expect(() => s.cost.record({ provider: 'openai', usd: 0.9 })).not.toThrow();
    expect(() => s.cost.record({ provider: 'openai', usd: 0.9 })).not.toThrow();
    await expect(s.meter.track(CHAT, async () => 'ok')).resolves.toBe('ok');
    expect(log.warnings).toEqual([
      'mltel: the budget threshold handler threw (boom); it is not called again for this event',
    ]);
    expect(s.cost.budgets.spentUsd('d')).toBe(1.8);
    expect((await s.collect()).points(EXCEEDED)).toEqual([{ attributes: budgetAttrs('d', 'day'), value: 1 }]);
  });
});

describe('gauges', () => {
  it('limit, spent and remaining are exact', async () => {
    const { spend, collect, clock } = budgeted(
      [
        { name: 'daily', limitUsd: '10', window: 'day' },
        { name: 'tiny', limitUsd: 0.3, window: 'hour' },
      ],
      '2025-06-15T12:00:00.000Z',
    );
    let c = await collect();
    expect(c.points(LIMIT)).toEqual([
      { attributes: budgetAttrs('daily', 'day'), value: 10 },
      { attributes: budgetAttrs('tiny', 'hour'), value: 0.3 },
    ]);
    expect(c.points(SPENT).map((p) => p.value)).toEqual([0, 0]);
    expect(c.points(REMAINING).map((p) => p.value)).toEqual([10, 0.3]);

    spend(0.1);
    spend(0.2);
    c = await collect();
    // 0.1 + 0.2 is 0.3 here, and 0.3 - 0.3 is 0.
    expect(c.points(SPENT).map((p) => p.value)).toEqual([0.3, 0.3]);
    expect(c.points(REMAINING).map((p) => p.value)).toEqual([9.7, 0]);

    spend(0.7);
    c = await collect();
    expect(c.points(SPENT).map((p) => p.value)).toEqual([1, 1]);
    // Never negative.
    expect(c.points(REMAINING).map((p) => p.value)).toEqual([9, 0]);

    clock.set('2025-06-15T13:00:00.000Z');
    c = await collect();
    expect(c.points(SPENT).map((p) => p.value)).toEqual([1, 0]);
    expect(c.points(REMAINING).map((p) => p.value)).toEqual([9, 0.3]);
  });
});

describe('hard stop', () => {
  it('refuses a tracked call with BudgetExceededError before fn runs, and counts ml.budget.refused', async () => {
    const { cost, meter, spend, collect } = budgeted(
      [{ name: 'cap', limitUsd: 1, window: 'day', hardStop: true }],
      '2025-06-15T12:00:00.000Z',
    );
    let calls = 0;
    const fn = async () => {
      calls++;
      return { usage: { inputTokens: 1000, outputTokens: 100 } };
    };
    const options = { usage: (r: { usage: { inputTokens: number; outputTokens: number } }) => r.usage };
    // Under the limit: the call goes ahead and is priced (1000 × 0.0000025 + 100 × 0.00001).
    await meter.track(CHAT, fn, options);
    expect(calls).toBe(1);
    expect(cost.budgets.spentUsd('cap')).toBe(0.0035);
    spend('0.9965');
    expect(cost.budgets.spentUsd('cap')).toBe(1);

    // At the limit: refused, fn not called.
    const error = await meter.track(CHAT, fn, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(BudgetExceededError);
    const refusal = error as BudgetExceededError;
    expect(refusal.name).toBe('BudgetExceededError');
    expect(refusal.budget).toBe('cap');
    expect(refusal.limitUsd).toBe(1);
    expect(refusal.spentUsd).toBe(1);
    expect(refusal.refusesCall).toBe(true);
    expect(refusal.message).toBe('budget "cap" is spent ($1 of $1 in this window); the call was not sent');

    // Streams and the auto-instrumentation's synchronous check refuse too.
    await expect(meter.trackStream(CHAT, async function* () {})).rejects.toBeInstanceOf(BudgetExceededError);
    expect(() => meter.beforeCall(CHAT)).toThrow(BudgetExceededError);
    const c = await collect();
    expect(c.points(REFUSED)).toEqual([{ attributes: budgetAttrs('cap', 'day'), value: 3 }]);
    // The refused calls cost nothing and were not recorded.
    expect(c.points(COST)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [REQUEST_MODEL]: 'gpt-4o' }, value: 0.9965 },
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' }, value: 0.0035 },
    ]);
    expect(c.histograms('gen_ai.client.operation.duration')[0]?.count).toBe(1);
    expect(log.warnings).toEqual([]);
  });

  it('reports the spend over the limit, and lets calls through again in the next window', async () => {
    const { meter, spend, clock } = budgeted(
      [{ name: 'cap', limitUsd: 1, window: 'hour', hardStop: true }],
      '2025-06-15T12:00:00.000Z',
    );
    spend('1.25');
    const error = (await meter.track(CHAT, async () => 1).catch((e: unknown) => e)) as BudgetExceededError;
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect([error.limitUsd, error.spentUsd]).toEqual([1, 1.25]);
    clock.set('2025-06-15T13:00:00.000Z');
    await expect(meter.track(CHAT, async () => 'sent')).resolves.toBe('sent');
  });

  it('a budget without hardStop never refuses', async () => {
    const { meter, spend } = budgeted([{ name: 'soft', limitUsd: 1, window: 'day' }], '2025-06-15T12:00:00.000Z');
    spend(5);
    await expect(meter.track(CHAT, async () => 'sent')).resolves.toBe('sent');
  });

  it('refuses only the calls in its scope', async () => {
    const { meter, spend, collect } = budgeted(
      [{ name: 'claude', limitUsd: 1, window: 'day', hardStop: true, scope: { provider: 'anthropic' } }],
      '2025-06-15T12:00:00.000Z',
    );
    spend(2, { provider: 'anthropic', model: 'claude-sonnet-4-20250514' });
    await expect(meter.track(CHAT, async () => 'sent')).resolves.toBe('sent');
    await expect(
      meter.track({ provider: 'anthropic', operation: 'chat', model: 'claude-sonnet-4-20250514' }, async () => 'sent'),
    ).rejects.toThrow('budget "claude" is spent ($2 of $1 in this window); the call was not sent');
    expect((await collect()).points(REFUSED)).toEqual([{ attributes: budgetAttrs('claude', 'day'), value: 1 }]);
  });
});

describe('scopes', () => {
  it('a budget counts the calls of its provider, model, task and tenant', async () => {
    const { cost, meter, spend, collect } = budgeted(
      [
        { name: 'all', limitUsd: 100, window: 'day' },
        { name: 'anthropic', limitUsd: 100, window: 'day', scope: { provider: 'anthropic' } },
        { name: 'gpt-4o', limitUsd: 100, window: 'day', scope: { model: 'gpt-4o' } },
        { name: 'dated', limitUsd: 100, window: 'day', scope: { model: 'gpt-4o-2024-08-06' } },
        { name: 'summarise', limitUsd: 100, window: 'day', scope: { task: 'summarise' } },
        { name: 'acme', limitUsd: 100, window: 'day', scope: { tenant: 'acme' } },
        { name: 'acme-openai', limitUsd: 100, window: 'day', scope: { provider: 'openai', tenant: 'acme' } },
      ],
      '2025-06-15T12:00:00.000Z',
    );
    spend(1);
    withCostScope({ task: 'summarise' }, () => spend(2, { provider: 'anthropic', model: 'claude-sonnet-4-20250514' }));
    withCostScope({ tenant: 'acme' }, () =>
      withCostScope({ task: 'summarise' }, () => spend(4, { model: 'gpt-4o-mini' })),
    );
    withCostScope({ tenant: 'acme' }, () => spend(8, { provider: 'anthropic', model: 'claude-sonnet-4-20250514' }));
    // Through the provider meter, across an await: the response model is the one billed
    // (1000 × 0.0000025 at gpt-4o-2024-08-06) and a model scope matches either.
    await withCostScope({ tenant: 'acme' }, async () => {
      await Promise.resolve();
      await meter.track(CHAT, async () => ({ responseModel: 'gpt-4o-2024-08-06', inputTokens: 1000 }), {
        usage: (u) => u,
      });
    });
    const spent = Object.fromEntries(cost.budgets.names.map((name) => [name, cost.budgets.spentUsd(name)]));
    expect(spent).toEqual({
      all: 15.0025,
      anthropic: 10,
      'gpt-4o': 1.0025,
      dated: 0.0025,
      summarise: 6,
      acme: 12.0025,
      'acme-openai': 4.0025,
    });
    // The task is an attribute of ml.cost.usd; the tenant never is.
    expect((await collect()).points(COST)).toEqual([
      { attributes: { [PROVIDER]: 'anthropic', [REQUEST_MODEL]: 'claude-sonnet-4-20250514' }, value: 8 },
      {
        attributes: { [PROVIDER]: 'anthropic', [REQUEST_MODEL]: 'claude-sonnet-4-20250514', [TASK]: 'summarise' },
        value: 2,
      },
      { attributes: { [PROVIDER]: 'openai', [REQUEST_MODEL]: 'gpt-4o' }, value: 1 },
      { attributes: { [PROVIDER]: 'openai', [REQUEST_MODEL]: 'gpt-4o-mini', [TASK]: 'summarise' }, value: 4 },
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' }, value: 0.0025 },
    ]);
  });

  it('a task given to record() wins over the scope', () => {
    const { cost } = budgeted(
      [{ name: 't', limitUsd: 10, window: 'day', scope: { task: 'translate' } }],
      '2025-06-15T12:00:00.000Z',
    );
    withCostScope({ task: 'summarise' }, () => cost.record({ provider: 'openai', usd: 1, task: 'translate' }));
    withCostScope({ task: 'summarise' }, () => cost.record({ provider: 'openai', usd: 2 }));
    expect(cost.budgets.spentUsd('t')).toBe(1);
  });
});

describe('invalid budget configs', () => {
  it('are dropped with one warning each; the valid ones stay', () => {
    const { cost } = budgeted(
      [
        null as never,
        'daily' as never,
        { name: 'has space', limitUsd: 1, window: 'day' },
        { name: '', limitUsd: 1, window: 'day' },
        { name: 'ok', limitUsd: 1, window: 'day' },
        { name: 'ok', limitUsd: 2, window: 'hour' },
        { name: 'zero', limitUsd: 0, window: 'day' },
        { name: 'negative', limitUsd: -5, window: 'day' },
        { name: 'text', limitUsd: 'ten', window: 'day' },
        { name: 'nan', limitUsd: Number.NaN, window: 'day' },
        { name: 'week', limitUsd: 1, window: 'week' as never },
        { name: 'rolling0', limitUsd: 1, window: { rollingSeconds: 0 } },
        { name: 'th0', limitUsd: 1, window: 'day', thresholds: [0] },
        { name: 'th2', limitUsd: 1, window: 'day', thresholds: [0.5, 1.5] },
        { name: 'thx', limitUsd: 1, window: 'day', thresholds: 'x' as never },
        { name: 'rolling', limitUsd: '0.5', window: { rollingSeconds: 60 }, thresholds: [1] },
      ],
      '2025-06-15T12:00:00.000Z',
    );
    expect(cost.budgets.names).toEqual(['ok', 'rolling']);
    expect(log.warnings).toEqual([
      'mltel: budget null is ignored: it is not an object.',
      'mltel: budget null is ignored: it is not an object.',
      'mltel: budget "has space" is ignored: name must be 1-64 letters, digits or _ . : -.',
      'mltel: budget "" is ignored: name must be 1-64 letters, digits or _ . : -.',
      'mltel: budget "ok" is ignored: another budget has this name.',
      'mltel: budget "zero" is ignored: limitUsd must be a number of dollars > 0, got 0.',
      'mltel: budget "negative" is ignored: limitUsd must be a number of dollars > 0, got -5.',
      'mltel: budget "text" is ignored: limitUsd must be a number of dollars > 0, got "ten".',
      'mltel: budget "nan" is ignored: limitUsd must be a number of dollars > 0, got null.',
      'mltel: budget "week" is ignored: window must be hour, day, month or { rollingSeconds: N >= 1 }.',
      'mltel: budget "rolling0" is ignored: window must be hour, day, month or { rollingSeconds: N >= 1 }.',
      'mltel: budget "th0" is ignored: thresholds must be fractions of the limit in (0, 1].',
      'mltel: budget "th2" is ignored: thresholds must be fractions of the limit in (0, 1].',
      'mltel: budget "thx" is ignored: thresholds must be fractions of the limit in (0, 1].',
    ]);
    expect(cost.budgets.spentUsd('zero')).toBeUndefined();
  });

  it('a budgets option that is not an array is ignored', () => {
    const set = new BudgetSet('nope' as never, {
      store: new MemoryStore(),
      sink: { exceeded: () => {}, refused: () => {} },
    });
    expect(set.names).toEqual([]);
  });
});

/** One MemoryStore shared by several budget sets, as Redis is by several processes. */
function sharedMemoryStore(now: () => number = Date.now): BudgetStore {
  const memory = new MemoryStore(now);
  return {
    description: 'shared memory',
    shared: true,
    add: (key, pico, expiresAt) => memory.add(key, pico, expiresAt),
    get: (keys) => memory.get(keys),
    close: () => memory.close(),
  };
}

describe('a shared store: one owner per crossing (finding 10)', () => {
  it('three processes, one crossing: counted and notified once, by the process whose increment crossed it', async () => {
    const now = () => Date.parse('2025-06-15T12:00:00.000Z');
    const store = sharedMemoryStore(now);
    const processes = [0, 1, 2].map(() => {
      const exceeded: Record<string, string>[] = [];
      const events: ThresholdEvent[] = [];
      const set = new BudgetSet([{ name: 'shared', limitUsd: 1, window: 'day', thresholds: [0.5] }], {
        store,
        now,
        refreshMs: 60_000,
        onThreshold: (e) => events.push(e),
        sink: { exceeded: (a) => exceeded.push(a), refused: () => {} },
      });
      return { set, exceeded, events };
    });
    const context = { provider: 'openai', model: 'gpt-4o' };
    // 30 charges of $0.05 in turn ($1.50 in all); every process re-reads the totals each time.
    for (let i = 0; i < 30; i++) {
      processes[i % 3]!.set.charge(context, 50_000_000_000n);
      await settle();
      for (const p of processes) await p.set.refresh();
    }
    expect(processes.map((p) => p.set.spentUsd('shared'))).toEqual([1.5, 1.5, 1.5]);
    expect(processes.flatMap((p) => p.exceeded)).toEqual([budgetAttrs('shared', 'day')]);
    // $0.50 is reached by the 10th charge (process 0), $1 by the 20th (process 1).
    expect(processes.map((p) => p.events.map((e) => e.threshold))).toEqual([[0.5], [1], []]);
    for (const p of processes) await p.set.close();
  });

  it('a crossing seen only by a re-read is not counted by the process that re-read it', async () => {
    const store = sharedMemoryStore();
    const exceeded: Record<string, string>[] = [];
    const set = new BudgetSet([{ name: 'b', limitUsd: 1, window: 'day' }], {
      store,
      refreshMs: 60_000,
      sink: { exceeded: (a) => exceeded.push(a), refused: () => {} },
    });
    const key = `mltel:budget:b:day:${Math.floor(Date.now() / 86_400_000) * 86_400_000}`;
    await store.add(key, 2_000_000_000_000n, Date.now() + 86_400_000);
    await set.refresh();
    expect(set.spentUsd('b')).toBe(2);
    expect(exceeded).toEqual([]);
    await set.close();
  });
});

describe('hard stops', () => {
  it('hasHardStop says whether any budget in force decides before a call', async () => {
    const sink = { exceeded: () => {}, refused: () => {} };
    const soft = new BudgetSet([{ name: 'soft', limitUsd: 1, window: 'day' }], { store: new MemoryStore(), sink });
    const hard = new BudgetSet(
      [
        { name: 'soft', limitUsd: 1, window: 'day' },
        { name: 'hard', limitUsd: 1, window: 'hour', hardStop: true },
      ],
      { store: new MemoryStore(), sink },
    );
    expect([soft.hasHardStop, hard.hasHardStop]).toEqual([false, true]);
    await Promise.all([soft.close(), hard.close()]);
  });
});
