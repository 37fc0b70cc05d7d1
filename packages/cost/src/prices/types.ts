import type { Usd } from '../money.js';

/** Prices that apply above a threshold of input tokens in one request (e.g. long-context rates). */
export interface PriceTier {
  /** The tier applies when the request's input tokens are strictly above this many. */
  aboveInputTokens: number;
  /** Rates of this tier; a rate left out keeps the base rate. */
  input?: Usd;
  output?: Usd;
  cacheRead?: Usd;
  cacheWrite?: Usd;
  reasoning?: Usd;
}

/**
 * The price of one model at one provider from a date on. Token rates are per token, media rates
 * per unit. A rate left out is not charged, except cache and reasoning rates, which fall back to
 * the input and output rates.
 */
export interface PriceEntry {
  /** `gen_ai.provider.name` (`openai`, `anthropic`, `gcp.gemini`, ...). */
  provider: string;
  /** The model name as the provider bills it (`gpt-4o`, `claude-sonnet-4-20250514`). */
  model: string;
  /** First day (UTC, `YYYY-MM-DD`) the price applies; absent: always. */
  effectiveFrom?: string;
  /** Per input token that is not a cache read or write. */
  input?: Usd;
  /** Per output token (reasoning tokens included unless `reasoning` is set). */
  output?: Usd;
  /** Per input token read from the prompt cache. */
  cacheRead?: Usd;
  /** Per input token written to the prompt cache. */
  cacheWrite?: Usd;
  /** Per reasoning token, when billed apart from output. */
  reasoning?: Usd;
  /** Per audio input token (part of the input), when billed apart from text input. */
  audioInput?: Usd;
  /** Per image generated. */
  image?: Usd;
  /** Per second of audio. */
  audioSecond?: Usd;
  /** Per second of video. */
  videoSecond?: Usd;
  /** Per character (speech synthesis). */
  character?: Usd;
  /** Per request, whatever it used. */
  request?: Usd;
  /** Long-context tiers, lowest threshold first. */
  tiers?: PriceTier[];
  /** Where the price comes from (a URL, a file and commit). */
  source?: string;
}
