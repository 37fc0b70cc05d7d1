import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { nodeHttp, nodeHttps } from '@mltel/kit';
import { fromLiteLLM, isLiteLLMFormat } from './litellm.js';
import type { PriceEntry } from './types.js';

/** The largest price file or response read: LiteLLM's whole map is about 1.5 MB. */
export const MAX_PRICE_FILE_BYTES = 32 * 1024 * 1024;
/** How long a price URL may take to answer in full, by default. */
export const PRICE_URL_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 5;

/** Options of {@link loadPrices}. */
export interface LoadPricesOptions {
  /** Give up a URL after this long (default {@link PRICE_URL_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Stops the read or request at once (the cost meter aborts at shutdown). */
  signal?: AbortSignal;
  /** The largest file or response read (default {@link MAX_PRICE_FILE_BYTES}). */
  maxBytes?: number;
}

/** A price file or URL that could not be read or understood, with what to do about it. */
export class PriceFileError extends Error {
  override readonly name = 'PriceFileError';
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`prices from ${displayLocation(location)} were not loaded: ${reason}`);
  }
}

// Node's network errors carry their reason in `code` (ECONNREFUSED, ENOTFOUND...).
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && !error.message.includes(code)) return `${error.message} (${code})`;
  return error.message;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

function refuse(stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new Error(`not a regular file: ${kindOf(stats)}`);
  if (stats.size > maxBytes) throw new Error(`larger than ${mib(maxBytes)}: ${stats.size} bytes`);
}

/**
 * The text of a regular file of at most `maxBytes`. Never waits on what the path names: a FIFO
 * would hold its open until a writer comes (and the process alive with it), /dev/zero never
 * ends. So: stat first and open only a regular file, non-blocking; check the descriptor again
 * (the path may have been swapped meanwhile); read at most one byte past the limit (a file may
 * grow, and /proc files report size 0).
 */
async function readRegularFile(path: string, maxBytes: number, signal: AbortSignal | undefined): Promise<string> {
  refuse(await stat(path), maxBytes);
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    refuse(await handle.stat(), maxBytes);
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= maxBytes) {
      signal?.throwIfAborted();
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
    }
    if (length > maxBytes) throw new Error(`larger than ${mib(maxBytes)}`);
    return Buffer.concat(chunks, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * GETs a URL's body, at most `maxBytes`, following up to 5 redirects, within `timeoutMs` in all.
 * node:http rather than fetch(): its socket is unref'd, so a price server that never answers
 * does not keep the process alive (fetch's did, for its whole timeout, at every exit).
 */
function fetchText(url: string, timeoutMs: number, maxBytes: number, signal: AbortSignal | undefined): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    let request: ClientRequest | undefined;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      cleanup();
      request?.destroy();
      reject(error);
    };
    const succeed = (text: string): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(text);
    };
    const onAbort = (): void => fail(new Error('aborted: the process is shutting down'));
    const timer = setTimeout(() => fail(new Error(`no complete answer within ${timeoutMs} ms (timeout)`)), timeoutMs);
    timer.unref?.();
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    const fetchOnce = (target: URL, redirects: number): void => {
      const get = target.protocol === 'https:' ? nodeHttps().get : nodeHttp().get;
      let current: ClientRequest;
      try {
        current = get(target, { agent: false, headers: { accept: 'application/json' } }, (response: IncomingMessage) =>
          onResponse(target, response, redirects),
        );
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      request = current;
      current.on('socket', (socket) => socket.unref());
      current.on('error', (error) => fail(error));
    };

    const onResponse = (target: URL, response: IncomingMessage, redirects: number): void => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && typeof location === 'string') {
        response.resume();
        if (redirects <= 0) {
          fail(new Error(`more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        let next: URL;
        try {
          next = new URL(location, target);
        } catch {
          fail(new Error(`HTTP ${status} to an invalid location`));
          return;
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          fail(new Error(`HTTP ${status} to a ${next.protocol} URL`));
          return;
        }
        fetchOnce(next, redirects - 1);
        return;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        fail(new Error(`HTTP ${status}`));
        return;
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        fail(new Error(`larger than ${mib(maxBytes)}: ${declared} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > maxBytes) {
          fail(new Error(`larger than ${mib(maxBytes)}`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => succeed(Buffer.concat(chunks, length).toString('utf8')));
      response.on('error', (error) => fail(error));
      response.on('aborted', () => fail(new Error('the connection closed before the end of the answer')));
    };

    let target: URL;
    try {
      target = new URL(url);
    } catch {
      fail(new Error('not a valid URL'));
      return;
    }
    fetchOnce(target, MAX_REDIRECTS);
  });
}

/** The location for messages: a URL without its user and password. */
export function displayLocation(location: string): string {
  if (!/^https?:\/\//i.test(location)) return location;
  try {
    const url = new URL(location);
    if (url.username === '' && url.password === '') return location;
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/**
 * Reads prices from a file path or an http(s) URL: either LiteLLM's
 * `model_prices_and_context_window.json` format (an object keyed by model) or mltel's own (an
 * array of price entries). A file is read only when it is a regular file of at most 32 MiB; a URL
 * must answer in full within the timeout (10 s), and nothing it holds keeps the process alive.
 * Rejects with a {@link PriceFileError} naming the location (without credentials) and the reason
 * (missing, not a regular file, too large, unreachable, timed out, not JSON, neither format).
 */
export async function loadPrices(location: string, options: LoadPricesOptions = {}): Promise<PriceEntry[]> {
  const maxBytes = options.maxBytes ?? MAX_PRICE_FILE_BYTES;
  let text: string;
  try {
    text = /^https?:\/\//i.test(location)
      ? await fetchText(location, options.timeoutMs ?? PRICE_URL_TIMEOUT_MS, maxBytes, options.signal)
      : await readRegularFile(location, maxBytes, options.signal);
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
    const entries = fromLiteLLM(document, displayLocation(location));
    if (entries.length === 0)
      throw new PriceFileError(location, 'no priced model in it (expected LiteLLM model_prices format)');
    return entries;
  }
  throw new PriceFileError(
    location,
    'neither a LiteLLM price map (an object) nor a list of mltel price entries (an array)',
  );
}
