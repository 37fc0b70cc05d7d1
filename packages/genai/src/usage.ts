// Usage extractors for the response shapes of the major provider APIs. They read counts and the
// model name only, never text. Each returns what the body reports (a chunk may carry only the
// model), and undefined when it reports neither usage nor model.
import type { ProviderUsage } from './types.js';

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null ? (value as Json) : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `read(body)`, or undefined when reading the body throws (a hostile getter or Proxy). */
function safely(read: (body: unknown) => ProviderUsage | undefined, body: unknown): ProviderUsage | undefined {
  try {
    return read(body);
  } catch {
    return undefined;
  }
}

function withoutUndefined(usage: ProviderUsage): ProviderUsage | undefined {
  let any = false;
  for (const key of Object.keys(usage) as (keyof ProviderUsage)[]) {
    if (usage[key] === undefined) delete usage[key];
    else any = true;
  }
  return any ? usage : undefined;
}

/**
 * Usage of an OpenAI(-compatible) response body: Chat Completions and their stream chunks
 * (`prompt_tokens`, `completion_tokens`, `*_details`), the Responses API (`input_tokens`,
 * `output_tokens`, `*_details`) and Embeddings. OpenAI's input counts include cached tokens, so
 * they are taken as they are; cache writes (`cache_write_tokens`) are read where reported.
 */
function openAIUsageOf(body: unknown): ProviderUsage | undefined {
  const response = object(body);
  if (response === undefined) return undefined;
  const usage = object(response['usage']);
  const result: ProviderUsage = { responseModel: text(response['model']) };
  if (usage !== undefined) {
    const inputDetails = object(usage['prompt_tokens_details']) ?? object(usage['input_tokens_details']);
    const outputDetails = object(usage['completion_tokens_details']) ?? object(usage['output_tokens_details']);
    result.inputTokens = count(usage['prompt_tokens']) ?? count(usage['input_tokens']);
    result.outputTokens = count(usage['completion_tokens']) ?? count(usage['output_tokens']);
    result.cacheReadInputTokens = count(inputDetails?.['cached_tokens']);
    result.cacheCreationInputTokens = count(inputDetails?.['cache_write_tokens']);
    result.reasoningTokens = count(outputDetails?.['reasoning_tokens']);
  }
  return withoutUndefined(result);
}

/**
 * Usage of one OpenAI Responses API stream event: the model from `response.created`, the usage
 * from `response.completed` (or `.incomplete`, `.failed`), both under `event.response`.
 */
function openAIResponseEventUsageOf(event: unknown): ProviderUsage | undefined {
  return openAIUsageOf(object(event)?.['response']);
}

/**
 * Usage of an Anthropic Messages body. Anthropic's `input_tokens` leaves out cache reads and
 * writes; they are added back so `inputTokens` is the billable total like other providers',
 * and kept apart as `cacheReadInputTokens` / `cacheCreationInputTokens`.
 */
function anthropicUsageOf(body: unknown): ProviderUsage | undefined {
  const message = object(body);
  if (message === undefined) return undefined;
  const result: ProviderUsage = { responseModel: text(message['model']), ...anthropicCounts(object(message['usage'])) };
  return withoutUndefined(result);
}

function anthropicCounts(usage: Json | undefined): ProviderUsage {
  if (usage === undefined) return {};
  const uncached = count(usage['input_tokens']);
  const cacheRead = count(usage['cache_read_input_tokens']);
  const cacheCreation = count(usage['cache_creation_input_tokens']);
  return {
    inputTokens: uncached === undefined ? undefined : uncached + (cacheRead ?? 0) + (cacheCreation ?? 0),
    outputTokens: count(usage['output_tokens']),
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
  };
}

/**
 * Usage of one Anthropic stream event: model and input counts from `message_start`, output
 * tokens (cumulative) from `message_delta`. A `message_delta` replaces the input counts only
 * when it reports all three of them, so a partial delta never undercounts.
 */
function anthropicEventUsageOf(event: unknown): ProviderUsage | undefined {
  const e = object(event);
  if (e === undefined) return undefined;
  if (e['type'] === 'message_start') return anthropicUsageOf(e['message']);
  if (e['type'] !== 'message_delta') return undefined;
  const usage = object(e['usage']);
  if (usage === undefined) return undefined;
  const complete =
    count(usage['input_tokens']) !== undefined &&
    count(usage['cache_read_input_tokens']) !== undefined &&
    count(usage['cache_creation_input_tokens']) !== undefined;
  const counts = anthropicCounts(usage);
  return withoutUndefined(complete ? counts : { outputTokens: counts.outputTokens });
}

/**
 * Usage of an OpenAI(-compatible) response body: Chat Completions and their stream chunks, the
 * Responses API and Embeddings (see {@link openAIUsageOf}). Never throws: a body that throws while
 * read reports nothing.
 */
export function openAIUsage(body: unknown): ProviderUsage | undefined {
  return safely(openAIUsageOf, body);
}

/** Usage of one OpenAI Responses API stream event (see {@link openAIResponseEventUsageOf}). Never throws. */
export function openAIResponseEventUsage(body: unknown): ProviderUsage | undefined {
  return safely(openAIResponseEventUsageOf, body);
}

/** Usage of an Anthropic Messages body, cache reads and writes in `inputTokens` (see {@link anthropicUsageOf}). Never throws. */
export function anthropicUsage(body: unknown): ProviderUsage | undefined {
  return safely(anthropicUsageOf, body);
}

/** Usage of one Anthropic stream event (see {@link anthropicEventUsageOf}). Never throws. */
export function anthropicEventUsage(body: unknown): ProviderUsage | undefined {
  return safely(anthropicEventUsageOf, body);
}
