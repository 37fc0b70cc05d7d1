// Usage extractors for OpenAI's image and audio responses (and OpenAI-compatible ones). They read
// counts, durations and the model name only, never text, image data or audio.
import type { ProviderUsage } from './types.js';
import { openAIUsage } from './usage.js';
import { count } from './usage-fields.js';

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null ? (value as Json) : undefined;
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function merged(base: ProviderUsage | undefined, extra: ProviderUsage): ProviderUsage | undefined {
  const usage: ProviderUsage = { ...base };
  for (const [key, value] of Object.entries(extra) as [keyof ProviderUsage, number | undefined][]) {
    if (value !== undefined) (usage as Record<string, unknown>)[key] = value;
  }
  return Object.keys(usage).length > 0 ? usage : undefined;
}

function safely(read: (body: unknown) => ProviderUsage | undefined, body: unknown): ProviderUsage | undefined {
  try {
    return read(body);
  } catch {
    return undefined;
  }
}

/**
 * Usage of an Images API response (`images.generate`, `images.edit`, `createVariation`): the
 * number of images in `data`, and for GPT Image models the token usage (`input_tokens`, with
 * image and text tokens, and `output_tokens`). Never throws.
 */
export function openAIImageUsage(body: unknown): ProviderUsage | undefined {
  return safely((value) => {
    const response = object(value);
    if (response === undefined) return undefined;
    const data = response['data'];
    return merged(openAIUsage(response), { images: Array.isArray(data) ? data.length : undefined });
  }, body);
}

/**
 * Usage of one streamed Images API event (`stream: true`, GPT Image models): the final
 * `image_generation.completed` / `image_edit.completed` event carries one image and the token
 * usage; partial images carry none. Never throws.
 */
export function openAIImageEventUsage(event: unknown): ProviderUsage | undefined {
  return safely((value) => {
    const e = object(value);
    const type = e?.['type'];
    if (typeof type !== 'string' || !type.endsWith('.completed')) return undefined;
    return merged(openAIUsage(e), { images: 1 });
  }, event);
}

/** `usage` of a transcription: `{type: 'tokens', input_tokens, output_tokens}` or `{type: 'duration', seconds}`. */
function transcriptionUsageOf(body: Json): ProviderUsage | undefined {
  const usage = object(body['usage']);
  const audioSeconds = usage?.['type'] === 'duration' ? seconds(usage['seconds']) : seconds(body['duration']);
  // Token-billed models bill their audio input tokens at an audio rate (input_token_details).
  const audioInputTokens = count(object(usage?.['input_token_details'])?.['audio_tokens']);
  return merged(usage?.['type'] === 'duration' ? undefined : openAIUsage(body), { audioSeconds, audioInputTokens });
}

/**
 * Usage of a transcription or translation response (`json`, `verbose_json`, `diarized_json`):
 * the billed seconds (`usage.seconds` of duration-billed models such as `whisper-1`, else the
 * audio `duration` of the verbose formats) and, for token-billed models (`gpt-4o-transcribe`),
 * input and output tokens. A plain-text response (`text`, `srt`, `vtt`) reports nothing.
 * Never throws.
 */
export function openAITranscriptionUsage(body: unknown): ProviderUsage | undefined {
  return safely((value) => {
    const response = object(value);
    return response === undefined ? undefined : transcriptionUsageOf(response);
  }, body);
}

/**
 * Usage of one streamed transcription event (`stream: true`): the `transcript.text.done` event
 * carries the token usage. Never throws.
 */
export function openAITranscriptionEventUsage(event: unknown): ProviderUsage | undefined {
  return safely((value) => {
    const e = object(value);
    return e?.['type'] === 'transcript.text.done' ? transcriptionUsageOf(e) : undefined;
  }, event);
}

/**
 * Characters of a speech request's `input` (`audio.speech.create`), counted in Unicode code
 * points: what text-to-speech is billed by. Only the count is kept, never the text.
 */
export function speechInputUsage(input: unknown): ProviderUsage | undefined {
  if (typeof input !== 'string') return undefined;
  let characters = 0;
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < input.length) {
      const next = input.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    characters++;
  }
  return { characters };
}
