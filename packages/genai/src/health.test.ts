import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderHealthState } from './health.js';
import type { CircuitBreakerState } from './index.js';
import {
  captureDiag,
  CIRCUIT,
  CIRCUIT_STATE,
  httpError,
  networkError,
  PROVIDER,
  setup,
  STATUS,
} from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const circuit = (provider: string, current: string) =>
  ['closed', 'half_open', 'open'].map((state) => ({
    attributes: { [PROVIDER]: provider, [CIRCUIT_STATE]: state },
    value: state === current ? 1 : 0,
  }));

describe('setStatus()', () => {
  it('reports ml.provider.status per provider, even before any call is recorded', async () => {
    const { meter, collect } = setup();
    meter.setStatus('openai', false);
    meter.setStatus('anthropic', true);
    let c = await collect();
    expect(c.points(STATUS)).toEqual([
      { attributes: { [PROVIDER]: 'anthropic' }, value: 1 },
      { attributes: { [PROVIDER]: 'openai' }, value: 0 },
    ]);
    meter.setStatus('openai', true);
    c = await collect();
    expect(c.points(STATUS)).toEqual([
      { attributes: { [PROVIDER]: 'anthropic' }, value: 1 },
      { attributes: { [PROVIDER]: 'openai' }, value: 1 },
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('only true is healthy', async () => {
    const { meter, collect } = setup();
    meter.setStatus('openai', 'yes' as unknown as boolean);
    expect((await collect()).points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 0 }]);
  });
});

describe('setCircuitState()', () => {
  it('reports one series per state, 1 for the current one, following transitions', async () => {
    const { meter, collect } = setup();
    meter.setCircuitState('openai', 'closed');
    expect((await collect()).points(CIRCUIT)).toEqual(circuit('openai', 'closed'));
    meter.setCircuitState('openai', 'open');
    meter.setCircuitState('anthropic', 'half_open');
    expect((await collect()).points(CIRCUIT)).toEqual([
      ...circuit('anthropic', 'half_open'),
      ...circuit('openai', 'open'),
    ]);
    expect((await collect()).points(STATUS)).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('an invalid state is ignored with one warning; the current state stays', async () => {
    const { meter, collect } = setup();
    meter.setCircuitState('openai', 'open');
    for (let i = 0; i < 5; i++) meter.setCircuitState('openai', 'broken' as CircuitBreakerState);
    meter.setCircuitState('openai', 'OPEN' as CircuitBreakerState);
    expect((await collect()).points(CIRCUIT)).toEqual(circuit('openai', 'open'));
    expect(log.warnings).toEqual(['mltel: circuit-breaker state must be one of closed, open, half_open, got string']);
  });
});

describe('derived health', () => {
  it('is off by default: failures set no status', async () => {
    const { meter, collect } = setup();
    for (let i = 0; i < 10; i++)
      meter.record({ provider: 'openai', operation: 'chat', durationSeconds: 1, error: httpError(500) });
    expect((await collect()).points(STATUS)).toEqual([]);
  });

  it('429, 5xx and network errors are failures; the provider turns unhealthy once minCalls outcomes are known', async () => {
    const { meter, collect } = setup({ deriveHealth: true });
    const fail = (error: unknown) => meter.record({ provider: 'openai', operation: 'chat', durationSeconds: 1, error });
    fail(httpError(429));
    fail(httpError(500));
    fail(httpError(503));
    fail(networkError('ECONNRESET'));
    // 4 outcomes: fewer than the default minCalls (5), so still healthy.
    expect((await collect()).points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
    fail(networkError('ETIMEDOUT'));
    expect((await collect()).points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 0 }]);
  });

  it('400-class caller mistakes are not failures', async () => {
    const { meter, collect } = setup({ deriveHealth: true });
    for (const status of [400, 401, 404, 422, 400, 400]) {
      meter.record({ provider: 'openai', operation: 'chat', durationSeconds: 1, error: httpError(status) });
    }
    expect((await collect()).points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
  });

  it('tracked calls feed it: successes and failures per provider', async () => {
    const { meter, collect } = setup({ deriveHealth: { minCalls: 2 } });
    await meter.track({ provider: 'anthropic', operation: 'chat' }, async () => 'ok');
    await meter.track({ provider: 'anthropic', operation: 'chat' }, async () => 'ok');
    for (let i = 0; i < 2; i++) {
      await expect(
        meter.track({ provider: 'openai', operation: 'chat' }, () => Promise.reject(httpError(502))),
      ).rejects.toThrow();
    }
    expect((await collect()).points(STATUS)).toEqual([
      { attributes: { [PROVIDER]: 'anthropic' }, value: 1 },
      { attributes: { [PROVIDER]: 'openai' }, value: 0 },
    ]);
  });

  it('remembers only the last `window` outcomes (a ring buffer)', async () => {
    const { meter, collect } = setup({ deriveHealth: { window: 4, minCalls: 2 } });
    const status = async () => (await collect()).points(STATUS)[0]!.value;
    const ok = () => meter.record({ provider: 'openai', operation: 'chat', durationSeconds: 1 });
    const fail = () =>
      meter.record({ provider: 'openai', operation: 'chat', durationSeconds: 1, error: httpError(500) });
    fail();
    fail();
    expect(await status()).toBe(0);
    ok();
    ok();
    // F F S S: 2 of 4 failed, at the default ratio 0.5.
    expect(await status()).toBe(0);
    ok();
    // Last four: F S S S (the oldest failure left the window).
    expect(await status()).toBe(1);
    fail();
    // Last four: S S S F.
    expect(await status()).toBe(1);
    fail();
    // Last four: S S F F.
    expect(await status()).toBe(0);
    ok();
    ok();
    ok();
    // Last four: F S S S.
    expect(await status()).toBe(1);
  });

  it('maxFailureRatio sets the threshold', async () => {
    const { meter, collect } = setup({ deriveHealth: { window: 10, minCalls: 10, maxFailureRatio: 0.3 } });
    for (let i = 0; i < 10; i++) {
      meter.record({
        provider: 'openai',
        operation: 'chat',
        durationSeconds: 1,
        error: i >= 8 ? httpError(500) : undefined,
      });
    }
    // 2 of 10 failed: below 0.3.
    expect((await collect()).points(STATUS)[0]!.value).toBe(1);
    meter.record({ provider: 'openai', operation: 'chat', durationSeconds: 1, error: httpError(500) });
    // 3 of 10 failed: at 0.3.
    expect((await collect()).points(STATUS)[0]!.value).toBe(0);
  });

  it('a status set by hand wins over the derived one for that provider only', async () => {
    const { meter, collect } = setup({ deriveHealth: true });
    for (let i = 0; i < 5; i++) {
      meter.record({ provider: 'openai', operation: 'chat', durationSeconds: 1, error: httpError(500) });
      meter.record({ provider: 'mistral', operation: 'chat', durationSeconds: 1, error: httpError(500) });
    }
    meter.setStatus('openai', true);
    expect((await collect()).points(STATUS)).toEqual([
      { attributes: { [PROVIDER]: 'mistral' }, value: 0 },
      { attributes: { [PROVIDER]: 'openai' }, value: 1 },
    ]);
  });
});

describe('ProviderHealthState', () => {
  it('knows nothing of a provider without outcomes or a manual status', () => {
    const health = new ProviderHealthState(true);
    expect(health.status('openai')).toBeUndefined();
    health.outcome('openai', true);
    expect(health.status('openai')).toBe(1);
  });

  it('records no outcome when not deriving', () => {
    const health = new ProviderHealthState(false, { minCalls: 1 });
    health.outcome('openai', true);
    expect(health.status('openai')).toBeUndefined();
  });

  it('clamps minCalls to the window and ignores invalid options', () => {
    const clamped = new ProviderHealthState(true, { window: 3, minCalls: 50 });
    clamped.outcome('p', true);
    clamped.outcome('p', true);
    expect(clamped.status('p')).toBe(1);
    clamped.outcome('p', true);
    expect(clamped.status('p')).toBe(0);

    const defaults = new ProviderHealthState(true, { window: 2.5, minCalls: Number.NaN, maxFailureRatio: 7 });
    for (let i = 0; i < 4; i++) defaults.outcome('p', true);
    expect(defaults.status('p')).toBe(1);
    defaults.outcome('p', true);
    expect(defaults.status('p')).toBe(0);
    for (let i = 0; i < 10; i++) defaults.outcome('p', false);
    // Default window 20: 5 failed, 10 ok -> 1/3 < 0.5.
    expect(defaults.status('p')).toBe(1);
  });
});
