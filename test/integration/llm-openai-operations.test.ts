// The real openai client (and @anthropic-ai/sdk), in an app preloaded with @mltel/node/register
// (ESM and CJS), against a server replaying captured responses of the images, audio, legacy
// completions and moderations endpoints: exact operations, units, errors, the provider of an
// OpenAI-compatible endpoint and the rate-limit gauges from captured headers in the scrape.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScrapedSample } from './helpers.js';
import { DURATION, ENTRIES, FIRST, PER_CHUNK, runClientApp, sampleOf, TOKENS_SUM } from './llm-client-app.js';
import { CAPTURES } from './llm-replay.js';
import type { ReplayServer } from './llm-replay.js';
import { SPEECH_BYTES, startOpenAIReplayServer } from './llm-replay-openai.js';

const FIXTURE = 'llm-app-openai-ops';
const PACKAGES = ['openai', '@anthropic-ai/sdk'];
const IMAGES = 'ml_gen_ai_images_total';
const AUDIO = 'ml_audio_duration_seconds_total';
const CHARACTERS = 'ml_gen_ai_characters_total';

let replay: ReplayServer;
beforeAll(async () => {
  replay = await startOpenAIReplayServer();
});
afterAll(async () => {
  await replay?.close();
});

/** The app under the preload; localhost:<replay port> is named groq by MLTEL_GENAI_PROVIDERS. */
function run(entry: (typeof ENTRIES)[number], env: NodeJS.ProcessEnv = {}) {
  const port = new URL(replay.url).port;
  return runClientApp(FIXTURE, PACKAGES, entry, replay.url, {
    MLTEL_GENAI_PROVIDERS: `localhost:${port}=groq`,
    ...env,
  });
}

const op = (operation: string, model: string, extra: Record<string, string> = {}) => ({
  gen_ai_operation_name: operation,
  gen_ai_provider_name: 'openai',
  gen_ai_request_model: model,
  ...extra,
});
const tokens = (labels: Record<string, string>, type: string) => ({ ...labels, gen_ai_token_type: type });

/** The rate-limit gauge of `name` for a provider, request model and kind. */
function gauge(samples: ScrapedSample[], name: string, provider: string, model: string, kind: string) {
  return samples.find(
    (s) =>
      s.name === name &&
      s.labels.gen_ai_provider_name === provider &&
      s.labels.gen_ai_request_model === model &&
      s.labels.ml_rate_limit_kind === kind,
  )?.value;
}

describe.each(ENTRIES)('$app under $flag', (entry) => {
  it('records every operation with its name, units and errors, and the rate-limit headroom', async () => {
    const started = Date.now();
    const { seen, samples, stderr } = await run(entry);
    const s = (name: string, labels: Record<string, string>) => sampleOf(samples, name, labels);

    expect(seen).toEqual({
      images: 2,
      gptImageTokens: 50,
      edited: 1,
      speechBytes: SPEECH_BYTES,
      tts1Bytes: SPEECH_BYTES,
      whisperDuration: 36.709999084472656,
      transcribedTokens: 45,
      transcriptEvents: 32,
      translationLength: 80,
      completionTokens: 16,
      flagged: true,
      groqChunks: 15,
      chatChunks: 15,
      anthropicEvents: 6,
      rateLimited: expect.objectContaining({ status: 429, instanceOf: true }),
      serverError: expect.objectContaining({ status: 500, instanceOf: true }),
      midStream: expect.objectContaining({ class: expect.any(String) }),
      midStreamEvents: 5,
    });

    // Images: counted per request model and operation; GPT Image tokens.
    expect(s(DURATION, op('image_generation', 'dall-e-3'))).toBe(1);
    expect(s(IMAGES, op('image_generation', 'dall-e-3'))).toBe(2);
    expect(s(IMAGES, op('image_generation', 'gpt-image-1'))).toBe(1);
    expect(s(TOKENS_SUM, tokens(op('image_generation', 'gpt-image-1'), 'input'))).toBe(50);
    expect(s(TOKENS_SUM, tokens(op('image_generation', 'gpt-image-1'), 'output'))).toBe(50);
    expect(s(IMAGES, op('image_edit', 'gpt-image-1'))).toBe(1);

    // Speech: the 6 characters of "Hello.", no tokens.
    expect(s(DURATION, op('speech', 'gpt-4o-mini-tts'))).toBe(1);
    expect(s(CHARACTERS, op('speech', 'gpt-4o-mini-tts'))).toBe(6);
    expect(s(CHARACTERS, op('speech', 'tts-1'))).toBe(6);

    // Transcriptions: whisper-1's 37 billed seconds; token-billed models' tokens; the stream timed.
    expect(s(AUDIO, op('transcription', 'whisper-1'))).toBe(37);
    expect(s(TOKENS_SUM, tokens(op('transcription', 'gpt-4o-transcribe'), 'output'))).toBe(45);
    expect(s(TOKENS_SUM, tokens(op('transcription', 'gpt-4o-mini-transcribe'), 'input'))).toBe(14);
    // Two streams: the whole one (31 deltas: 30 gaps) and the one cut after 5 deltas (4 gaps).
    expect(s(FIRST, op('transcription', 'gpt-4o-mini-transcribe'))).toBe(2);
    expect(s(PER_CHUNK, op('transcription', 'gpt-4o-mini-transcribe'))).toBe(30 + 4);
    expect(s(DURATION, op('translation', 'whisper-1'))).toBe(1);

    // Legacy completions and moderations.
    const legacy = op('text_completion', 'gpt-3.5-turbo-instruct', {
      gen_ai_response_model: 'gpt-3.5-turbo-instruct:20230824-v2',
    });
    expect(s(DURATION, legacy)).toBe(1);
    expect(s(TOKENS_SUM, tokens(legacy, 'input'))).toBe(14);
    expect(s(TOKENS_SUM, tokens(legacy, 'output'))).toBe(16);
    expect(
      s(DURATION, op('moderation', 'text-moderation-stable', { gen_ai_response_model: 'text-moderation-007' })),
    ).toBe(1);

    // The OpenAI-compatible endpoint is groq (MLTEL_GENAI_PROVIDERS), with its server address.
    const groq = {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: 'groq',
      gen_ai_request_model: 'llama-3.3-70b-versatile',
      gen_ai_response_model: 'gpt-4o-mini-2024-07-18',
    };
    expect(s(DURATION, groq)).toBe(1);
    const groqSeries = samples.find((x) => x.name === DURATION && x.labels.gen_ai_provider_name === 'groq');
    expect(groqSeries?.labels.server_address).toBe('localhost');

    // Failures, each once with its error.type.
    expect(s(DURATION, op('image_generation', 'dall-e-3', { error_type: '429' }))).toBe(1);
    expect(s(DURATION, op('speech', 'tts-1', { error_type: '500' }))).toBe(1);
    expect(s(DURATION, op('transcription', 'gpt-4o-mini-transcribe', { error_type: 'UND_ERR_SOCKET' }))).toBe(1);

    // Rate-limit headroom from the captured headers.
    const REMAINING = 'ml_provider_rate_limit_remaining';
    const LIMIT = 'ml_provider_rate_limit_limit';
    const RESET = 'ml_provider_rate_limit_reset_time_seconds';
    expect(gauge(samples, REMAINING, 'openai', 'gpt-4o-mini', 'requests')).toBe(9999);
    expect(gauge(samples, REMAINING, 'openai', 'gpt-4o-mini', 'tokens')).toBe(9999993);
    expect(gauge(samples, LIMIT, 'openai', 'gpt-4o-mini', 'tokens')).toBe(10000000);
    expect(gauge(samples, REMAINING, 'groq', 'llama-3.3-70b-versatile', 'requests')).toBe(9999);
    const reset = gauge(samples, RESET, 'openai', 'gpt-4o-mini', 'requests') ?? 0;
    expect(reset).toBeGreaterThanOrEqual(started / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    const claude = 'claude-sonnet-4-20250514';
    expect(gauge(samples, REMAINING, 'anthropic', claude, 'requests')).toBe(999);
    expect(gauge(samples, LIMIT, 'anthropic', claude, 'requests')).toBe(1000);
    expect(gauge(samples, REMAINING, 'anthropic', claude, 'input_tokens')).toBe(450000);
    expect(gauge(samples, REMAINING, 'anthropic', claude, 'output_tokens')).toBe(90000);
    expect(gauge(samples, REMAINING, 'anthropic', claude, 'tokens')).toBe(540000);
    expect(gauge(samples, RESET, 'anthropic', claude, 'tokens')).toBe(Date.parse('2026-03-03T03:03:22Z') / 1000);
    expect(samples.filter((x) => x.name === REMAINING)).toHaveLength(2 + 2 + 4);

    // What each replayed call cost, from the built-in catalog (genai-prices 0.1.8 for tokens, the
    // LiteLLM copy for the per-second and per-character media prices).
    const cost = (operation: string, model: string, provider = 'openai') =>
      s('ml_cost_usd_total', { ...op(operation, model), gen_ai_provider_name: provider });
    // gpt-image-1 is billed by tokens: 50 in x $5/M + 50 out x $40/M; its one image is no gap.
    expect(cost('image_generation', 'gpt-image-1')).toBe(0.00225);
    // The captured edit answer carries no usage, only its image, and gpt-image-1 has no image
    // rate: $0, with the one warning below (a real gap: that call's cost is unknown).
    expect(cost('image_edit', 'gpt-image-1')).toBe(0);
    // gpt-4o-mini-tts: 6 characters, no usage; its price has token rates only: $0 and a warning.
    expect(cost('speech', 'gpt-4o-mini-tts')).toBe(0);
    // tts-1: 6 characters x $15/M.
    expect(cost('speech', 'tts-1')).toBe(0.00009);
    // whisper-1: 37 billed seconds x $0.0001 (LiteLLM's $0.006 a minute).
    expect(cost('transcription', 'whisper-1')).toBe(0.0037);
    // gpt-4o-transcribe: its 14 input tokens are all audio (input_token_details), billed at the
    // audio input rate: 14 x $6/M + 45 out x $10/M.
    expect(cost('transcription', 'gpt-4o-transcribe')).toBe(0.000534);
    // gpt-4o-mini-transcribe, the whole stream: 14 audio in x $3/M + 45 out x $5/M; the stream cut
    // after 5 events reported no usage.
    expect(cost('transcription', 'gpt-4o-mini-transcribe')).toBe(0.000267);
    // gpt-3.5-turbo-instruct (answered by gpt-3.5-turbo-instruct:20230824-v2, priced by the
    // request model): 14 in x $1.50/M + 16 out x $2/M.
    expect(cost('text_completion', 'gpt-3.5-turbo-instruct')).toBe(0.000053);
    // The chat streams: 12 in and 12 out each. gpt-4o-mini: x $0.15/M and $0.60/M; the groq
    // endpoint (its answer names gpt-4o-mini-2024-07-18, which Groq does not price: the request
    // model's price) x $0.59/M and $0.79/M; claude-sonnet-4: 13 in x $3/M + 5 out x $15/M.
    expect(cost('chat', 'gpt-4o-mini')).toBe(0.000009);
    expect(cost('chat', 'llama-3.3-70b-versatile', 'groq')).toBe(0.00001656);
    expect(cost('chat', 'claude-sonnet-4-20250514', 'anthropic')).toBe(0.000114);
    // No usage, no cost series: the translation (whisper-1's json answer has no duration), the
    // moderation (free, no usage) and the failed calls.
    expect(samples.filter((x) => x.name === 'ml_cost_usd_total')).toHaveLength(11);
    // dall-e-3 is billed per image by size and quality, which mltel does not record: no price,
    // never a guess; its call counts as unpriced.
    expect(
      samples.filter((x) => x.name === 'ml_cost_unpriced_total').map((x) => [x.labels.gen_ai_request_model, x.value]),
    ).toEqual([['dall-e-3', 1]]);

    // Only the cost catalog's notes on what it cannot price, each once.
    expect(
      stderr
        .split('\n')
        .filter((line) => line !== '')
        .sort(),
    ).toEqual([
      expect.stringMatching(/^mltel: no price for model "dall-e-3" at openai: /),
      expect.stringMatching(/^mltel: the price of openai\/gpt-4o-mini-tts has no character rate: /),
      expect.stringMatching(/^mltel: the price of openai\/gpt-image-1 has no image rate: /),
    ]);
  });
});

describe('what the instrumentation must not do (openai operations)', () => {
  it('changes nothing the app sees: the same results and errors with the instrumentation off', async () => {
    const instrumented = await run(ENTRIES[0]!);
    const plain = await run(ENTRIES[0]!, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai,anthropic' });
    expect(plain.samples.filter((x) => x.name.startsWith('gen_ai_') || x.name.startsWith('ml_provider_rate'))).toEqual(
      [],
    );
    expect(instrumented.seen).toEqual(plain.seen);
  });

  it('exports no prompt, response text, image or audio data, or API key', async () => {
    const { text } = await run(ENTRIES[1]!);
    const manifest = JSON.parse(readFileSync(join(CAPTURES, 'manifest.json'), 'utf8')) as {
      file: string;
      texts: string[];
    }[];
    const mine = manifest.filter((m) =>
      /^openai-(images|image-edit|transcription|translation|completion|moderation)/.test(m.file),
    );
    const canaries = ['CANARY', 'sk-test', 'Bearer', 'Hello.', 'otter', ...mine.flatMap((m) => m.texts)];
    expect(mine.length).toBe(11);
    expect(text).toContain('ml_gen_ai_characters_total');
    for (const canary of canaries) expect(text, canary).not.toContain(canary);
  });
});
