import { readFile } from 'node:fs/promises';
import { fromLiteLLM, isLiteLLMFormat } from './litellm.js';
import type { PriceEntry } from './types.js';

/** A price file or URL that could not be read or understood, with what to do about it. */
export class PriceFileError extends Error {
  override readonly name = 'PriceFileError';
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`prices from ${location} were not loaded: ${reason}`);
  }
}

// fetch() rejects with "fetch failed" and the reason in its cause (ECONNREFUSED, ENOTFOUND...).
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const why =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return why === undefined || why === '' ? error.message : `${error.message} (${why})`;
}

async function fetchText(url: string, timeoutMs: number): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

/**
 * Reads prices from a file path or an http(s) URL: either LiteLLM's
 * `model_prices_and_context_window.json` format (an object keyed by model) or mltel's own (an
 * array of price entries). Rejects with a {@link PriceFileError} naming the location and the
 * reason (missing, unreachable, not JSON, neither format).
 */
export async function loadPrices(location: string, options: { timeoutMs?: number } = {}): Promise<PriceEntry[]> {
  let text: string;
  try {
    text = /^https?:\/\//.test(location)
      ? await fetchText(location, options.timeoutMs ?? 10_000)
      : await readFile(location, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new PriceFileError(location, code === 'ENOENT' ? 'no such file' : reason(error));
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PriceFileError(location, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (Array.isArray(document)) return document as PriceEntry[];
  if (isLiteLLMFormat(document)) {
    const entries = fromLiteLLM(document, location);
    if (entries.length === 0)
      throw new PriceFileError(location, 'no priced model in it (expected LiteLLM model_prices format)');
    return entries;
  }
  throw new PriceFileError(
    location,
    'neither a LiteLLM price map (an object) nor a list of mltel price entries (an array)',
  );
}
