import { metrics } from '@opentelemetry/api';
import { sdkHarness } from '@mltel/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitOpenError, createDependencyHealth, MAX_DEPENDENCIES } from './dependency-health.js';
import type { DependencyHealth } from './dependency-health.js';

const { sdkProvider, captureDiag } = sdkHarness([
  'ml.dependency.name',
  'ml.circuit_breaker.state',
  'ml.circuit_breaker.from',
  'ml.circuit_breaker.to',
]);

const opened: DependencyHealth[] = [];
afterEach(() => {
  for (const h of opened.splice(0)) h.close();
  metrics.disable();
});

function setUp(extra: { failureThreshold?: number; openMs?: number; halfOpenSuccesses?: number } = {}) {
  const sdk = sdkProvider();
  const clock = { t: 1000 };
  const health = createDependencyHealth({
    name: 'rabbitmq',
    kind: 'broker',
    meterProvider: sdk.provider,
    now: () => clock.t,
    failureThreshold: 3,
    openMs: 10_000,
    ...extra,
  });
  opened.push(health);
  const states = async (): Promise<Record<string, number>> => {
    const c = await sdk.collect();
    return Object.fromEntries(
      c.points('ml.dependency.circuit_breaker.state').map((p) => [p.attributes['ml.circuit_breaker.state'], p.value]),
    );
  };
  const transitions = async (): Promise<Record<string, number>> => {
    const c = await sdk.collect();
    return Object.fromEntries(
      c
        .points('ml.dependency.circuit_breaker.transitions')
        .map((p) => [`${p.attributes['ml.circuit_breaker.from']}>${p.attributes['ml.circuit_breaker.to']}`, p.value]),
    );
  };
  return { sdk, clock, health, states, transitions };
}

describe('createDependencyHealth', () => {
  it('reports every state at zero but the current one, and healthy, before any call', async () => {
    const { sdk, states } = setUp();
    expect(await states()).toEqual({ closed: 1, open: 0, half_open: 0 });
    const c = await sdk.collect();
    expect(c.points('ml.dependency.status')).toEqual([
      { attributes: { 'ml.dependency.name': 'rabbitmq', 'ml.dependency.kind': 'broker' }, value: 1 },
    ]);
  });

  it('opens after the threshold of consecutive failures; a success resets the streak', async () => {
    const { sdk, health, states } = setUp();
    health.recordFailure(new TypeError('x'));
    health.recordFailure(new TypeError('x'));
    health.recordSuccess();
    health.recordFailure(new TypeError('x'));
    health.recordFailure(new TypeError('x'));
    expect(health.state()).toBe('closed');
    health.recordFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    expect(health.state()).toBe('open');
    expect(health.healthy()).toBe(false);
    expect(await states()).toEqual({ closed: 0, open: 1, half_open: 0 });
    const c = await sdk.collect();
    expect(c.points('ml.dependency.status')[0]?.value).toBe(0);
    expect(c.points('ml.dependency.failures').map((p) => [p.attributes['error.type'], p.value])).toEqual([
      ['ECONNREFUSED', 1],
      ['TypeError', 4],
    ]);
  });

  it('refuses calls while open, counted as circuit_open; half-open after openMs; a success closes', async () => {
    const { sdk, clock, health, transitions } = setUp();
    for (let i = 0; i < 3; i++) health.recordFailure();
    expect(health.allowRequest()).toBe(false);
    await expect(health.run(() => 1)).rejects.toBeInstanceOf(CircuitOpenError);
    clock.t += 9_999;
    expect(health.state()).toBe('open');
    clock.t += 1;
    expect(health.state()).toBe('half_open');
    expect(health.healthy()).toBe(true);
    expect(await health.run(async () => 42)).toBe(42);
    expect(health.state()).toBe('closed');
    expect(await transitions()).toEqual({
      'closed>open': 1,
      'half_open>closed': 1,
      'half_open>open': 0,
      'open>half_open': 1,
    });
    const c = await sdk.collect();
    const circuitOpen = c.points('ml.dependency.failures').find((p) => p.attributes['error.type'] === 'circuit_open');
    expect(circuitOpen?.value).toBe(2);
  });

  it('counts a half-open to open flip that lasted 200 ms between two collections', async () => {
    const { clock, health, states, transitions } = setUp();
    for (let i = 0; i < 3; i++) health.recordFailure();
    expect(await states()).toEqual({ closed: 0, open: 1, half_open: 0 });
    // Between two scrapes: the breaker goes half-open, and its trial call fails 200 ms later.
    clock.t += 10_000;
    expect(health.allowRequest()).toBe(true);
    clock.t += 200;
    await expect(
      health.run(() => {
        throw new RangeError('still down');
      }),
    ).rejects.toBeInstanceOf(RangeError);
    // The gauge shows open both times; only the counter tells the flip happened.
    expect(await states()).toEqual({ closed: 0, open: 1, half_open: 0 });
    expect(await transitions()).toMatchObject({ 'open>half_open': 1, 'half_open>open': 1 });
  });

  it('needs halfOpenSuccesses successes to close', () => {
    const { clock, health } = setUp({ halfOpenSuccesses: 2 });
    for (let i = 0; i < 3; i++) health.recordFailure();
    clock.t += 10_000;
    health.recordSuccess();
    expect(health.state()).toBe('half_open');
    health.recordSuccess();
    expect(health.state()).toBe('closed');
  });

  it('health marked down by hand wins until reset', async () => {
    const { sdk, health } = setUp();
    health.setHealthy(false);
    expect((await sdk.collect()).points('ml.dependency.status')[0]?.value).toBe(0);
    health.setHealthy(undefined);
    expect((await sdk.collect()).points('ml.dependency.status')[0]?.value).toBe(1);
  });

  it('falls back to defaults on bad options with one warning each, and never throws', () => {
    const diag = captureDiag();
    const sdk = sdkProvider();
    const health = createDependencyHealth({
      name: '' as string,
      failureThreshold: -1,
      openMs: Number.NaN,
      meterProvider: sdk.provider,
    });
    opened.push(health);
    expect(health.name).toBe('unknown');
    expect(health.kind).toBe('service');
    for (let i = 0; i < 4; i++) health.recordFailure();
    expect(health.state()).toBe('closed');
    health.recordFailure();
    expect(health.state()).toBe('open');
    expect(diag.warnings.length).toBe(3);
    expect(() => health.setHealthy('yes' as unknown as boolean)).not.toThrow();
  });

  it('caps the dependencies reported at once; close() frees a place the dependencies reported at once', async () => {
    const diag = captureDiag();
    const sdk = sdkProvider();
    const many: DependencyHealth[] = [];
    for (let i = 0; i <= MAX_DEPENDENCIES; i++) {
      many.push(createDependencyHealth({ name: `d${i}`, meterProvider: sdk.provider }));
    }
    opened.push(...many);
    const c = await sdk.collect();
    expect(c.points('ml.dependency.status').length).toBe(MAX_DEPENDENCIES);
    expect(diag.warnings.some((w) => w.includes(`more than ${MAX_DEPENDENCIES}`))).toBe(true);
    for (const h of many) h.close();
    // A closed dependency frees its place: a new one is reported again.
    const later = createDependencyHealth({ name: 'later', meterProvider: sdk.provider });
    opened.push(later);
    const names = (await sdk.collect()).points('ml.dependency.status').map((p) => p.attributes['ml.dependency.name']);
    expect(names).toContain('later');
  });
});
