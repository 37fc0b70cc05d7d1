// A local stand-in for the APIs of the model clients beyond OpenAI and Anthropic (Google's
// Gemini API, ...): it replays captured response bodies (packages/instrumentation-llm/test/
// fixtures/captures, sources in SOURCES.md) byte for byte and fails on purpose. The first path
// segment of a request names the scenario: ok, 429, 500, reset (the connection dies before an
// answer), midstream (a stream dies after its first event) or headers (an answer captured with
// its rate-limit headers, sent with them).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createH2cServer, constants as h2constants } from 'node:http2';
import type { Http2Server } from 'node:http2';
import { join } from 'node:path';
import { CAPTURES } from './llm-replay.js';

/** A 429 answer: a capture, or (where none was found) a body in the documented shape. */
interface TooMany {
  file?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** How one API operation is answered. */
interface Route {
  /** Whether a request path (after the scenario segment, query included) is this operation. */
  test: RegExp;
  /** The capture of a successful answer (by path where the model decides, by body where `stream` does). */
  ok: string | ((path: string, stream: boolean) => string);
  tooMany: TooMany;
  /** The capture the `headers` scenario answers with, its captured response headers included. */
  withHeaders?: string;
}

const GOOGLE_429: TooMany = { file: 'google-error-429.json' };
const MISTRAL_429: TooMany = { file: 'mistral-error-429.json' };
// No Groq, Cohere or Ollama 429 body with a public source that could be cited was found: the status alone.
const STATUS_ONLY_429: TooMany = {};
// No captured Bedrock 429 was found: this is the body and header AWS documents for
// ThrottlingException (the SDK reads the error name from x-amzn-ErrorType).
const BEDROCK_429: TooMany = {
  body: '{"message":"Too many requests, please wait before trying again."}',
  headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
};

function bedrockInvokeFile(path: string): string {
  if (path.includes('/model/anthropic.')) return 'bedrock-invoke-anthropic.json';
  if (path.includes('/model/meta.')) return 'bedrock-invoke-meta.json';
  return 'bedrock-invoke-amazon.json';
}

const ROUTES: Route[] = [
  { test: /:streamGenerateContent\?alt=sse$/, ok: 'google-generate-content-stream.sse', tooMany: GOOGLE_429 },
  { test: /:generateContent$/, ok: 'google-generate-content.json', tooMany: GOOGLE_429 },
  { test: /:(batchEmbedContents|embedContent)$/, ok: 'google-embed-content.json', tooMany: GOOGLE_429 },
  { test: /^\/model\/[^/]+\/converse$/, ok: 'bedrock-converse.json', tooMany: BEDROCK_429 },
  { test: /^\/model\/[^/]+\/converse-stream$/, ok: 'bedrock-converse-stream.eventstream', tooMany: BEDROCK_429 },
  { test: /^\/model\/[^/]+\/invoke$/, ok: bedrockInvokeFile, tooMany: BEDROCK_429 },
  {
    test: /^\/v1\/chat\/completions$/,
    ok: (_path, stream) => (stream ? 'mistral-chat-stream.sse' : 'mistral-chat.json'),
    tooMany: MISTRAL_429,
    withHeaders: 'mistral-chat-ratelimit.json',
  },
  { test: /^\/v1\/embeddings$/, ok: 'mistral-embeddings.json', tooMany: MISTRAL_429 },
  {
    test: /^\/api\/chat$/,
    ok: (_path, stream) => (stream ? 'ollama-chat-stream.ndjson' : 'ollama-chat.json'),
    tooMany: STATUS_ONLY_429,
  },
  { test: /^\/api\/generate$/, ok: 'ollama-generate.json', tooMany: STATUS_ONLY_429 },
  { test: /^\/api\/embeddings$/, ok: 'ollama-embeddings.json', tooMany: STATUS_ONLY_429 },
  {
    test: /^\/v2\/chat$/,
    ok: (_path, stream) => (stream ? 'cohere-chat-stream.sse' : 'cohere-chat.json'),
    tooMany: STATUS_ONLY_429,
  },
  { test: /^\/v2\/embed$/, ok: 'cohere-embed.json', tooMany: STATUS_ONLY_429 },
  {
    test: /^\/openai\/v1\/chat\/completions$/,
    ok: (_path, stream) => (stream ? 'groq-chat-stream.sse' : 'groq-chat.json'),
    tooMany: STATUS_ONLY_429,
  },
  {
    test: /^\/model\/[^/]+\/invoke-with-response-stream$/,
    ok: 'bedrock-invoke-stream-anthropic.eventstream',
    tooMany: BEDROCK_429,
  },
];

// The response headers captured with an answer (SOURCES.md: the same response), sent with it.
const CAPTURED_HEADERS: Readonly<Record<string, string>> = {
  'groq-chat.json': 'groq-ratelimit-headers.json',
  'mistral-chat-ratelimit.json': 'mistral-ratelimit-headers.json',
};

function headersOf(file: string): Record<string, string> {
  const headers = CAPTURED_HEADERS[file];
  return headers === undefined ? {} : (JSON.parse(capture(headers).toString('utf8')) as Record<string, string>);
}

function capture(file: string): Buffer {
  return readFileSync(join(CAPTURES, file));
}

/** The events of an SSE capture (each with its blank-line terminator, `\n\n` or `\r\n\r\n`). */
export function sseEventsOf(file: string): string[] {
  return capture(file)
    .toString('utf8')
    .split(/(?<=\r?\n\r?\n)/)
    .filter((event) => event.trim() !== '');
}

/** One request the server received. */
export interface ReceivedRequest {
  scenario: string;
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
}

/** A running replay server. */
export interface ClientReplayServer {
  /** HTTP/1.1. */
  url: string;
  /** The same answers over cleartext HTTP/2 (prior knowledge), as the AWS SDK's Bedrock client speaks. */
  h2url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** The lines of an NDJSON capture, each with its newline. */
export function ndjsonLinesOf(file: string): string[] {
  return capture(file)
    .toString('utf8')
    .split(/(?<=\n)/)
    .filter((line) => line.trim() !== '');
}

/** The messages of an AWS event-stream capture (each `total length` bytes, as its prelude says). */
export function eventStreamMessagesOf(file: string): Buffer[] {
  const bytes = capture(file);
  const messages: Buffer[] = [];
  for (let offset = 0; offset + 4 <= bytes.length && messages.length < 10_000; ) {
    const length = bytes.readUInt32BE(offset);
    messages.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return messages;
}

function send(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

async function sendStream(res: ServerResponse, file: string, stopAfter?: number): Promise<void> {
  const eventStream = file.endsWith('.eventstream');
  const ndjson = file.endsWith('.ndjson');
  const type = eventStream
    ? 'application/vnd.amazon.eventstream'
    : ndjson
      ? 'application/x-ndjson'
      : 'text/event-stream';
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
  const events: (string | Buffer)[] = eventStream
    ? eventStreamMessagesOf(file)
    : ndjson
      ? ndjsonLinesOf(file)
      : sseEventsOf(file);
  for (const [index, event] of events.entries()) {
    if (stopAfter !== undefined && index === stopAfter) {
      // The connection dies mid-stream, as when a proxy or the provider drops it (HTTP/2: the
      // stream is reset).
      const h2stream = (res as unknown as { stream?: { close(code: number): void } }).stream;
      if (h2stream !== undefined) h2stream.close(h2constants.NGHTTP2_INTERNAL_ERROR);
      else res.socket?.destroy();
      return;
    }
    if (res.destroyed || !res.writable) return;
    res.write(event);
    await new Promise((r) => setTimeout(r, 2));
  }
  res.end();
}

function isStreamRequest(body: string): boolean {
  try {
    return (JSON.parse(body) as { stream?: unknown }).stream === true;
  } catch {
    return false;
  }
}

function answer(
  res: ServerResponse,
  scenario: string,
  route: Route,
  request: { path: string; body: string },
  req: IncomingMessage,
): Promise<void> | void {
  const ok = typeof route.ok === 'string' ? route.ok : route.ok(request.path, isStreamRequest(request.body));
  const streamed = ok.endsWith('.sse') || ok.endsWith('.eventstream') || ok.endsWith('.ndjson');
  switch (scenario) {
    case 'ok':
      return streamed ? sendStream(res, ok) : send(res, 200, capture(ok), headersOf(ok));
    case '429': {
      const { file, body = '{}', headers } = route.tooMany;
      return send(res, 429, file === undefined ? body : capture(file), headers);
    }
    case '500':
      // No recorded 500 body was found; a bare status with an empty JSON object is what a
      // failing gateway commonly returns.
      return send(res, 500, '{}');
    case 'headers':
      if (route.withHeaders === undefined) return send(res, 404, '{"error":{"message":"no headers capture"}}');
      return send(res, 200, capture(route.withHeaders), headersOf(route.withHeaders));
    case 'reset':
      req.socket.destroy();
      return;
    case 'midstream':
      return sendStream(res, ok, MIDSTREAM_CUT);
    default:
      return send(res, 404, '{"error":{"message":"no such scenario"}}');
  }
}

/** The events a `midstream` answer sends before the connection dies. */
export const MIDSTREAM_CUT = 1;

/** Starts the server on 127.0.0.1 (a free port). */
export async function startClientReplayServer(): Promise<ClientReplayServer> {
  const received: ReceivedRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('error', () => {});
    void (async () => {
      const body = await readBody(req);
      const [, scenario = '', ...rest] = (req.url ?? '/').split('/');
      const path = `/${rest.join('/')}`;
      received.push({ scenario, path, body, headers: req.headers });
      const route = ROUTES.find((r) => r.test.test(path));
      if (route === undefined) return send(res, 404, '{"error":{"message":"no such route"}}');
      return answer(res, scenario, route, { path, body }, req);
    })().catch(() => res.destroy());
  };
  const server: Server = createServer(handle);
  // The compatibility API hands HTTP/2 streams over as request/response pairs.
  const h2: Http2Server = createH2cServer(handle as unknown as Parameters<typeof createH2cServer>[0]);
  const sessions = new Set<{ destroy(): void }>();
  h2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const { port: h2port } = h2.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    h2url: `http://127.0.0.1:${h2port}`,
    received,
    close: async () => {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => h2.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
