// LiteLLM's model_prices_and_context_window.json, the de-facto open price map: one object per
// model key with per-token (and per-image, per-second, per-character) costs.
import type { PriceEntry, PriceTier } from './types.js';

type Json = Record<string, unknown>;

// litellm_provider → gen_ai.provider.name (OTel well-known values where one exists).
const PROVIDERS: Record<string, string> = {
  openai: 'openai',
  'text-completion-openai': 'openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  bedrock: 'aws.bedrock',
  bedrock_converse: 'aws.bedrock',
  azure: 'azure.ai.openai',
  azure_ai: 'azure.ai.inference',
  mistral: 'mistral_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x_ai',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  perplexity: 'perplexity',
  fal_ai: 'fal_ai',
};

/** The `gen_ai.provider.name` of a LiteLLM provider name. */
export function providerOfLiteLLM(litellmProvider: string): string {
  if (litellmProvider.startsWith('vertex_ai')) return 'gcp.vertex_ai';
  return PROVIDERS[litellmProvider] ?? litellmProvider;
}

const TIER_FIELD =
  /^(input|output)_cost_per_token_above_(\d+)k_tokens$|^(cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/;

function usd(value: unknown): string | number | undefined {
  return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '') ? value : undefined;
}

function first(entry: Json, ...fields: string[]): string | number | undefined {
  for (const field of fields) {
    const value = usd(entry[field]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** One LiteLLM entry as a price entry; undefined for entries without a provider or any price. */
export function fromLiteLLMEntry(key: string, entry: Json, source: string): PriceEntry | undefined {
  const litellmProvider = entry['litellm_provider'];
  if (typeof litellmProvider !== 'string' || litellmProvider === '') return undefined;
  // `gemini/gemini-2.5-pro` is billed as `gemini-2.5-pro`; keys without that prefix stay whole.
  // Vertex sub-providers (`vertex_ai-anthropic_models`) key their models `vertex_ai/...`.
  const prefix = [`${litellmProvider}/`, ...(litellmProvider.startsWith('vertex_ai') ? ['vertex_ai/'] : [])].find((p) =>
    key.startsWith(p),
  );
  const model = prefix === undefined ? key : key.slice(prefix.length);
  const price: PriceEntry = {
    provider: providerOfLiteLLM(litellmProvider),
    model,
    input: first(entry, 'input_cost_per_token'),
    output: first(entry, 'output_cost_per_token'),
    cacheRead: first(entry, 'cache_read_input_token_cost'),
    cacheWrite: first(entry, 'cache_creation_input_token_cost'),
    reasoning: first(entry, 'output_cost_per_reasoning_token'),
    audioInput: first(entry, 'input_cost_per_audio_token'),
    image: first(entry, 'output_cost_per_image', 'input_cost_per_image'),
    audioSecond: first(entry, 'input_cost_per_audio_per_second', 'input_cost_per_second', 'output_cost_per_second'),
    videoSecond: first(entry, 'output_cost_per_video_per_second', 'input_cost_per_video_per_second'),
    character: first(entry, 'input_cost_per_character', 'output_cost_per_character'),
    request: first(entry, 'input_cost_per_request', 'input_cost_per_query'),
    source,
  };
  const tiers = new Map<number, PriceTier>();
  for (const [field, value] of Object.entries(entry)) {
    const match = TIER_FIELD.exec(field);
    if (match === null || usd(value) === undefined) continue;
    const above = Number(match[2] ?? match[4]) * 1000;
    const tier = tiers.get(above) ?? { aboveInputTokens: above };
    const kind = match[1] ?? match[3];
    if (kind === 'input') tier.input = usd(value);
    else if (kind === 'output') tier.output = usd(value);
    else if (kind === 'cache_read_input_token_cost') tier.cacheRead = usd(value);
    else tier.cacheWrite = usd(value);
    tiers.set(above, tier);
  }
  if (tiers.size > 0) price.tiers = [...tiers.values()].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  for (const k of Object.keys(price) as (keyof PriceEntry)[]) if (price[k] === undefined) delete price[k];
  const priced = Object.keys(price).some((k) => !['provider', 'model', 'source'].includes(k));
  return priced ? price : undefined;
}

/** Whether a parsed JSON document is in LiteLLM's format (an object of model entries). */
export function isLiteLLMFormat(document: unknown): document is Json {
  return typeof document === 'object' && document !== null && !Array.isArray(document);
}

/** All priced entries of a LiteLLM document (`sample_spec` and unpriced entries skipped). */
export function fromLiteLLM(document: Json, source: string): PriceEntry[] {
  const entries: PriceEntry[] = [];
  for (const [key, value] of Object.entries(document)) {
    if (key === 'sample_spec' || typeof value !== 'object' || value === null) continue;
    const entry = fromLiteLLMEntry(key, value as Json, source);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}
