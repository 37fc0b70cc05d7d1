// Money without float drift: prices are exact decimals (big.js), a call's cost is rounded once to
// a whole number of pico-dollars (1e-12 USD) and totals are sums of those integers (bigint). A
// million calls of $0.0000025 sum to exactly $2.5; the only float is the one made at export.
// big.js rather than hand-written decimal parsing: it reads both "0.0000025" and 2.5e-6 exactly.
// It is loaded at its first use (a price read, an amount in dollars), not with the package: the
// preload starts a cost meter that needs none of it until the first priced call.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Big from 'big.js';

/**
 * A decimal amount of US dollars as a string (`"0.0000025"`), so prices keep every digit they
 * were published with; numbers are accepted where a price is given in code and converted through
 * their shortest decimal form.
 */
export type Usd = string | number;

/** Whole pico-dollars (1e-12 USD). */
export type Pico = bigint;

let bigConstructor: typeof Big | undefined;
let picoPerUsd: Big | undefined;

/**
 * The big.js constructor, loaded (synchronously) at the first call: its ES module, the same
 * `Big` an `import Big from 'big.js'` gives.
 */
export function bigJs(): typeof Big {
  if (bigConstructor === undefined) {
    const module = createRequire(import.meta.url)(fileURLToPath(import.meta.resolve('big.js'))) as {
      default: typeof Big;
    };
    bigConstructor = module.default;
  }
  return bigConstructor;
}

function picosPerUsd(): Big {
  picoPerUsd ??= new (bigJs())('1e12');
  return picoPerUsd;
}

/** The exact decimal of a price; undefined when it is not a finite number >= 0. */
export function decimal(value: Usd | undefined): Big | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    const amount = new (bigJs())(value);
    return amount.lt(0) ? undefined : amount;
  } catch {
    return undefined;
  }
}

/** An amount in dollars, rounded half-even to whole pico-dollars. */
export function toPico(usd: Big): Pico {
  return BigInt(usd.times(picosPerUsd()).round(0, bigJs().roundHalfEven).toFixed(0));
}

const MAX_EXACT_PICO = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_EXACT_PICO = -MAX_EXACT_PICO;

/** US dollars as a number, for export and display: the one place a float is made. */
export function picoToUsd(pico: Pico): number {
  // Up to 2^53 pico-dollars (~$9,007) both operands are exact doubles, and IEEE division rounds
  // the exact quotient once: the same double as parsing its exact decimal (big.js below), at a
  // fraction of the cost (this runs on every priced call). Larger amounts go through big.js.
  if (pico <= MAX_EXACT_PICO && pico >= MIN_EXACT_PICO) return Number(pico) / 1e12;
  return Number(new (bigJs())(pico.toString()).div(picosPerUsd()).toString());
}

/** Pico-dollars from a dollar amount given by a user (a limit): undefined when invalid. */
export function usdToPico(value: Usd): Pico | undefined {
  const amount = decimal(value);
  return amount === undefined ? undefined : toPico(amount);
}

/** A dollar amount as an exact decimal string (`"2.5"`), for messages. */
export function formatUsd(pico: Pico): string {
  return new (bigJs())(pico.toString()).div(picosPerUsd()).toFixed();
}
