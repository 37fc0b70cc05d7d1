import { describe, expect, it } from 'vitest';
import {
  openAIImageEventUsage,
  openAIImageUsage,
  openAITranscriptionEventUsage,
  openAITranscriptionUsage,
  speechInputUsage,
} from './usage-openai-media.js';

describe('openAIImageUsage()', () => {
  it('counts the images of data; GPT Image models add tokens', () => {
    expect(openAIImageUsage({ created: 1, data: [{ url: 'u' }, { url: 'v' }] })).toEqual({ images: 2 });
    expect(
      openAIImageUsage({
        data: [{ b64_json: '...' }],
        usage: { input_tokens: 50, output_tokens: 50, input_tokens_details: { text_tokens: 10, image_tokens: 40 } },
      }),
    ).toEqual({ images: 1, inputTokens: 50, outputTokens: 50 });
  });

  it('reports nothing for a body that is not an Images response', () => {
    for (const body of [undefined, null, 'text', 3, {}]) expect(openAIImageUsage(body)).toBeUndefined();
  });
});

describe('openAIImageEventUsage()', () => {
  it('the completed event is one image with the usage; partial images report nothing', () => {
    expect(openAIImageEventUsage({ type: 'image_generation.partial_image', partial_image_index: 0 })).toBeUndefined();
    expect(
      openAIImageEventUsage({ type: 'image_edit.completed', usage: { input_tokens: 5, output_tokens: 7 } }),
    ).toEqual({ images: 1, inputTokens: 5, outputTokens: 7 });
  });
});

describe('openAITranscriptionUsage()', () => {
  it('duration-billed models: usage.seconds; verbose formats without usage: the duration', () => {
    expect(openAITranscriptionUsage({ duration: 36.71, usage: { type: 'duration', seconds: 37 } })).toEqual({
      audioSeconds: 37,
    });
    expect(openAITranscriptionUsage({ task: 'translate', duration: 8.47, text: 'x' })).toEqual({ audioSeconds: 8.47 });
  });

  it('token-billed models: input and output tokens', () => {
    expect(
      openAITranscriptionUsage({
        text: 'x',
        usage: { type: 'tokens', input_tokens: 14, output_tokens: 45, total_tokens: 59 },
      }),
    ).toEqual({ inputTokens: 14, outputTokens: 45 });
  });

  it('token-billed models: the audio input tokens, billed at their own rate', () => {
    // openai-transcription-tokens.json's usage.
    const usage = {
      type: 'tokens',
      input_tokens: 14,
      input_token_details: { text_tokens: 0, audio_tokens: 14 },
      output_tokens: 45,
      total_tokens: 59,
    };
    expect(openAITranscriptionUsage({ text: 'x', usage })).toEqual({
      inputTokens: 14,
      audioInputTokens: 14,
      outputTokens: 45,
    });
    expect(openAITranscriptionEventUsage({ type: 'transcript.text.done', text: 'x', usage })).toMatchObject({
      audioInputTokens: 14,
    });
    expect(
      openAITranscriptionUsage({ text: 'x', usage: { ...usage, input_token_details: { audio_tokens: -1 } } }),
    ).toEqual({ inputTokens: 14, outputTokens: 45 });
  });

  it('a plain-text answer (text, srt, vtt) reports nothing', () => {
    expect(openAITranscriptionUsage('1\n00:00:00,000 --> 00:00:01,000\nhi')).toBeUndefined();
    expect(openAITranscriptionUsage({ text: 'hi' })).toBeUndefined();
  });
});

describe('openAITranscriptionEventUsage()', () => {
  it('only transcript.text.done carries usage', () => {
    expect(openAITranscriptionEventUsage({ type: 'transcript.text.delta', delta: 'I' })).toBeUndefined();
    expect(
      openAITranscriptionEventUsage({
        type: 'transcript.text.done',
        text: 'x',
        usage: { input_tokens: 14, output_tokens: 45 },
      }),
    ).toEqual({ inputTokens: 14, outputTokens: 45 });
  });
});

describe('speechInputUsage()', () => {
  it('counts code points, not UTF-16 units; only strings', () => {
    expect(speechInputUsage('Hello.')).toEqual({ characters: 6 });
    expect(speechInputUsage('héllo 👋')).toEqual({ characters: 7 });
    expect(speechInputUsage('')).toEqual({ characters: 0 });
    expect(speechInputUsage(undefined)).toBeUndefined();
    expect(speechInputUsage(['a'])).toBeUndefined();
  });
});

describe('hostile bodies', () => {
  it('a getter that throws gives no usage, never an exception', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    for (const extract of [
      openAIImageUsage,
      openAIImageEventUsage,
      openAITranscriptionUsage,
      openAITranscriptionEventUsage,
    ]) {
      expect(extract(hostile)).toBeUndefined();
    }
  });
});
