// Usage extractors for the Vercel AI SDK's provider-neutral shapes: a language model call's
// result (`doGenerate`) or its stream's `finish` part, and an embedding call's usage. Both the
// nested V3/V4 specification usage and the flat V2 one are read. Counts only, never text.
import type { ProviderUsage } from './types.js';
import { count, neverThrows, object, reported, text } from './usage-fields.js';
import type { Json } from './usage-fields.js';

function nested(value: unknown): Json | undefined {
  return object(value);
}

/**
 * Usage of an AI SDK language-model `usage` object: `inputTokens.total` (cache reads and writes
 * included), `outputTokens.total` (reasoning included) and their details; or the flat V2 form
 * (`inputTokens`, `outputTokens`, `cachedInputTokens`, `reasoningTokens`). Never throws.
 */
export const aiSdkUsage: (usage: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const usage = object(value);
  if (usage === undefined) return undefined;
  const input = nested(usage['inputTokens']);
  const output = nested(usage['outputTokens']);
  if (input !== undefined || output !== undefined) {
    return reported({
      inputTokens: count(input?.['total']),
      outputTokens: count(output?.['total']),
      cacheReadInputTokens: count(input?.['cacheRead']),
      cacheCreationInputTokens: count(input?.['cacheWrite']),
      reasoningTokens: count(output?.['reasoning']),
    });
  }
  return reported({
    inputTokens: count(usage['inputTokens']),
    outputTokens: count(usage['outputTokens']),
    cacheReadInputTokens: count(usage['cachedInputTokens']),
    reasoningTokens: count(usage['reasoningTokens']),
  });
});

/** Usage of a language model call's result (`doGenerate`): its `usage` and `response.modelId`. Never throws. */
export const aiSdkResultUsage: (result: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const result = object(value);
  if (result === undefined) return undefined;
  return reported({
    responseModel: text(object(result['response'])?.['modelId']),
    ...aiSdkUsage(result['usage']),
  });
});

/** Usage of an embedding call (`{ tokens }`). Never throws. */
export const aiSdkEmbeddingUsage: (usage: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const tokens = count(object(value)?.['tokens']);
  return tokens === undefined ? undefined : { inputTokens: tokens };
});
