// What a fal.ai endpoint's result was, read from its shape: fal's endpoints share no operation
// field, but their outputs follow a few conventions (`images`, `image`, `video`, `audio`).
import type { ProviderUsage } from '@mltel/genai';

/** The operation of a result whose shape names none (LLM endpoints, custom apps). */
export const FAL_DEFAULT_OPERATION = 'generate_content';

/** The operation and usage of one fal result. */
export interface FalOutcome {
  readonly operation: string;
  readonly usage: ProviderUsage | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * Reads `{ data, requestId }` (what `run`, `subscribe` and `queue.result` resolve to) or a bare
 * output: `images` (a list) or `image` is `image_generation` with `ml.gen_ai.images`; `video`
 * is `video_generation`; `audio`, `audio_file` or `audio_url` is `audio_generation`; anything
 * else is {@link FAL_DEFAULT_OPERATION}. Never reads a URL or a prompt; never throws.
 */
export function falOutcome(result: unknown): FalOutcome {
  try {
    const data = isObject(result) && isObject(result.data) ? result.data : result;
    if (!isObject(data)) return { operation: FAL_DEFAULT_OPERATION, usage: undefined };
    if (Array.isArray(data.images)) return { operation: 'image_generation', usage: { images: data.images.length } };
    if (isObject(data.image)) return { operation: 'image_generation', usage: { images: 1 } };
    if (isObject(data.video)) return { operation: 'video_generation', usage: undefined };
    if (isObject(data.audio) || isObject(data.audio_file) || isObject(data.audio_url))
      return { operation: 'audio_generation', usage: undefined };
  } catch {
    // A hostile getter: the call still counts, as the generic operation.
  }
  return { operation: FAL_DEFAULT_OPERATION, usage: undefined };
}

/** What a fal failure is recorded as: the HTTP status of its `ApiError` (`status`), else the error. */
export function falFailure(error: unknown): unknown {
  const status = isObject(error) ? error.status : undefined;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
    ? String(status)
    : error;
}
