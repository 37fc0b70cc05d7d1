// Usage extractors for Cohere's chat and embed responses, as the cohere-ai client returns them
// (camelCase: `usage.billedUnits.inputTokens`) and in the API's own snake_case, v2 and v1 shapes.
// Billed units are what Cohere charges; the raw `tokens` counts are the fallback. Counts only.
import type { ProviderUsage } from './types.js';
import { count, neverThrows, object, reported } from './usage-fields.js';
import type { Json } from './usage-fields.js';

function pick(value: Json | undefined, camel: string, snake: string): unknown {
  return value?.[camel] ?? value?.[snake];
}

/** Input/output counts of a Cohere `usage` or `meta` object (billed units first). */
function counts(usage: Json | undefined): ProviderUsage | undefined {
  if (usage === undefined) return undefined;
  const billed = object(pick(usage, 'billedUnits', 'billed_units'));
  const tokens = object(usage['tokens']);
  const read = (camel: string, snake: string) => count(pick(billed, camel, snake)) ?? count(pick(tokens, camel, snake));
  return reported({
    inputTokens: read('inputTokens', 'input_tokens'),
    outputTokens: read('outputTokens', 'output_tokens'),
  });
}

/**
 * Usage of a Cohere response or stream event: v2 chat (`usage`), v2 stream `message-end`
 * (`delta.usage`), v1 chat and embed (`meta`), v1 stream `stream-end` (`response.meta`). Never throws.
 */
export const cohereUsage: (body: unknown) => ProviderUsage | undefined = neverThrows((value) => {
  const body = object(value);
  if (body === undefined) return undefined;
  return (
    counts(object(body['usage'])) ??
    counts(object(object(body['delta'])?.['usage'])) ??
    counts(object(body['meta'])) ??
    counts(object(object(body['response'])?.['meta']))
  );
});
