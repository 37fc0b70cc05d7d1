// Usage extractor for Groq's OpenAI-compatible responses: a chat completion's `usage`, and the
// final stream chunk's `x_groq.usage` (where Groq reports a stream's usage). Counts and the model
// name only, never text.
import type { ProviderUsage } from './types.js';
import { openAIUsage } from './usage.js';
import { neverThrows, object } from './usage-fields.js';

/**
 * Usage of a Groq chat completion, embeddings response or stream chunk: the OpenAI-shaped `usage`,
 * else the chunk's `x_groq.usage`. Never throws.
 */
export const groqUsage: (body: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const body = object(value);
  if (body === undefined) return undefined;
  const own = openAIUsage(body);
  if (own?.inputTokens !== undefined || own?.outputTokens !== undefined) return own;
  const groq = object(object(body['x_groq'])?.['usage']);
  if (groq === undefined) return own;
  return { ...own, ...openAIUsage({ usage: groq }) };
});
