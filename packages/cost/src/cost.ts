import Big from 'big.js';
import type { ProviderUsage } from '@mltel/genai';
import { toPico } from './money.js';
import type { Pico } from './money.js';
import type { Price, Rate } from './prices/catalog.js';

/** The cost of one call. */
export interface CallCost {
  /** Whole pico-dollars. */
  readonly pico: Pico;
  /** Quantities that were reported but have no rate in the price (not charged, never guessed). */
  readonly unpricedUnits: readonly Rate[];
}

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * What a call cost under `price`, from the usage the provider reported: uncached input, cache
 * reads and writes (at the input rate when the price has no cache rate), output (reasoning at its
 * own rate when the price has one), images, audio and video seconds, characters, and the
 * per-request rate for a successful call. A long-context tier applies to the whole request when
 * its input is above the tier's threshold.
 */
export function callCost(price: Price, usage: ProviderUsage | undefined, succeeded: boolean): CallCost {
  const input = count(usage?.inputTokens);
  const tier = [...price.tiers].reverse().find((t) => input > t.aboveInputTokens);
  const rate = (name: Rate): Big | undefined => tier?.rates[name] ?? price.rates[name];
  const cacheRead = count(usage?.cacheReadInputTokens);
  const cacheWrite = count(usage?.cacheCreationInputTokens);
  const output = count(usage?.outputTokens);
  const reasoning = Math.min(count(usage?.reasoningTokens), output);
  const quantities: [Rate, number, Rate?][] = [
    ['input', Math.max(0, input - cacheRead - cacheWrite)],
    ['cacheRead', cacheRead, 'input'],
    ['cacheWrite', cacheWrite, 'input'],
    ...(rate('reasoning') === undefined
      ? ([['output', output]] as [Rate, number][])
      : ([
          ['output', output - reasoning],
          ['reasoning', reasoning],
        ] as [Rate, number][])),
    ['image', count(usage?.images)],
    ['audioSecond', count(usage?.audioSeconds)],
    ['videoSecond', count(usage?.videoSeconds)],
    ['character', count(usage?.characters)],
  ];
  let total = new Big(0);
  const unpricedUnits: Rate[] = [];
  for (const [name, quantity, fallback] of quantities) {
    if (quantity === 0) continue;
    const r = rate(name) ?? (fallback === undefined ? undefined : rate(fallback));
    if (r === undefined) {
      unpricedUnits.push(name);
      continue;
    }
    total = total.plus(r.times(quantity));
  }
  const perRequest = rate('request');
  if (succeeded && perRequest !== undefined) total = total.plus(perRequest);
  return { pico: toPico(total), unpricedUnits };
}

/** Whether the usage reports anything that costs money. */
export function reportsUsage(usage: ProviderUsage | undefined): boolean {
  if (usage === undefined) return false;
  return [
    usage.inputTokens,
    usage.outputTokens,
    usage.images,
    usage.audioSeconds,
    usage.videoSeconds,
    usage.characters,
  ].some((v) => count(v) > 0);
}
