import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag, metrics } from '@opentelemetry/api';
import { announceProviderChange, MLTEL_VERSION, PROVIDER_RECHECK_MS } from '@mltel/kit';
import { REQUEST_COST_BUCKETS } from '@mltel/semconv';
import { createProviderMeter } from '@mltel/genai';
import { countingProvider } from '@mltel/test-kit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  budgetAttrs,
  captureDiag,
  COST,
  EXCEEDED,
  FakeClock,
  LIMIT,
  LITELLM_FIXTURE,
  OPERATION,
  PROVIDER,
  REQUEST_COST,
  REFUSED,
  REQUEST_MODEL,
  REMAINING,
  sdkProvider,
  setup,
  SPENT,
  tempDir,
  UNPRICED,
} from '../test/harness.js';
import { CostMeter, SCOPE_NAME } from './cost-meter.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.remove());

const CHAT = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;
const CHAT_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' };

describe('every tracked call is priced', () => {
  it('ml.cost.usd totals and ml.cost.request.usd per call, from the usage the provider reported', async () => {
    const { meter, collect } = setup();
    meter.record({ ...CHAT, durationSeconds: 1, usage: { inputTokens: 1000, outputTokens: 500 } });
    await meter.track(CHAT, async () => ({ inputTokens: 2000, cacheReadInputTokens: 1000, outputTokens: 100 }), {
      usage: (u) => u,
    });
    const c = await collect();
    // 0.0025 + 0.005, then 1000 × 0.0000025 + 1000 × 0.00000125 + 100 × 0.00001.
    expect(c.points(COST)).toEqual([{ attributes: CHAT_ATTRS, value: 0.01225 }]);
    expect(c.metric(COST)?.descriptor).toMatchObject({ name: COST, unit: '{USD}', type: 'OBSERVABLE_COUNTER' });
    const [histogram] = c.histograms(REQUEST_COST);
    expect(histogram).toMatchObject({
      attributes: CHAT_ATTRS,
      count: 2,
      min: 0.00475,
      max: 0.0075,
      boundaries: [...REQUEST_COST_BUCKETS],
    });
    expect(histogram?.sum).toBeCloseTo(0.01225, 12);
    expect(log.warnings).toEqual([]);
  });

  it('bills the model that answered, falling back to the one asked for', async () => {
    const { meter, collect } = setup({
      prices: [{ provider: 'openai', model: 'gpt-4o-2024-08-06', input: '0.000001' }],
    });
    meter.record({ ...CHAT, durationSeconds: 1, usage: { responseModel: 'gpt-4o-2024-08-06', inputTokens: 1000 } });
    meter.record({ ...CHAT, durationSeconds: 1, usage: { responseModel: 'some-unknown-snapshot', inputTokens: 1000 } });
    // 1000 × 0.000001 + 1000 × 0.0000025; the series keeps the request model.
    expect((await collect()).points(COST)).toEqual([{ attributes: CHAT_ATTRS, value: 0.0035 }]);
    expect(log.warnings).toEqual([]);
  });

  it('charges the per-request rate of a failed call only when it succeeded; failed calls pay their usage', async () => {
    const { meter, collect } = setup({
      defaultPrices: false,
      prices: [{ provider: 'acme', model: 'm', request: '0.01', input: '0.000001' }],
    });
    const call = { provider: 'acme', operation: 'chat', model: 'm' };
    meter.record({ ...call, durationSeconds: 1, usage: { inputTokens: 1000 } });
    meter.record({
      ...call,
      durationSeconds: 1,
      usage: { inputTokens: 1000 },
      error: Object.assign(new Error('x'), { status: 500 }),
    });
    await expect(meter.track(call, async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    // 0.011 + 0.001 (failed, usage reported) + nothing (failed, no usage).
    expect((await collect()).points(COST).map((p) => p.value)).toEqual([0.012]);
  });

  it('warns once per missing rate of a priced model, and charges the rest', async () => {
    const { cost, collect } = setup({ prices: [{ provider: 'fal', model: 'flux', image: '0.025' }] });
    for (let i = 0; i < 3; i++)
      cost.record({ provider: 'fal', model: 'flux', usage: { inputTokens: 1000, images: 2 } });
    // gpt-4o's images beside its charged tokens are no gap (it is billed by tokens): no warning.
    cost.record({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1000, images: 2 } });
    // 3 x 2 x $0.025; 1000 x $2.50/M.
    expect((await collect()).points(COST).map((p) => p.value)).toEqual([0.15, 0.0025]);
    expect(log.warnings).toEqual([
      'mltel: the price of fal/flux has no input rate: that part of its calls is not charged. Fix: add the rate to its price.',
    ]);
  });

  it('prices each call at the price in effect at its time', async () => {
    const { cost, clock, collect } = setup(
      {
        prices: [
          { provider: 'openai', model: 'gpt-4o', input: '0.000002', effectiveFrom: '2025-07-01' },
          { provider: 'openai', model: 'gpt-4o', input: '0.000001', effectiveFrom: '2025-08-01' },
        ],
      },
      '2025-06-30T23:59:59.999Z',
    );
    const call = () => cost.record({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1000 } });
    call(); // the default: 0.0025
    clock.set('2025-07-01T00:00:00.000Z');
    call(); // 0.002
    clock.set('2025-08-15T00:00:00.000Z');
    call(); // 0.001
    expect((await collect()).points(COST).map((p) => p.value)).toEqual([0.0055]);
  });

  it('price() tells what a call would cost and how its model matched', () => {
    const { cost } = setup();
    expect(cost.price('openai', 'openai/gpt-4o-2099-01-01', { inputTokens: 1_000_000 })).toMatchObject({
      usd: 2.5,
      pico: 2_500_000_000_000n,
      match: { matched: 'undated', model: 'gpt-4o' },
    });
    expect(cost.price('openai', 'gpt-9', { inputTokens: 1 })).toBeUndefined();
  });

  it('records to its own instrumentation scope', async () => {
    const { cost, collect } = setup();
    cost.record({ provider: 'openai', usd: 1 });
    const c = await collect();
    expect(SCOPE_NAME).toBe('@mltel/cost');
    expect(c.points(COST)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
  });

  it('its scope version is the mltel version', async () => {
    const { cost, reader } = setup();
    cost.record({ provider: 'openai', usd: 1 });
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics.map((m) => [m.scope.name, m.scope.version])).toEqual([
      ['@mltel/cost', MLTEL_VERSION],
    ]);
  });
});

describe('budget counters exist from the start (finding 11)', () => {
  it('the first collection shows ml.budget.exceeded and ml.budget.refused at 0 for every budget', async () => {
    const { collect } = setup({
      budgets: [
        { name: 'daily', limitUsd: 1, window: 'day', hardStop: true },
        { name: 'burst', limitUsd: 1, window: { rollingSeconds: 60 } },
      ],
    });
    const c = await collect();
    const zeros = [
      { attributes: budgetAttrs('burst', 'rolling'), value: 0 },
      { attributes: budgetAttrs('daily', 'day'), value: 0 },
    ];
    expect(c.points(EXCEEDED)).toEqual(zeros);
    expect(c.points(REFUSED)).toEqual(zeros);
  });

  it('without budgets, no budget series at all', async () => {
    const { collect } = setup();
    const c = await collect();
    expect(c.points(EXCEEDED)).toEqual([]);
    expect(c.points(REFUSED)).toEqual([]);
  });
});

describe('unpriced calls', () => {
  it('count in ml.cost.unpriced {provider, model} with one warning per model; no ml.cost.usd series', async () => {
    const { meter, collect } = setup();
    for (let i = 0; i < 100; i++) {
      meter.record({
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-9-preview',
        durationSeconds: 1,
        usage: { inputTokens: 10, outputTokens: 5 },
      });
    }
    for (let i = 0; i < 3; i++) {
      meter.record({
        provider: 'acme',
        operation: 'chat',
        model: 'rocket',
        durationSeconds: 1,
        usage: { outputTokens: 5 },
      });
    }
    const c = await collect();
    expect(c.points(UNPRICED)).toEqual([
      { attributes: { [PROVIDER]: 'acme', [REQUEST_MODEL]: 'rocket' }, value: 3 },
      { attributes: { [PROVIDER]: 'openai', [REQUEST_MODEL]: 'gpt-9-preview' }, value: 100 },
    ]);
    expect(c.points(COST)).toEqual([]);
    expect(c.histograms(REQUEST_COST)).toEqual([]);
    expect(log.warnings).toEqual([
      'mltel: no price for model "gpt-9-preview" at openai: its calls count in ml.cost.unpriced, not in ml.cost.usd. Fix: add its price (the prices option, or a price file in MLTEL_PRICES).',
      'mltel: no price for model "rocket" at acme: its calls count in ml.cost.unpriced, not in ml.cost.usd. Fix: add its price (the prices option, or a price file in MLTEL_PRICES).',
    ]);
  });

  it('a call makes only its histogram SDK calls, priced or not; unpriced ones are added at collection', () => {
    const { provider, calls, added, collectNow } = countingProvider();
    const meter = createProviderMeter({ meterProvider: provider });
    new CostMeter({ meterProvider: provider }).attach(meter);
    const usage = { inputTokens: 10, outputTokens: 5 };
    for (let i = 0; i < 10; i++) {
      meter.record({ provider: 'acme', operation: 'chat', model: 'llama-local', durationSeconds: 1, usage });
      meter.record({ ...CHAT, durationSeconds: 1, usage });
    }
    // Per call: duration and two token records, and the priced call's ml.cost.request.usd.
    expect(calls.add).toBe(0);
    expect(calls.record).toBe(10 * 3 + 10 * 4);
    collectNow();
    expect(added).toEqual([[10, { [PROVIDER]: 'acme', [REQUEST_MODEL]: 'llama-local' }]]);
    expect(log.warnings).toHaveLength(1);
  });

  it('are never priced at a near name (gpt-4o-mini is not gpt-4o)', async () => {
    const { cost, collect } = setup({
      defaultPrices: false,
      prices: [{ provider: 'openai', model: 'gpt-4o', input: '0.0000025' }],
    });
    cost.record({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1000 } });
    const c = await collect();
    expect(c.points(COST)).toEqual([]);
    expect(c.points(UNPRICED)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [REQUEST_MODEL]: 'gpt-4o-mini' }, value: 1 },
    ]);
  });

  it('a call without usage records nothing, priced model or not', async () => {
    const { meter, cost, collect } = setup();
    meter.record({ ...CHAT, durationSeconds: 1 });
    meter.record({ provider: 'openai', operation: 'chat', model: 'gpt-9', durationSeconds: 1 });
    meter.record({ provider: 'openai', operation: 'chat', model: 'gpt-9', durationSeconds: 1, usage: {} });
    await meter.track(CHAT, async () => 'no usage');
    cost.record({ provider: 'openai', model: 'gpt-9' });
    cost.record({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 0 } });
    const c = await collect();
    expect(c.points(COST)).toEqual([]);
    expect(c.points(UNPRICED)).toEqual([]);
    expect(c.histograms(REQUEST_COST)).toEqual([]);
    expect(log.warnings).toEqual([]);
  });
});

describe('price files', () => {
  it('a corrupt price file: one warning naming it and MLTEL_PRICES; the defaults are still used; no throw', async () => {
    const path = join(tmp.dir, 'corrupt.json');
    writeFileSync(path, '{"gpt-4o": {"input_cost_per_token": ');
    let s!: ReturnType<typeof setup>;
    expect(() => {
      s = setup({ priceFiles: [path] });
    }).not.toThrow();
    await s.cost.ready;
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain(path);
    expect(log.warnings[0]).toContain('MLTEL_PRICES');
    expect(log.warnings[0]).toMatch(/^mltel: prices from .* were not loaded: not valid JSON/);
    s.cost.record({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1000 } });
    expect((await s.collect()).points(COST).map((p) => p.value)).toEqual([0.0025]);
    expect(s.cost.catalog.lookup('openai', 'gpt-4o')?.price.origin).toBe('default');
  });

  it('a missing price file and a good one: the good one is used, the missing one reported', async () => {
    const missing = join(tmp.dir, 'missing.json');
    const { cost } = setup({ priceFiles: [missing, LITELLM_FIXTURE] });
    await cost.ready;
    expect(log.warnings).toEqual([
      `mltel: prices from ${missing} were not loaded: no such file. Calls are priced with the other prices (built-in and in code). Fix: check MLTEL_PRICES (or priceFiles): each entry a regular JSON file of at most 32 MiB, or an http(s) URL that answers within 10 s.`,
    ]);
    expect(cost.catalog.lookup('openai', 'gpt-4o')?.price).toMatchObject({ origin: 'file', source: LITELLM_FIXTURE });
  });

  it('file prices win over the defaults, prices in code over both', async () => {
    const path = join(tmp.dir, 'own.json');
    writeFileSync(
      path,
      JSON.stringify([
        { provider: 'openai', model: 'gpt-4o', input: '0.000001' },
        { provider: 'openai', model: 'gpt-4o-mini', input: '0.0000001' },
        { provider: 'openai', model: 'bad' },
        { provider: 'openai', model: 'worse', input: 'free' },
      ]),
    );
    const { cost } = setup({
      priceFiles: [path],
      prices: [{ provider: 'openai', model: 'gpt-4o', input: '0.000002' }],
    });
    await cost.ready;
    expect(cost.price('openai', 'gpt-4o', { inputTokens: 1000 })?.usd).toBe(0.002);
    expect(cost.price('openai', 'gpt-4o-mini', { inputTokens: 1000 })?.usd).toBe(0.0001);
    expect(cost.price('openai', 'gpt-4.1', { inputTokens: 1000 })?.usd).toBe(0.002);
    expect(log.warnings).toEqual([
      `mltel: 1 entries of the price file ${path} are ignored, the first: openai/worse: input "free" is not a decimal >= 0.`,
    ]);
  });

  it('calls that end while the files load are priced with the file prices', async () => {
    const { cost, meter, collect } = setup({ priceFiles: [LITELLM_FIXTURE], defaultPrices: false });
    meter.record({
      provider: 'x_ai',
      operation: 'chat',
      model: 'grok-4-fast-reasoning',
      durationSeconds: 1,
      usage: { inputTokens: 1000 },
    });
    await cost.ready;
    expect((await collect()).points(COST).map((p) => p.value)).toEqual([0.0002]);
    expect(log.warnings).toEqual([]);
  });

  it('defaultPrices given as entries stand in for the built-in ones, below files and code', async () => {
    const path = join(tmp.dir, 'file.json');
    writeFileSync(path, JSON.stringify([{ provider: 'p', model: 'a', input: '0.000002' }]));
    const { cost } = setup({
      priceFiles: [path],
      defaultPrices: [
        { provider: 'p', model: 'a', input: '0.000001' },
        { provider: 'p', model: 'b', input: '0.000001' },
      ],
    });
    await cost.ready;
    expect(cost.price('p', 'a', { inputTokens: 1000 })?.usd).toBe(0.002);
    expect(cost.price('p', 'b', { inputTokens: 1000 })?.match.price.origin).toBe('default');
    // The built-in catalog itself is not loaded: gpt-4o has no price.
    expect(cost.price('openai', 'gpt-4o', { inputTokens: 1000 })).toBeUndefined();
    expect(log.warnings).toEqual([]);
  });

  it('a price given in code that is invalid is reported, the others kept', () => {
    const { cost } = setup({ prices: [{ provider: 'openai', model: 'mine', input: '-1', output: '0.00001' }] });
    expect(log.warnings).toEqual([
      'mltel: a price given in code is ignored: openai/mine: input "-1" is not a decimal >= 0.',
    ]);
    expect(cost.price('openai', 'mine', { inputTokens: 10, outputTokens: 10 })?.usd).toBe(0.0001);
  });
});

describe('bad input never throws', () => {
  it('record() with garbage, invalid amounts and hostile getters', async () => {
    const { cost, collect } = setup();
    const hostile = (key: string) =>
      Object.defineProperty({ provider: 'openai', model: 'gpt-4o' }, key, {
        get() {
          throw new Error('hostile');
        },
        enumerable: true,
      });
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy');
        },
        has() {
          throw new Error('proxy');
        },
      },
    );
    const garbage: unknown[] = [
      undefined,
      null,
      42,
      'openai',
      [],
      {},
      { provider: 5 },
      { provider: 'openai', usd: Number.NaN },
      { provider: 'openai', usd: -1 },
      { provider: 'openai', usd: Number.POSITIVE_INFINITY },
      { provider: 'openai', usd: 'a lot' },
      { provider: 'openai', usd: {} },
      { provider: 'openai', model: 'gpt-4o', usage: 5 },
      { provider: 'openai', model: 'gpt-4o', usage: 'lots' },
      { provider: 'openai', model: 'gpt-4o', usage: { inputTokens: Number.NaN, outputTokens: -1 } },
      { provider: 'openai', model: 42, usage: { inputTokens: 1 } },
      hostile('provider'),
      hostile('usd'),
      hostile('usage'),
      { provider: 'openai', model: 'gpt-4o', usage: hostile('inputTokens') },
      proxy,
    ];
    for (const [i, bad] of garbage.entries()) {
      expect(() => cost.record(bad as never), `garbage #${i}`).not.toThrow();
    }
    const c = await collect();
    expect(c.points(COST)).toEqual([]);
    // A model that is not a string is left out: the call is an unpriced one of no model.
    expect(c.points(UNPRICED)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
    expect(log.warnings).toEqual([
      'mltel: record() needs { provider, usd or usage }, got undefined',
      'mltel: usd must be a number of dollars >= 0, got NaN; it is dropped',
      'mltel: no price for model "(no model)" at openai: its calls count in ml.cost.unpriced, not in ml.cost.usd. Fix: add its price (the prices option, or a price file in MLTEL_PRICES).',
      'mltel: a cost record threw while read; it is dropped',
    ]);
  });

  it('hostile usage through the provider meter', async () => {
    const { meter, collect } = setup();
    const usage = Object.defineProperty({ inputTokens: 10 }, 'outputTokens', {
      get() {
        throw new Error('hostile');
      },
      enumerable: true,
    });
    expect(() => meter.record({ ...CHAT, durationSeconds: 1, usage })).not.toThrow();
    await expect(meter.track(CHAT, async () => usage, { usage: (u) => u })).resolves.toBe(usage);
    expect((await collect()).points(COST)).toEqual([]);
  });

  it('a task that is not a string is dropped from the attributes', async () => {
    const { cost, collect } = setup();
    cost.record({ provider: 'openai', usd: 1, task: 7 as never });
    expect((await collect()).points(COST)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
  });

  it('constructor options that are garbage do not throw', () => {
    expect(() => new CostMeter({ prices: 'x' as never, budgets: 5 as never, priceFiles: [] })).not.toThrow();
  });
});

describe('the global meter provider', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    metrics.disable();
  });

  it('cost totals and budget gauges reach a global provider an SDK registered later without announcing it', async () => {
    const clock = new FakeClock(Date.parse('2025-06-15T12:00:00.000Z'));
    const cost = new CostMeter({ now: clock.now, budgets: [{ name: 'daily', limitUsd: 10, window: 'day' }] });
    cost.record({ provider: 'openai', usd: 1 });
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    // No announcement and no call in between: not yet.
    expect([...(await global.collect()).byName.keys()]).toEqual([]);
    vi.advanceTimersByTime(PROVIDER_RECHECK_MS);
    const c = await global.collect();
    expect(c.points(COST)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
    expect(c.points(LIMIT)).toEqual([{ attributes: budgetAttrs('daily', 'day'), value: 10 }]);
    expect(c.points(SPENT)).toEqual([{ attributes: budgetAttrs('daily', 'day'), value: 1 }]);
    expect(c.points(REMAINING)).toEqual([{ attributes: budgetAttrs('daily', 'day'), value: 9 }]);
    await cost.close();
  });

  it('the provider it leaves no longer runs its callbacks (totals, budget gauges)', async () => {
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    const cost = new CostMeter({ budgets: [{ name: 'daily', limitUsd: 10, window: 'day' }] });
    cost.record({ provider: 'openai', usd: 1 });
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    announceProviderChange();
    expect((await second.collect()).points(COST)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
    const old = await first.collect();
    // The first provider had the instruments (the per-call histogram), not the callbacks any more.
    expect(old.histograms(REQUEST_COST).map((h) => [h.attributes, h.count])).toEqual([[{ [PROVIDER]: 'openai' }, 1]]);
    expect(old.points(COST)).toEqual([]);
    expect(old.points(SPENT)).toEqual([]);
    await cost.close();
  });

  it('close() stops following, and leaves the totals on the provider for its final export', async () => {
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    const cost = new CostMeter({ budgets: [{ name: 'daily', limitUsd: 10, window: 'day' }] });
    cost.record({ provider: 'openai', usd: 2 });
    await cost.close();
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    vi.advanceTimersByTime(PROVIDER_RECHECK_MS);
    announceProviderChange();
    expect((await second.collect()).points(COST)).toEqual([]);
    const c = await first.collect();
    expect(c.points(COST)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 2 }]);
    expect(c.points(SPENT)).toEqual([{ attributes: budgetAttrs('daily', 'day'), value: 2 }]);
  });
});
