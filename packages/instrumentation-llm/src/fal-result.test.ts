import { describe, expect, it } from 'vitest';
import { FAL_DEFAULT_OPERATION, falFailure, falOutcome } from './fal-result.js';

describe('falOutcome', () => {
  it('counts the images of a result, wrapped in { data } or bare', () => {
    const images = [{ url: 'https://x/1.jpg' }, { url: 'https://x/2.jpg' }];
    expect(falOutcome({ data: { images }, requestId: 'r' })).toEqual({
      operation: 'image_generation',
      usage: { images: 2 },
    });
    expect(falOutcome({ images: [] })).toEqual({ operation: 'image_generation', usage: { images: 0 } });
    expect(falOutcome({ data: { image: { url: 'u' } } })).toEqual({
      operation: 'image_generation',
      usage: { images: 1 },
    });
  });

  it('names video and audio results, and falls back for the rest', () => {
    expect(falOutcome({ data: { video: { url: 'u' } } })).toEqual({ operation: 'video_generation', usage: undefined });
    for (const key of ['audio', 'audio_file', 'audio_url'])
      expect(falOutcome({ data: { [key]: { url: 'u' } } }).operation).toBe('audio_generation');
    for (const other of [{ data: { output: 'text' } }, null, 'x', { data: { video: 'not an object' } }])
      expect(falOutcome(other)).toEqual({ operation: FAL_DEFAULT_OPERATION, usage: undefined });
  });

  it('never throws on a hostile result', () => {
    const hostile = {
      get data(): unknown {
        throw new Error('boom');
      },
    };
    expect(falOutcome(hostile)).toEqual({ operation: FAL_DEFAULT_OPERATION, usage: undefined });
  });
});

describe('falFailure', () => {
  it('is the HTTP status of an ApiError, else the error itself', () => {
    expect(falFailure({ name: 'ApiError', status: 429 })).toBe('429');
    expect(falFailure({ status: 500 })).toBe('500');
    const plain = new TypeError('fetch failed');
    expect(falFailure(plain)).toBe(plain);
    expect(falFailure({ status: 200 })).toEqual({ status: 200 });
    expect(falFailure(undefined)).toBeUndefined();
  });
});
