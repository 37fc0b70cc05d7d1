// Usage extractor for Ollama's native API responses (/api/chat, /api/generate, /api/embed):
// `prompt_eval_count` input and `eval_count` output tokens, and the model. Counts only.
import type { ProviderUsage } from './types.js';
import { count, neverThrows, object, reported, text } from './usage-fields.js';

/**
 * Usage of an Ollama response or stream chunk (the final `done` chunk carries the counts). A
 * prompt served from Ollama's cache reports no `prompt_eval_count`: no input is recorded then.
 * Never throws.
 */
export const ollamaUsage: (body: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const body = object(value);
  if (body === undefined) return undefined;
  return reported({
    responseModel: text(body['model']),
    inputTokens: count(body['prompt_eval_count']),
    outputTokens: count(body['eval_count']),
  });
});
