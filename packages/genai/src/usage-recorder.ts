// What a call used, as the provider reported it: token counts, cache and reasoning detail, and
// the units of non-text operations. A field left undefined is not recorded (never guessed).
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
} from '@mltel/semconv';
import { describeValue, isNonNegativeFinite } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';
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
] as const satisfies readonly (keyof ProviderUsage)[];

/** provider, request model, operation: the unit counters' attributes (built only when used). */
function unitAttributes(base: Attributes): Attributes {
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
 * and request model of `base` only. A value that is not a finite number >= 0 is dropped with one
 * warning per field.
 */
export function recordUsage(
  instruments: Pick<GenAiInstruments, 'tokens' | 'tokenDetail' | 'images' | 'audio' | 'video'>,
  base: Attributes,
  attributes: Attributes,
  usage: ProviderUsage,
  warnings: WarnOnce,
): void {
  if (typeof usage !== 'object') {
    warnings.warn('usage:not-object', `usage must be an object, got ${describeValue(usage)}; it is dropped`);
    return;
  }
  for (const field of USAGE_NUMBERS) {
    const value = usage[field];
    if (value === undefined) continue;
    if (!isNonNegativeFinite(value)) {
      warnings.warn(
        `usage:${field}`,
        `usage.${field} must be a finite number >= 0, got ${describeValue(value)}; it is dropped`,
      );
      continue;
    }
    switch (field) {
      case 'inputTokens':
        instruments.tokens.record(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' });
        break;
      case 'outputTokens':
        instruments.tokens.record(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' });
        break;
      case 'cacheReadInputTokens':
        if (value > 0) instruments.tokenDetail.add(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'cache_read' });
        break;
      case 'cacheCreationInputTokens':
        if (value > 0)
          instruments.tokenDetail.add(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'cache_creation' });
        break;
      case 'reasoningTokens':
        if (value > 0) instruments.tokenDetail.add(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'reasoning' });
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
    }
  }
}
