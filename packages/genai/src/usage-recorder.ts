// What a call used, as the provider reported it: token counts, cache and reasoning detail, and
// the units of non-text operations. A field left undefined is not recorded (never guessed).
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
} from '@mltel/semconv';
import { describeValue } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';
import { MAX_COUNT, MAX_SECONDS } from './input.js';
import { field, inRange } from '@mltel/kit';
import type { GenAiInstruments } from './instruments.js';
import type { ProviderUsage } from './types.js';

// Usage fields recorded as token counts or unit counters; each is checked before recording.
const USAGE_NUMBERS = [
  'inputTokens',
  'outputTokens',
  'cacheReadInputTokens',
  'cacheCreationInputTokens',
  'reasoningTokens',
  'images',
  'audioSeconds',
  'videoSeconds',
  'characters',
] as const satisfies readonly (keyof ProviderUsage)[];

// The plausible maximum of each field: counts up to 1e12, seconds up to 1e7 (~115 days).
const MAXIMA: Readonly<Record<(typeof USAGE_NUMBERS)[number], number>> = {
  inputTokens: MAX_COUNT,
  outputTokens: MAX_COUNT,
  cacheReadInputTokens: MAX_COUNT,
  cacheCreationInputTokens: MAX_COUNT,
  reasoningTokens: MAX_COUNT,
  images: MAX_COUNT,
  audioSeconds: MAX_SECONDS,
  videoSeconds: MAX_SECONDS,
  characters: MAX_COUNT,
};

// The token-type sets of each prepared (frozen) call attribute set, built once: recording a call
// then builds no attribute objects (each was a copy of 6-7 attributes per token type and call).
const tokenSets = new WeakMap<Attributes, Record<string, Attributes>>();

/** `attributes` with `gen_ai.token.type`: kept per prepared (frozen) set, else a new object. */
function tokenAttributes(attributes: Attributes, type: string): Attributes {
  if (!Object.isFrozen(attributes)) return { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: type };
  let sets = tokenSets.get(attributes);
  if (sets === undefined) {
    sets = {};
    tokenSets.set(attributes, sets);
  }
  let set = sets[type];
  if (set === undefined) {
    set = Object.freeze({ ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: type });
    sets[type] = set;
  }
  return set;
}

// The unit counters' set of each prepared (frozen) base, built once: a prepared set is what the
// counters sum in their cells (kit's MeterCells) instead of an SDK add per call.
const unitSets = new WeakMap<Attributes, Attributes>();

/** provider, request model, operation: the unit counters' attributes (kept per prepared base). */
function unitAttributes(base: Attributes): Attributes {
  if (!Object.isFrozen(base)) return buildUnitAttributes(base);
  let set = unitSets.get(base);
  if (set === undefined) {
    set = Object.freeze(buildUnitAttributes(base));
    unitSets.set(base, set);
  }
  return set;
}

function buildUnitAttributes(base: Attributes): Attributes {
  const units: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: base[ATTR_GEN_AI_OPERATION_NAME],
    [ATTR_GEN_AI_PROVIDER_NAME]: base[ATTR_GEN_AI_PROVIDER_NAME],
  };
  const model = base[ATTR_GEN_AI_REQUEST_MODEL];
  if (model !== undefined) units[ATTR_GEN_AI_REQUEST_MODEL] = model;
  return units;
}

/**
 * Records a call's usage: input and output tokens in `gen_ai.client.token.usage` and non-zero
 * cache reads, cache writes and reasoning in `ml.gen_ai.token.detail`, with `attributes` (the
 * call's, response model included); images, audio and video seconds with the provider, operation
 * and request model of `base` only. A value that is not a number from 0 to its maximum (1e12 for
 * counts, 1e7 for seconds) is dropped with one warning per field; a field whose getter throws is
 * skipped.
 */
export function recordUsage(
  instruments: Pick<GenAiInstruments, 'tokens' | 'tokenDetail' | 'images' | 'audio' | 'video' | 'characters'>,
  base: Attributes,
  attributes: Attributes,
  usage: ProviderUsage,
  warnings: WarnOnce,
): void {
  if (typeof usage !== 'object') {
    warnings.warn('usage:not-object', `usage must be an object, got ${describeValue(usage)}; it is dropped`);
    return;
  }
  for (const name of USAGE_NUMBERS) {
    const value = field(usage, name);
    if (value === undefined) continue;
    if (!inRange(value, MAXIMA[name])) {
      warnings.warn(
        `usage:${name}`,
        `usage.${name} must be a number from 0 to ${MAXIMA[name]}, got ${describeValue(value)}; it is dropped`,
      );
      continue;
    }
    switch (name) {
      case 'inputTokens':
        instruments.tokens.record(value, tokenAttributes(attributes, 'input'));
        break;
      case 'outputTokens':
        instruments.tokens.record(value, tokenAttributes(attributes, 'output'));
        break;
      case 'cacheReadInputTokens':
        if (value > 0) instruments.tokenDetail.add(value, tokenAttributes(attributes, 'cache_read'));
        break;
      case 'cacheCreationInputTokens':
        if (value > 0) instruments.tokenDetail.add(value, tokenAttributes(attributes, 'cache_creation'));
        break;
      case 'reasoningTokens':
        if (value > 0) instruments.tokenDetail.add(value, tokenAttributes(attributes, 'reasoning'));
        break;
      case 'images':
        instruments.images.add(value, unitAttributes(base));
        break;
      case 'audioSeconds':
        instruments.audio.add(value, unitAttributes(base));
        break;
      case 'videoSeconds':
        instruments.video.add(value, unitAttributes(base));
        break;
      case 'characters':
        instruments.characters.add(value, unitAttributes(base));
        break;
    }
  }
}
