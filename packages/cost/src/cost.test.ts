import { describe, expect, it } from 'vitest';
import type { ProviderUsage } from '@mltel/genai';
import { callCost, decimalCallCost, reportsUsage } from './cost.js';
import { formatUsd } from './money.js';
import { normalisePrice } from './prices/catalog.js';
import { DEFAULT_PRICES } from './prices/default-prices.js';
import type { Price } from './prices/catalog.js';
import type { PriceEntry } from './prices/types.js';

function price(entry: Omit<PriceEntry, 'provider' | 'model'>): Price {
  const problems: string[] = [];
  const normalised = normalisePrice({ provider: 'p', model: 'm', ...entry }, 'user', problems);
  expect(problems).toEqual([]);
  return normalised!;
}

/** The cost in dollars (exact decimal string) and the unpriced units. */
function cost(p: Price, usage: ProviderUsage | undefined, succeeded = true): [string, string[]] {
  const result = callCost(p, usage, succeeded);
  return [formatUsd(result.pico), [...result.unpricedUnits]];
}

// Anthropic-like: every token rate distinct, so each split shows in the total.
const FULL = price({
  input: '0.000003',
  output: '0.000015',
  cacheRead: '0.0000003',
  cacheWrite: '0.00000375',
  reasoning: '0.00002',
});
const TOKENS_ONLY = price({ input: '0.000002', output: '0.000008' });

describe('callCost: token splits', () => {
  it('uncached input and output', () => {
    expect(cost(FULL, { inputTokens: 1000, outputTokens: 100 })).toEqual(['0.0045', []]);
    expect(callCost(FULL, { inputTokens: 1000, outputTokens: 100 }, true).pico).toBe(4_500_000_000n);
  });

  it('cache reads are part of input and charged at the cache read rate', () => {
    // 600 × 0.000003 + 400 × 0.0000003.
    expect(cost(FULL, { inputTokens: 1000, cacheReadInputTokens: 400 })).toEqual(['0.00192', []]);
  });

  it('cache writes are part of input and charged at the cache write rate', () => {
    // 700 × 0.000003 + 300 × 0.00000375.
    expect(cost(FULL, { inputTokens: 1000, cacheCreationInputTokens: 300 })).toEqual(['0.003225', []]);
  });

  it('cache reads and writes together', () => {
    // 300 × 0.000003 + 500 × 0.0000003 + 200 × 0.00000375 + 50 × 0.000015.
    expect(
      cost(FULL, { inputTokens: 1000, cacheReadInputTokens: 500, cacheCreationInputTokens: 200, outputTokens: 50 }),
    ).toEqual(['0.00255', []]);
  });

  it('cache counts above the input count never make uncached input negative', () => {
    // 0 uncached; 800 × 0.0000003 + 400 × 0.00000375.
    expect(cost(FULL, { inputTokens: 1000, cacheReadInputTokens: 800, cacheCreationInputTokens: 400 })).toEqual([
      '0.00174',
      [],
    ]);
  });

  it('reasoning tokens are part of output, at their own rate when the price has one', () => {
    // 600 × 0.000015 + 400 × 0.00002.
    expect(cost(FULL, { outputTokens: 1000, reasoningTokens: 400 })).toEqual(['0.017', []]);
    // More reasoning than output: capped at the output.
    expect(cost(FULL, { outputTokens: 100, reasoningTokens: 400 })).toEqual(['0.002', []]);
  });

  it('reasoning tokens at the output rate when the price has no reasoning rate', () => {
    expect(cost(TOKENS_ONLY, { outputTokens: 1000, reasoningTokens: 400 })).toEqual(['0.008', []]);
  });

  it('cache rates fall back to the input rate', () => {
    // 1000 × 0.000002, wherever the tokens came from.
    expect(cost(TOKENS_ONLY, { inputTokens: 1000, cacheReadInputTokens: 400, cacheCreationInputTokens: 100 })).toEqual([
      '0.002',
      [],
    ]);
    // Only the missing one falls back.
    const readOnly = price({ input: '0.000002', cacheRead: '0.0000002' });
    // 500 × 0.000002 + 400 × 0.0000002 + 100 × 0.000002.
    expect(cost(readOnly, { inputTokens: 1000, cacheReadInputTokens: 400, cacheCreationInputTokens: 100 })).toEqual([
      '0.00128',
      [],
    ]);
  });

  it('a tier applies to the whole request above its threshold, missing tier rates keep the base rate', () => {
    const tiered = price({
      input: '0.00000125',
      output: '0.00001',
      cacheRead: '0.0000003125',
      tiers: [
        { aboveInputTokens: 200_000, input: '0.0000025', output: '0.000015' },
        { aboveInputTokens: 500_000, input: '0.000005' },
      ],
    });
    expect(cost(tiered, { inputTokens: 200_000, outputTokens: 1000 })).toEqual(['0.26', []]);
    // 200001 × 0.0000025 + 1000 × 0.000015.
    expect(cost(tiered, { inputTokens: 200_001, outputTokens: 1000 })).toEqual(['0.5150025', []]);
    // 400000 × 0.0000025 + 100000 × 0.0000003125 (base cache rate).
    expect(cost(tiered, { inputTokens: 500_000, cacheReadInputTokens: 100_000 })).toEqual(['1.03125', []]);
    // Highest tier: its input rate, the base output rate (the tier has none).
    expect(cost(tiered, { inputTokens: 600_000, outputTokens: 1000 })).toEqual(['3.01', []]);
  });
});

describe('callCost: media, characters and requests', () => {
  const MEDIA = price({ image: '0.04', audioSecond: '0.0001', videoSecond: '0.1', character: '0.000015' });

  it('images, audio and video seconds, characters', () => {
    expect(cost(MEDIA, { images: 3 })).toEqual(['0.12', []]);
    expect(cost(MEDIA, { audioSeconds: 90.5 })).toEqual(['0.00905', []]);
    expect(cost(MEDIA, { videoSeconds: 8 })).toEqual(['0.8', []]);
    expect(cost(MEDIA, { characters: 1234 })).toEqual(['0.01851', []]);
    expect(cost(MEDIA, { images: 1, audioSeconds: 10, videoSeconds: 2, characters: 100 })).toEqual(['0.2425', []]);
  });

  it('per-request rate only for a successful call', () => {
    const perRequest = price({ request: '0.01', input: '0.000001' });
    expect(cost(perRequest, { inputTokens: 1000 }, true)).toEqual(['0.011', []]);
    expect(cost(perRequest, { inputTokens: 1000 }, false)).toEqual(['0.001', []]);
    expect(cost(perRequest, undefined, true)).toEqual(['0.01', []]);
    expect(cost(perRequest, undefined, false)).toEqual(['0', []]);
  });

  it('reports quantities with no rate as unpriced units, and does not charge them', () => {
    expect(cost(TOKENS_ONLY, { images: 2, audioSeconds: 5, videoSeconds: 1, characters: 10 })).toEqual([
      '0',
      ['image', 'audioSecond', 'videoSecond', 'character'],
    ]);
    expect(cost(MEDIA, { inputTokens: 100, cacheReadInputTokens: 10, outputTokens: 5, images: 1 })).toEqual([
      '0.04',
      ['input', 'cacheRead', 'output'],
    ]);
    const outputOnly = price({ output: '0.000001' });
    expect(cost(outputOnly, { inputTokens: 100, cacheCreationInputTokens: 50, outputTokens: 10 })).toEqual([
      '0.00001',
      ['input', 'cacheWrite'],
    ]);
  });

  // gpt-image-1 as the catalog prices it ($5/M in, $40/M out, no image rate) and as OpenAI bills
  // it: by tokens. Its one image beside the tokens is no missing price; gpt-4o-mini-tts's
  // characters, with no token charged, are (its price has token rates only).
  const GPT_IMAGE = price({ input: '0.000005', output: '0.00004', cacheRead: '0.00000125' });
  const gptImageCall: ProviderUsage = { inputTokens: 50, outputTokens: 50, images: 1 };
  it('a media count beside tokens charged at a token rate is informational, not unpriced', () => {
    // 50 x $5/M + 50 x $40/M.
    expect(cost(GPT_IMAGE, gptImageCall)).toEqual(['0.00225', []]);
    expect(cost(TOKENS_ONLY, { inputTokens: 1000, audioSeconds: 5, videoSeconds: 1, characters: 10 })).toEqual([
      '0.002',
      [],
    ]);
    const decimal = decimalCallCost(GPT_IMAGE, gptImageCall, true);
    expect([formatUsd(decimal.pico), [...decimal.unpricedUnits]]).toEqual(['0.00225', []]);
    // Fractional tokens take the decimal path of callCost.
    expect(cost(GPT_IMAGE, { inputTokens: 0.5, outputTokens: 50, images: 1 })).toEqual(['0.0020025', []]);
  });

  it('a media count with no token charged and no rate of its own stays unpriced', () => {
    const tts = price({ input: '0.0000006', output: '0.000012' });
    expect(cost(tts, { characters: 6 })).toEqual(['0', ['character']]);
    expect([...decimalCallCost(tts, { characters: 6 }, true).unpricedUnits]).toEqual(['character']);
    // Tokens that found no rate either charge nothing: the image stays a gap too.
    const outputOnly = price({ output: '0.00004' });
    expect(cost(outputOnly, { inputTokens: 50, images: 1 })).toEqual(['0', ['input', 'image']]);
    expect([...decimalCallCost(outputOnly, { inputTokens: 50, images: 1 }, true).unpricedUnits]).toEqual([
      'input',
      'image',
    ]);
  });

  // gpt-4o-transcribe as OpenAI bills it: text input $2.50/M, audio input $6/M, output $10/M.
  const TRANSCRIBE = price({ input: '0.0000025', audioInput: '0.000006', output: '0.00001' });
  it('audio input tokens at the audio input rate, else at the input rate', () => {
    const call: ProviderUsage = { inputTokens: 14, audioInputTokens: 14, outputTokens: 45 };
    // 14 x $6/M + 45 x $10/M; with 4 of them text: 4 x $2.50/M + 10 x $6/M + 45 x $10/M.
    expect(cost(TRANSCRIBE, call)).toEqual(['0.000534', []]);
    expect(cost(TRANSCRIBE, { ...call, audioInputTokens: 10 })).toEqual(['0.00052', []]);
    expect(formatUsd(decimalCallCost(TRANSCRIBE, call, true).pico)).toBe('0.000534');
    // No audio rate: the input rate (14 x $2.50/M + 45 x $10/M).
    expect(cost(TOKENS_ONLY, call)).toEqual(['0.000388', []]);
    // Never more audio than uncached input: 10 in, 4 of them cache reads (at the input rate).
    expect(cost(TRANSCRIBE, { inputTokens: 10, cacheReadInputTokens: 4, audioInputTokens: 100 })).toEqual([
      '0.000046',
      [],
    ]);
  });

  it('zero, missing and invalid quantities are not charged nor reported', () => {
    expect(cost(TOKENS_ONLY, undefined)).toEqual(['0', []]);
    expect(cost(TOKENS_ONLY, {})).toEqual(['0', []]);
    expect(cost(TOKENS_ONLY, { inputTokens: 0, outputTokens: 0, images: 0 })).toEqual(['0', []]);
    expect(
      cost(TOKENS_ONLY, {
        inputTokens: Number.NaN,
        outputTokens: -5,
        images: Number.POSITIVE_INFINITY,
        audioSeconds: '3' as never,
        cacheReadInputTokens: null as never,
      }),
    ).toEqual(['0', []]);
  });

  it('rounds a call once, half-even to whole pico-dollars', () => {
    const tiny = price({ input: '0.0000000000005', output: '0.0000000000015' });
    expect(callCost(tiny, { inputTokens: 1 }, true).pico).toBe(0n);
    expect(callCost(tiny, { outputTokens: 1 }, true).pico).toBe(2n);
    expect(callCost(tiny, { inputTokens: 3 }, true).pico).toBe(2n);
    // Summed before rounding: 0.5 + 1.5 pico.
    expect(callCost(tiny, { inputTokens: 1, outputTokens: 1 }, true).pico).toBe(2n);
  });
});

describe('reportsUsage', () => {
  it('is true when a billable quantity is reported', () => {
    expect(reportsUsage(undefined)).toBe(false);
    expect(reportsUsage({})).toBe(false);
    expect(reportsUsage({ responseModel: 'gpt-4o' })).toBe(false);
    expect(reportsUsage({ inputTokens: 0 })).toBe(false);
    expect(reportsUsage({ inputTokens: 1 })).toBe(true);
    expect(reportsUsage({ outputTokens: 1 })).toBe(true);
    expect(reportsUsage({ images: 1 })).toBe(true);
    expect(reportsUsage({ audioSeconds: 0.5 })).toBe(true);
    expect(reportsUsage({ videoSeconds: 1 })).toBe(true);
    expect(reportsUsage({ characters: 1 })).toBe(true);
  });
});

describe('callCost: the integer path', () => {
  // Every default price, and prices with more than 12 decimals or tiers, against big.js.
  const prices: Price[] = [
    FULL,
    TOKENS_ONLY,
    price({ input: '0.0000000000005', output: '0.0000000000015' }),
    price({ input: '0.00000000000000123', output: '3' }),
    price({ request: '0.01', input: '0.000001', image: '0.04', audioSecond: '0.0001', character: '0.000015' }),
    price({
      input: '0.00000125',
      output: '0.00001',
      reasoning: '0.00002',
      cacheRead: '0.0000003125',
      tiers: [
        { aboveInputTokens: 200_000, input: '0.0000025', output: '0.000015' },
        { aboveInputTokens: 500_000, input: '0.000005' },
      ],
    }),
    ...DEFAULT_PRICES.map((entry) => {
      const problems: string[] = [];
      return normalisePrice(entry, 'default', problems)!;
    }),
  ];

  // CPU-bound, seconds on a loaded machine: a longer bound than the unit default of 5 s.
  it('gives exactly what big.js gives, for whole and fractional quantities and huge ones', { timeout: 30_000 }, () => {
    let seed = 7;
    const random = (max: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((seed / 2_147_483_648) * max);
    };
    const pick = (max: number): number | undefined => (random(4) === 0 ? undefined : random(max));
    for (const p of prices) {
      for (let i = 0; i < 40; i++) {
        const usage: ProviderUsage = {
          inputTokens: i === 0 ? 1e12 : pick(700_000),
          outputTokens: pick(50_000),
          cacheReadInputTokens: pick(300_000),
          cacheCreationInputTokens: pick(100_000),
          reasoningTokens: pick(40_000),
          audioInputTokens: pick(200_000),
          images: pick(5),
          audioSeconds: i % 7 === 0 ? random(1000) / 8 : pick(100),
          videoSeconds: pick(10),
          characters: pick(100_000),
        };
        const succeeded = i % 3 !== 0;
        const fast = callCost(p, usage, succeeded);
        const reference = decimalCallCost(p, usage, succeeded);
        expect(fast.pico, `${p.provider}/${p.model} ${JSON.stringify(usage)}`).toBe(reference.pico);
        expect([...fast.unpricedUnits]).toEqual([...reference.unpricedUnits]);
      }
    }
  });
});
