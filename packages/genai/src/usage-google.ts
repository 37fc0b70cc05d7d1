// Usage extractors for Google's Gemini API and Vertex AI response shapes, as the @google/genai
// client returns them (camelCase). Counts and the model version only, never text.
import type { ProviderUsage } from './types.js';
import { count, neverThrows, object, reported, sum, text } from './usage-fields.js';

/**
 * Usage of a `generateContent` response or one `generateContentStream` chunk (each chunk carries
 * the running totals). `promptTokenCount` includes cached tokens (`cachedContentTokenCount`);
 * tool-use prompt tokens are billed as input and added; `thoughtsTokenCount` is billed as output
 * and added to `candidatesTokenCount`.
 */
export const googleGenAIUsage: (body: unknown) => ProviderUsage | undefined = neverThrows((body) => {
  const response = object(body);
  if (response === undefined) return undefined;
  const usage = object(response['usageMetadata']);
  const thoughts = count(usage?.['thoughtsTokenCount']);
  const prompt = count(usage?.['promptTokenCount']);
  const candidates = count(usage?.['candidatesTokenCount']);
  return reported({
    responseModel: text(response['modelVersion']),
    inputTokens: prompt === undefined ? undefined : sum(prompt, count(usage?.['toolUsePromptTokenCount'])),
    outputTokens: candidates === undefined && thoughts === undefined ? undefined : sum(candidates, thoughts),
    cacheReadInputTokens: count(usage?.['cachedContentTokenCount']),
    reasoningTokens: thoughts,
  });
});

/**
 * Usage of an `embedContent` response: `usageMetadata.promptTokenCount` (Gemini API), else the
 * sum of `embeddings[].statistics.tokenCount` (Vertex AI).
 */
export const googleEmbedUsage: (body: unknown) => ProviderUsage | undefined = neverThrows((body) => {
  const response = object(body);
  if (response === undefined) return undefined;
  const prompt = count(object(response['usageMetadata'])?.['promptTokenCount']);
  if (prompt !== undefined) return { inputTokens: prompt };
  const embeddings = response['embeddings'];
  if (!Array.isArray(embeddings)) return undefined;
  const tokens = sum(...embeddings.map((e) => count(object(object(e)?.['statistics'])?.['tokenCount'])));
  return tokens === undefined ? undefined : { inputTokens: tokens };
});
