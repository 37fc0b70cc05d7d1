// A local stand-in for the OpenAI and Anthropic APIs that replays captured response bodies
// (packages/instrumentation-llm/test/fixtures/captures, sources in SOURCES.md) byte for byte,
// and fails on purpose: the first path segment of a request names the scenario.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

/** Folder of the captured bodies. */
export const CAPTURES = join(ROOT, 'packages/instrumentation-llm/test/fixtures/captures');

function capture(file: string): string {
  return readFileSync(join(CAPTURES, file), 'utf8');
}

/** The SSE events of a capture, each with its blank-line terminator, as sent. */
export function sseEvents(file: string): string[] {
  return capture(file)
    .split(/(?<=\n\n)/)
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
export interface ReplayServer {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** The request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Answers with a JSON body (headers set earlier with `res.setHeader` are kept). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/** Answers with the SSE events of a capture, the connection cut before event `stopAfter` if given. */
export async function sendStream(res: ServerResponse, file: string, stopAfter?: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const events = sseEvents(file);
  for (const [index, event] of events.entries()) {
    if (stopAfter !== undefined && index === stopAfter) {
      // The connection dies mid-stream, as when a proxy or the provider drops it.
      res.socket?.destroy();
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

function okFile(path: string, stream: boolean): string | undefined {
  if (path.endsWith('/chat/completions')) return stream ? 'openai-chat-stream.sse' : 'openai-chat.json';
  if (path.endsWith('/embeddings')) return 'openai-embeddings.json';
  if (path.endsWith('/responses')) return stream ? 'openai-responses-stream.sse' : 'openai-responses.json';
  if (path.endsWith('/messages')) return stream ? 'anthropic-messages-stream.sse' : 'anthropic-messages.json';
  return undefined;
}

/** Starts the server on 127.0.0.1 (a free port). */
export async function startReplayServer(): Promise<ReplayServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    res.on('error', () => {});
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const [, scenario = '', ...rest] = url.pathname.split('/');
      const path = `/${rest.join('/')}`;
      received.push({ scenario, path, body, headers: req.headers });
      const stream = isStreamRequest(body);
      switch (scenario) {
        case 'ok': {
          const file = okFile(path, stream);
          if (file === undefined) return sendJson(res, 404, '{"error":{"message":"no such route"}}');
          if (file.endsWith('.sse')) return sendStream(res, file);
          return sendJson(res, 200, capture(file));
        }
        case '429':
          return sendJson(res, 429, capture('openai-error-429.json'));
        case '500':
          // No recorded 500 body was found; a bare status with an empty JSON object is what a
          // failing gateway commonly returns.
          return sendJson(res, 500, '{}');
        case '529':
          return sendJson(res, 529, capture('anthropic-error-529.json'));
        case 'reset':
          req.socket.destroy();
          return;
        case 'midstream':
          return sendStream(res, 'openai-chat-stream.sse', 5);
        case 'retry-twice': {
          // The SDKs number their attempts (header names are case-insensitive, Node lowercases them).
          const attempt = Number(req.headers['x-stainless-retry-count'] ?? '0');
          if (attempt < 2) return sendJson(res, 429, capture('openai-error-429.json'), { 'retry-after-ms': '1' });
          return sendJson(res, 200, capture('openai-chat.json'));
        }
        default:
          return sendJson(res, 404, '{"error":{"message":"no such scenario"}}');
      }
    })().catch(() => res.destroy());
  });
  return listen(server, received);
}

/** Listens on 127.0.0.1 (a free port); `close()` drops open connections and stops it. */
export async function listen(server: Server, received: ReceivedRequest[]): Promise<ReplayServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
