// Usage extractor for a LangChain.js LLMResult (what `handleLLMEnd` receives): the first
// generation's message `usage_metadata` (input/output tokens with cache and reasoning details) and
// `response_metadata.model_name`, else the `llmOutput.tokenUsage` of older integrations. Counts only.
import type { ProviderUsage } from './types.js';
import { count, neverThrows, object, reported, text } from './usage-fields.js';

/** Usage of a LangChain.js LLMResult. Never throws. */
export const langChainUsage: (result: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const result = object(value);
  if (result === undefined) return undefined;
  const generations = result['generations'];
  const first = Array.isArray(generations) && Array.isArray(generations[0]) ? object(generations[0][0]) : undefined;
  const message = object(first?.['message']);
  const kwargs = object(message?.['kwargs']);
  const meta = object(message?.['usage_metadata']) ?? object(kwargs?.['usage_metadata']);
  const responseMeta = object(message?.['response_metadata']) ?? object(kwargs?.['response_metadata']);
  const model = text(responseMeta?.['model_name']) ?? text(responseMeta?.['model']);
  if (meta !== undefined) {
    const inputDetails = object(meta['input_token_details']);
    const outputDetails = object(meta['output_token_details']);
    return reported({
      responseModel: model,
      inputTokens: count(meta['input_tokens']),
      outputTokens: count(meta['output_tokens']),
      cacheReadInputTokens: count(inputDetails?.['cache_read']),
      cacheCreationInputTokens: count(inputDetails?.['cache_creation']),
      reasoningTokens: count(outputDetails?.['reasoning']),
    });
  }
  const llmOutput = object(result['llmOutput']);
  const usage = object(llmOutput?.['tokenUsage']) ?? object(llmOutput?.['token_usage']);
  return reported({
    responseModel: model,
    inputTokens: count(usage?.['promptTokens']) ?? count(usage?.['prompt_tokens']),
    outputTokens: count(usage?.['completionTokens']) ?? count(usage?.['completion_tokens']),
  });
});
