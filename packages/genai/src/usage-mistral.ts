// Usage extractors for Mistral AI's chat and embeddings responses as the @mistralai/mistralai
// client returns them (camelCase: `usage.promptTokens`), and in the API's own snake_case. Counts
// and the model name only, never text.
import type { ProviderUsage } from './types.js';
import { count, neverThrows, object, reported, text } from './usage-fields.js';

/**
 * Usage of a Mistral chat completion, embeddings response or stream chunk: prompt and completion
 * tokens, cached prompt tokens where reported, and the model. Never throws.
 */
export const mistralUsage: (body: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const body = object(value);
  if (body === undefined) return undefined;
  const usage = object(body['usage']);
  const details = object(usage?.['promptTokensDetails']) ?? object(usage?.['prompt_tokens_details']);
  return reported({
    responseModel: text(body['model']),
    inputTokens: count(usage?.['promptTokens']) ?? count(usage?.['prompt_tokens']),
    outputTokens: count(usage?.['completionTokens']) ?? count(usage?.['completion_tokens']),
    cacheReadInputTokens: count(details?.['cachedTokens']) ?? count(details?.['cached_tokens']),
  });
});

/** Usage of one event of the client's chat stream (`{ data: chunk }`). Never throws. */
export const mistralEventUsage: (event: unknown) => ProviderUsage | undefined = neverThrows((event) =>
  mistralUsage(object(event)?.['data']),
);
