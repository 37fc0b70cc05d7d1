// Usage extractors for Amazon Bedrock Runtime response shapes: Converse and ConverseStream (the
// AWS SDK's output objects), and the InvokeModel bodies of the Anthropic, Meta and Amazon model
// families (parsed JSON). Counts only, never text.
import type { ProviderUsage } from './types.js';
import { anthropicUsage } from './usage.js';
import { count, neverThrows, object, reported, sum, text } from './usage-fields.js';
import type { Json } from './usage-fields.js';

/** Counts of a Converse `usage` object: `inputTokens` leaves out cache reads and writes; they are added back. */
function converseCounts(usage: Json | undefined): ProviderUsage | undefined {
  if (usage === undefined) return undefined;
  const uncached = count(usage['inputTokens']);
  const cacheRead = count(usage['cacheReadInputTokens']) ?? count(usage['cacheReadInputTokenCount']);
  const cacheWrite = count(usage['cacheWriteInputTokens']) ?? count(usage['cacheWriteInputTokenCount']);
  return reported({
    inputTokens: uncached === undefined ? undefined : sum(uncached, cacheRead, cacheWrite),
    outputTokens: count(usage['outputTokens']),
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheWrite,
  });
}

/** Usage of a Converse output (`usage`: input, output and cache tokens). Never throws. */
export const bedrockConverseUsage: (output: unknown) => ProviderUsage | undefined = neverThrows((output) =>
  converseCounts(object(object(output)?.['usage'])),
);

/** Usage of one ConverseStream event: the `metadata` event carries the call's usage. Never throws. */
export const bedrockConverseStreamUsage: (event: unknown) => ProviderUsage | undefined = neverThrows((event) =>
  converseCounts(object(object(object(event)?.['metadata'])?.['usage'])),
);

/**
 * Usage of a parsed InvokeModel body, by the shape of each model family: Anthropic Messages
 * (`usage.input_tokens`, cache fields added to the input), Meta Llama (`prompt_token_count`,
 * `generation_token_count`), Amazon Nova (`usage.inputTokens`), Amazon Titan text and embeddings
 * (`inputTextTokenCount`, `results[].tokenCount`), and any streamed chunk's
 * `amazon-bedrock-invocationMetrics`. Never throws.
 */
export const bedrockInvokeUsage: (body: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const body = object(value);
  if (body === undefined) return undefined;
  const metrics = object(body['amazon-bedrock-invocationMetrics']);
  if (metrics !== undefined) {
    const cacheRead = count(metrics['cacheReadInputTokenCount']);
    const cacheWrite = count(metrics['cacheWriteInputTokenCount']);
    const input = count(metrics['inputTokenCount']);
    return reported({
      inputTokens: input === undefined ? undefined : sum(input, cacheRead, cacheWrite),
      outputTokens: count(metrics['outputTokenCount']),
      cacheReadInputTokens: cacheRead,
      cacheCreationInputTokens: cacheWrite,
    });
  }
  if (body['type'] === 'message' || body['type'] === 'message_start') {
    return anthropicUsage(body['type'] === 'message' ? body : body['message']);
  }
  if (body['prompt_token_count'] !== undefined || body['generation_token_count'] !== undefined) {
    return reported({
      inputTokens: count(body['prompt_token_count']),
      outputTokens: count(body['generation_token_count']),
    });
  }
  const usage = object(body['usage']);
  if (usage !== undefined && usage['inputTokens'] !== undefined) return converseCounts(usage);
  if (body['inputTextTokenCount'] !== undefined) {
    const results = Array.isArray(body['results']) ? body['results'] : [];
    return reported({
      inputTokens: count(body['inputTextTokenCount']),
      outputTokens: sum(...results.map((r) => count(object(r)?.['tokenCount']))),
    });
  }
  return reported({ responseModel: text(body['model']) });
});
