// Provider rate-limit headroom as the response headers report it. Only the named headers are
// looked up (a handful of `headers.get` calls per response); nothing else of the response is read.
import type { ML_RATE_LIMIT_KIND_VALUES } from '@mltel/semconv';

/** `ml.rate_limit.kind`: which limit a reading is about. */
export type RateLimitKind = (typeof ML_RATE_LIMIT_KIND_VALUES)[number];

/** One limit's state from one response. A field the headers did not carry is left undefined. */
export interface RateLimitReading {
  readonly kind: RateLimitKind;
  /** Requests or tokens allowed per window. */
  readonly limit?: number | undefined;
  /** Requests or tokens left in the current window. */
  readonly remaining?: number | undefined;
  /** When the window refills, in Unix milliseconds. */
  readonly resetAtMs?: number | undefined;
}

/** The header families: `openai` (`x-ratelimit-*`, also sent by OpenAI-compatible APIs) and `anthropic`. */
export type RateLimitHeaderFamily = 'openai' | 'anthropic';

/** What a fetch `Headers` (or node-fetch's) offers. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/** How one family of headers spells a limit, and how its reset time is written. */
interface HeaderScheme {
  readonly kind: RateLimitKind;
  readonly limit: string;
  readonly remaining: string;
  readonly reset?: string;
  readonly resetFormat: 'duration' | 'rfc3339';
}

// OpenAI's headers (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers),
// also sent by Azure OpenAI, Groq and other OpenAI-compatible APIs: resets are Go durations
// (`1s`, `6m0s`, `2m59.56s`, `20ms`).
const OPENAI: readonly HeaderScheme[] = [
  {
    kind: 'requests',
    limit: 'x-ratelimit-limit-requests',
    remaining: 'x-ratelimit-remaining-requests',
    reset: 'x-ratelimit-reset-requests',
    resetFormat: 'duration',
  },
  {
    kind: 'tokens',
    limit: 'x-ratelimit-limit-tokens',
    remaining: 'x-ratelimit-remaining-tokens',
    reset: 'x-ratelimit-reset-tokens',
    resetFormat: 'duration',
  },
];

// Other OpenAI-compatible APIs, read when a response has none of OpenAI's: Together AI
// (`x-ratelimit-{limit,remaining,reset}` for requests, reset in seconds; `x-tokenlimit-*` for
// tokens) and Mistral (requests per 10 seconds, tokens per minute; no reset header).
const OPENAI_COMPATIBLE: readonly HeaderScheme[] = [
  {
    kind: 'requests',
    limit: 'x-ratelimit-limit',
    remaining: 'x-ratelimit-remaining',
    reset: 'x-ratelimit-reset',
    resetFormat: 'duration',
  },
  { kind: 'tokens', limit: 'x-tokenlimit-limit', remaining: 'x-tokenlimit-remaining', resetFormat: 'duration' },
  {
    kind: 'requests',
    limit: 'x-ratelimit-limit-req-10-second',
    remaining: 'x-ratelimit-remaining-req-10-second',
    resetFormat: 'duration',
  },
  {
    kind: 'tokens',
    limit: 'x-ratelimit-limit-tokens-minute',
    remaining: 'x-ratelimit-remaining-tokens-minute',
    resetFormat: 'duration',
  },
];

// Anthropic's headers (https://docs.anthropic.com/en/api/rate-limits#response-headers): resets
// are RFC 3339 times; input and output tokens are limited apart as well as together.
const ANTHROPIC: readonly HeaderScheme[] = (['requests', 'tokens', 'input_tokens', 'output_tokens'] as const).map(
  (kind) => {
    const prefix = `anthropic-ratelimit-${kind.replace('_', '-')}`;
    return {
      kind,
      limit: `${prefix}-limit`,
      remaining: `${prefix}-remaining`,
      reset: `${prefix}-reset`,
      resetFormat: 'rfc3339',
    } as const;
  },
);

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000_001,
};
const DURATION_PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/y;
const MAX_HEADER_LENGTH = 64;

/**
 * Milliseconds of a Go-style duration (`6m0s`, `1.5s`, `20ms`, `1h2m`), as OpenAI's
 * `x-ratelimit-reset-*` headers write them; a bare number is taken as seconds. Undefined when the
 * text is anything else.
 */
export function parseResetDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > MAX_HEADER_LENGTH) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const match = DURATION_PART.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number);
  }
  return Number.isFinite(total) ? total : undefined;
}

function count(text: string | null | undefined): number | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_HEADER_LENGTH) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function resetAt(
  text: string | null | undefined,
  format: HeaderScheme['resetFormat'],
  nowMs: number,
): number | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_HEADER_LENGTH) return undefined;
  if (format === 'duration') {
    const ms = parseResetDuration(text);
    if (ms === undefined) return undefined;
    // A bare number that large is not a wait but a Unix time, in seconds or (OpenRouter) in
    // milliseconds: no window waits 30 years.
    if (ms >= 1e12 && /^\d+(\.\d+)?$/.test(text)) return ms >= 1e15 ? ms / 1000 : ms;
    return nowMs + ms;
  }
  // Anthropic sends the same reset time for its four limits: parse it once.
  if (text !== lastTime) {
    lastTime = text;
    const at = Date.parse(text);
    lastTimeMs = Number.isFinite(at) ? at : undefined;
  }
  return lastTimeMs;
}

let lastTime: string | undefined;
let lastTimeMs: number | undefined;

function read(headers: HeaderSource, schemes: readonly HeaderScheme[], nowMs: number): RateLimitReading[] {
  const readings: RateLimitReading[] = [];
  for (const scheme of schemes) {
    const remaining = count(headers.get(scheme.remaining));
    // No remaining count, no reading: the limit and reset alone tell no headroom.
    if (remaining === undefined) continue;
    readings.push({
      kind: scheme.kind,
      remaining,
      limit: count(headers.get(scheme.limit)),
      resetAtMs: scheme.reset === undefined ? undefined : resetAt(headers.get(scheme.reset), scheme.resetFormat, nowMs),
    });
  }
  return readings;
}

/** A `get(name)` view of fetch `Headers` or of a plain record of lowercase names (openai v4 errors). */
function headerSource(headers: unknown): HeaderSource | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as HeaderSource).get === 'function') return headers as HeaderSource;
  const record = headers as Record<string, unknown>;
  return {
    get: (name) => {
      const value = record[name];
      return typeof value === 'string' ? value : undefined;
    },
  };
}

/**
 * The rate-limit readings of a response's headers: OpenAI's `x-ratelimit-*` (also sent by Azure
 * OpenAI, Groq and other OpenAI-compatible APIs), else Together AI's and Mistral's, and
 * Anthropic's `anthropic-ratelimit-*`,
 * from fetch `Headers` or a plain record of lowercase names; `family` limits the look-up to one
 * of them. `nowMs` is the response time that OpenAI's relative resets count from. Never throws: headers
 * that cannot be read give no reading.
 */
export function rateLimitReadings(
  headers: unknown,
  nowMs: number = Date.now(),
  family?: RateLimitHeaderFamily,
): RateLimitReading[] {
  try {
    const source = headerSource(headers);
    if (source === undefined) return [];
    // A client that knows its family looks up only those names (each get() costs ~0.25 µs).
    if (family === 'anthropic') return read(source, ANTHROPIC, nowMs);
    const openai = read(source, OPENAI, nowMs);
    if (openai.length > 0) return openai;
    const compatible = read(source, OPENAI_COMPATIBLE, nowMs);
    return compatible.length > 0 || family === 'openai' ? compatible : read(source, ANTHROPIC, nowMs);
  } catch {
    return [];
  }
}
