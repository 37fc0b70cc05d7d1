import { diag } from '@opentelemetry/api';
import Big from 'big.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag, COST, OPERATION, PROVIDER, REQUEST_COST, REQUEST_MODEL, setup } from '../test/harness.js';
import { bigJs, decimal, formatUsd, picoToUsd, toPico, usdToPico } from './money.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const MILLION = 1_000_000;

describe('exact decimals', () => {
  it('are big.js, loaded at the first use: the same Big an import of big.js gives', () => {
    expect(bigJs()).toBe(Big);
    expect(bigJs()).toBe(bigJs());
    expect(decimal('0.0000025')).toBeInstanceOf(Big);
  });

  it('reads strings and numbers exactly, rejects what is not a decimal >= 0', () => {
    expect(decimal('0.0000025')?.toFixed()).toBe('0.0000025');
    expect(decimal(2.5e-6)?.toFixed()).toBe('0.0000025');
    expect(decimal(0.1)?.toFixed()).toBe('0.1');
    expect(decimal('1e-12')?.toFixed()).toBe('0.000000000001');
    expect(decimal(0)?.toFixed()).toBe('0');
    for (const bad of [
      undefined,
      -1,
      '-0.5',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      'abc',
      '',
      ' ',
      {},
      [],
      null,
      true,
    ]) {
      expect(decimal(bad as never), String(bad)).toBeUndefined();
    }
  });

  it('rounds to whole pico-dollars half-even, once', () => {
    expect(toPico(decimal('0.0000025')!)).toBe(2_500_000n);
    expect(toPico(decimal('0.0000000000005')!)).toBe(0n);
    expect(toPico(decimal('0.0000000000015')!)).toBe(2n);
    expect(toPico(decimal('0.0000000000025')!)).toBe(2n);
    expect(toPico(decimal('0.00000000000250001')!)).toBe(3n);
    expect(toPico(decimal('123456789.123456789012')!)).toBe(123_456_789_123_456_789_012n);
  });

  it('converts pico-dollars to dollars only at the edge', () => {
    expect(picoToUsd(2_500_000_000_000n)).toBe(2.5);
    expect(picoToUsd(300_000_000_000n)).toBe(0.3);
    expect(picoToUsd(0n)).toBe(0);
    expect(formatUsd(2_500_000_000_000n)).toBe('2.5');
    expect(formatUsd(1n)).toBe('0.000000000001');
    expect(formatUsd(2n ** 70n)).toBe('1180591620.717411303424');
    expect(usdToPico('10')).toBe(10_000_000_000_000n);
    expect(usdToPico(0.1)).toBe(100_000_000_000n);
    expect(usdToPico(-1)).toBeUndefined();
    expect(usdToPico('ten')).toBeUndefined();
  });

  it('0.1 + 0.2 dollars is 0.3, not 0.30000000000000004', () => {
    expect(picoToUsd(usdToPico(0.1)! + usdToPico(0.2)!)).toBe(0.3);
  });
});

// The same through the provider meter (auto-instrumentation path): exact-total.test.ts.
describe('a million calls of $0.0000025 sum to exactly 2.5', () => {
  // The float sum drifts: the exact sum is what the meter must report.
  it('(a float sum does not)', () => {
    let float = 0;
    for (let i = 0; i < MILLION; i++) float += 0.0000025;
    expect(float).not.toBe(2.5);
  });

  it('through CostMeter.record with usd', async () => {
    const { cost, collect } = setup({ defaultPrices: false });
    for (let i = 0; i < MILLION; i++) cost.record({ provider: 'openai', model: 'gpt-4o', usd: '0.0000025' });
    const c = await collect();
    expect(c.points(COST)).toEqual([{ attributes: { [PROVIDER]: 'openai', [REQUEST_MODEL]: 'gpt-4o' }, value: 2.5 }]);
    expect(c.histograms(REQUEST_COST)[0]?.count).toBe(MILLION);
    expect(log.warnings).toEqual([]);
    await cost.close();
  }, 120_000);

  it('through CostMeter.record with usage priced by the catalog (100000 calls: 0.25)', async () => {
    const { cost, collect } = setup({
      defaultPrices: false,
      prices: [{ provider: 'openai', model: 'gpt-4o', input: '0.0000025' }],
    });
    for (let i = 0; i < MILLION / 10; i++)
      cost.record({ provider: 'openai', model: 'gpt-4o', operation: 'chat', usage: { inputTokens: 1 } });
    const c = await collect();
    expect(c.points(COST)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' }, value: 0.25 },
    ]);
    expect(log.warnings).toEqual([]);
    await cost.close();
  }, 120_000);
});

describe('picoToUsd', () => {
  it('gives the double nearest the exact decimal, below and above 2^53 pico-dollars', () => {
    const exact = (pico: bigint): number => Number(new Big(pico.toString()).div('1e12').toString());
    let seed = 11n;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 6_364_136_223_846_793_005n + 1_442_695_040_888_963_407n) % 2n ** 64n;
      const pico = seed % (i % 2 === 0 ? 10n ** 16n : 10n ** (BigInt(i % 19) + 1n));
      expect(picoToUsd(pico), String(pico)).toBe(exact(pico));
      expect(picoToUsd(-pico)).toBe(exact(-pico));
    }
    for (const pico of [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 10n ** 30n + 7n]) {
      expect(picoToUsd(pico), String(pico)).toBe(exact(pico));
    }
  });
});
