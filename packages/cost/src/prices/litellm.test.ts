import { describe, expect, it } from 'vitest';
import { LITELLM_FIXTURE } from '../../test/harness.js';
import { callCost } from '../cost.js';
import { formatUsd } from '../money.js';
import { PriceCatalog } from './catalog.js';
import { fromLiteLLM, fromLiteLLMEntry, providerOfLiteLLM } from './litellm.js';
import { loadPrices } from './load.js';
import type { PriceEntry } from './types.js';

const entries = await loadPrices(LITELLM_FIXTURE);

function entry(provider: string, model: string): PriceEntry | undefined {
  return entries.find((e) => e.provider === provider && e.model === model);
}

/** A catalog of the fixture only (no defaults). */
function fixtureCatalog(): PriceCatalog {
  const catalog = new PriceCatalog();
  expect(catalog.add(entries, 'file')).toEqual([]);
  return catalog;
}

/** The exact cost in dollars (a decimal string) of `usage` for a fixture model. */
function cost(provider: string, model: string, usage: Parameters<typeof callCost>[1], succeeded = true): string {
  const match = fixtureCatalog().lookup(provider, model);
  expect(match, `${provider}/${model} is priced`).toBeDefined();
  return formatUsd(callCost(match!.price, usage, succeeded).pico);
}

describe('the LiteLLM price map excerpt', () => {
  it('loads every priced entry (sample_spec and the per-pixel gpt-image-1 skipped), named by provider and model', () => {
    expect(entries.map((e) => `${e.provider} ${e.model}`)).toEqual([
      'azure.ai.openai o4-mini',
      'azure.ai.openai whisper-1',
      'anthropic claude-3-5-haiku-20241022',
      'anthropic claude-opus-4-1-20250805',
      'anthropic claude-sonnet-4-20250514',
      'deepseek deepseek-chat',
      'gcp.gemini gemini-2.0-flash',
      'gcp.gemini gemini-2.5-flash',
      'gcp.gemini gemini-2.5-pro',
      'gcp.gemini imagen-4.0-generate-001',
      'openai gpt-4o',
      'openai gpt-4o-2024-08-06',
      'openai gpt-4o-mini',
      'openai gpt-5',
      'mistral_ai mistral-large-latest',
      'openai o3-mini',
      'openai text-embedding-3-large',
      'openai text-embedding-3-small',
      'openai tts-1',
      'openai whisper-1',
      'x_ai grok-4-fast-reasoning',
      'openai sora-2',
    ]);
    for (const e of entries) expect(e.source).toBe(LITELLM_FIXTURE);
  });

  it('reads a plain per-token entry exactly (gpt-4o; batch and priority rates are not taken)', () => {
    expect(entry('openai', 'gpt-4o')).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      input: 2.5e-6,
      output: 1e-5,
      cacheRead: 1.25e-6,
      source: LITELLM_FIXTURE,
    });
    // 1000 in, 500 out: 1000 × 0.0000025 + 500 × 0.00001.
    expect(cost('openai', 'gpt-4o', { inputTokens: 1000, outputTokens: 500 })).toBe('0.0075');
  });

  it('reads cache read and write rates (claude-3-5-haiku; the 1-hour cache write rate is not taken)', () => {
    expect(entry('anthropic', 'claude-3-5-haiku-20241022')).toEqual({
      provider: 'anthropic',
      model: 'claude-3-5-haiku-20241022',
      input: 8e-7,
      output: 4e-6,
      cacheRead: 8e-8,
      cacheWrite: 1e-6,
      source: LITELLM_FIXTURE,
    });
    // 10000 in (4000 read from the cache, 1000 written to it), 2000 out:
    // 5000 × 0.0000008 + 4000 × 0.00000008 + 1000 × 0.000001 + 2000 × 0.000004.
    expect(
      cost('anthropic', 'claude-3-5-haiku-20241022', {
        inputTokens: 10_000,
        cacheReadInputTokens: 4000,
        cacheCreationInputTokens: 1000,
        outputTokens: 2000,
      }),
    ).toBe('0.01332');
  });

  it('reads the above-200k tier of claude sonnet 4 (input, output, cache read and write)', () => {
    expect(entry('anthropic', 'claude-sonnet-4-20250514')?.tiers).toEqual([
      { aboveInputTokens: 200_000, input: 6e-6, output: 2.25e-5, cacheRead: 6e-7, cacheWrite: 7.5e-6 },
    ]);
    const usage = (input: number) => ({
      inputTokens: input,
      cacheReadInputTokens: 100_000,
      cacheCreationInputTokens: 50_000,
      outputTokens: 1000,
    });
    // At 200000 input tokens the base rates apply: 50000 × 0.000003 + 100000 × 0.0000003 + 50000 × 0.00000375 + 1000 × 0.000015.
    expect(cost('anthropic', 'claude-sonnet-4-20250514', usage(200_000))).toBe('0.3825');
    // Above it the tier's rates apply to the whole request:
    // 50001 × 0.000006 + 100000 × 0.0000006 + 50000 × 0.0000075 + 1000 × 0.0000225.
    expect(cost('anthropic', 'claude-sonnet-4-20250514', usage(200_001))).toBe('0.757506');
  });

  it('reads the above-200k tier of gemini 2.5 pro (a gemini/ key); cache reads keep the base rate there', () => {
    expect(entry('gcp.gemini', 'gemini-2.5-pro')).toEqual({
      provider: 'gcp.gemini',
      model: 'gemini-2.5-pro',
      input: 1.25e-6,
      output: 1e-5,
      cacheRead: 3.125e-7,
      tiers: [{ aboveInputTokens: 200_000, input: 2.5e-6, output: 1.5e-5 }],
      source: LITELLM_FIXTURE,
    });
    // 100000 in, 1000 out: 100000 × 0.00000125 + 1000 × 0.00001.
    expect(cost('gcp.gemini', 'gemini-2.5-pro', { inputTokens: 100_000, outputTokens: 1000 })).toBe('0.135');
    // 300000 in (100000 cached), 2000 out: 200000 × 0.0000025 + 100000 × 0.0000003125 + 2000 × 0.000015.
    expect(
      cost('gcp.gemini', 'gemini-2.5-pro', { inputTokens: 300_000, cacheReadInputTokens: 100_000, outputTokens: 2000 }),
    ).toBe('0.56125');
  });

  it('reads the above-128k tier and numbers written as 0.2e-06 (xai/grok-4-fast-reasoning)', () => {
    expect(entry('x_ai', 'grok-4-fast-reasoning')).toEqual({
      provider: 'x_ai',
      model: 'grok-4-fast-reasoning',
      input: 2e-7,
      output: 5e-7,
      cacheRead: 5e-8,
      tiers: [{ aboveInputTokens: 128_000, input: 4e-7, output: 1e-6 }],
      source: LITELLM_FIXTURE,
    });
    expect(cost('x_ai', 'grok-4-fast-reasoning', { inputTokens: 128_000, outputTokens: 1000 })).toBe('0.0261');
    expect(cost('x_ai', 'grok-4-fast-reasoning', { inputTokens: 128_001, outputTokens: 1000 })).toBe('0.0522004');
  });

  it('strips the provider prefix of a key (gemini/, azure/, mistral/, openai/, xai/)', () => {
    expect(entry('gcp.gemini', 'gemini-2.0-flash')).toEqual({
      provider: 'gcp.gemini',
      model: 'gemini-2.0-flash',
      input: 1e-7,
      output: 4e-7,
      cacheRead: 2.5e-8,
      audioInput: 7e-7,
      source: LITELLM_FIXTURE,
    });
    expect(entry('azure.ai.openai', 'o4-mini')).toEqual({
      provider: 'azure.ai.openai',
      model: 'o4-mini',
      input: 1.1e-6,
      output: 4.4e-6,
      cacheRead: 2.75e-7,
      source: LITELLM_FIXTURE,
    });
    expect(entry('mistral_ai', 'mistral-large-latest')?.input).toBe(2e-6);
    // 8 s of video at 0.10 (written `0.10` in the file).
    expect(entry('openai', 'sora-2')?.videoSecond).toBe(0.1);
    expect(cost('openai', 'sora-2', { videoSeconds: 8 })).toBe('0.8');
    expect(entries.some((e) => e.model.includes('/'))).toBe(false);
  });

  it('keeps a dated key as its own entry (gpt-4o-2024-08-06)', () => {
    expect(entry('openai', 'gpt-4o-2024-08-06')).toEqual({
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      input: 2.5e-6,
      output: 1e-5,
      cacheRead: 1.25e-6,
      source: LITELLM_FIXTURE,
    });
    expect(fixtureCatalog().lookup('openai', 'gpt-4o-2024-08-06')?.matched).toBe('exact');
  });

  it('prices whisper per second of audio (input_cost_per_second)', () => {
    expect(entry('openai', 'whisper-1')).toEqual({
      provider: 'openai',
      model: 'whisper-1',
      audioSecond: 1e-4,
      source: LITELLM_FIXTURE,
    });
    expect(cost('openai', 'whisper-1', { audioSeconds: 90.5 })).toBe('0.00905');
    expect(cost('azure.ai.openai', 'whisper-1', { audioSeconds: 60 })).toBe('0.006');
  });

  it('prices an embedding model on input only (output cost 0.0)', () => {
    expect(entry('openai', 'text-embedding-3-small')).toEqual({
      provider: 'openai',
      model: 'text-embedding-3-small',
      input: 2e-8,
      output: 0,
      source: LITELLM_FIXTURE,
    });
    expect(cost('openai', 'text-embedding-3-small', { inputTokens: 1_000_000 })).toBe('0.02');
    expect(cost('openai', 'text-embedding-3-large', { inputTokens: 10_000, outputTokens: 0 })).toBe('0.0013');
  });

  it('prices speech per character, images per image and reasoning tokens at their own rate', () => {
    expect(cost('openai', 'tts-1', { characters: 1234 })).toBe('0.01851');
    expect(cost('gcp.gemini', 'imagen-4.0-generate-001', { images: 3 })).toBe('0.12');
    expect(entry('gcp.gemini', 'gemini-2.5-flash')?.reasoning).toBe(2.5e-6);
    // 1000 in, 1000 out of which 400 reasoning: 1000 × 0.0000003 + 600 × 0.0000025 + 400 × 0.0000025.
    expect(
      cost('gcp.gemini', 'gemini-2.5-flash', { inputTokens: 1000, outputTokens: 1000, reasoningTokens: 400 }),
    ).toBe('0.0028');
    // A per-pixel image model has no price here: never a guess.
    expect(fixtureCatalog().lookup('openai', 'gpt-image-1')).toBeUndefined();
  });
});

describe('providerOfLiteLLM', () => {
  it('maps litellm_provider to gen_ai.provider.name', () => {
    expect(providerOfLiteLLM('openai')).toBe('openai');
    expect(providerOfLiteLLM('text-completion-openai')).toBe('openai');
    expect(providerOfLiteLLM('anthropic')).toBe('anthropic');
    expect(providerOfLiteLLM('gemini')).toBe('gcp.gemini');
    expect(providerOfLiteLLM('vertex_ai-language-models')).toBe('gcp.vertex_ai');
    expect(providerOfLiteLLM('vertex_ai-anthropic_models')).toBe('gcp.vertex_ai');
    expect(providerOfLiteLLM('bedrock')).toBe('aws.bedrock');
    expect(providerOfLiteLLM('bedrock_converse')).toBe('aws.bedrock');
    expect(providerOfLiteLLM('azure')).toBe('azure.ai.openai');
    expect(providerOfLiteLLM('azure_ai')).toBe('azure.ai.inference');
    expect(providerOfLiteLLM('mistral')).toBe('mistral_ai');
    expect(providerOfLiteLLM('xai')).toBe('x_ai');
    expect(providerOfLiteLLM('deepseek')).toBe('deepseek');
    expect(providerOfLiteLLM('groq')).toBe('groq');
    expect(providerOfLiteLLM('cohere_chat')).toBe('cohere');
    expect(providerOfLiteLLM('fal_ai')).toBe('fal_ai');
    // Unknown providers keep LiteLLM's name.
    expect(providerOfLiteLLM('together_ai')).toBe('together_ai');
  });

  it('maps every provider of the excerpt', () => {
    expect([...new Set(entries.map((e) => e.provider))].sort()).toEqual([
      'anthropic',
      'azure.ai.openai',
      'deepseek',
      'gcp.gemini',
      'mistral_ai',
      'openai',
      'x_ai',
    ]);
  });
});

describe('fromLiteLLM', () => {
  it('skips sample_spec, entries without a provider, non-objects and entries without any price', () => {
    expect(
      fromLiteLLM(
        {
          sample_spec: { litellm_provider: 'openai', input_cost_per_token: 0 },
          'no-provider': { input_cost_per_token: 1e-6 },
          'not-an-object': 5,
          nothing: { litellm_provider: 'openai', mode: 'chat', max_tokens: 10 },
          'per-pixel': { litellm_provider: 'openai', input_cost_per_pixel: 4e-8 },
          kept: { litellm_provider: 'openai', input_cost_per_token: '0.000001' },
        },
        'src',
      ),
    ).toEqual([{ provider: 'openai', model: 'kept', input: '0.000001', source: 'src' }]);
  });

  it('strips the vertex_ai/ prefix of keys whose provider is a vertex_ai sub-provider', () => {
    expect(
      fromLiteLLMEntry(
        'vertex_ai/claude-sonnet-4@20250514',
        { litellm_provider: 'vertex_ai-anthropic_models', input_cost_per_token: 3e-6 },
        's',
      ),
    ).toEqual({ provider: 'gcp.vertex_ai', model: 'claude-sonnet-4@20250514', input: 3e-6, source: 's' });
    expect(
      fromLiteLLMEntry(
        'gemini-2.5-pro',
        { litellm_provider: 'vertex_ai-language-models', input_cost_per_token: 1.25e-6 },
        's',
      ),
    ).toEqual({
      provider: 'gcp.vertex_ai',
      model: 'gemini-2.5-pro',
      input: 1.25e-6,
      source: 's',
    });
  });

  it('falls back to input per-image / per-request fields when the output ones are absent', () => {
    expect(
      fromLiteLLMEntry(
        'm',
        { litellm_provider: 'fal_ai', input_cost_per_image: 0.01, input_cost_per_request: '0.002' },
        's',
      ),
    ).toEqual({ provider: 'fal_ai', model: 'm', image: 0.01, request: '0.002', source: 's' });
  });
});
