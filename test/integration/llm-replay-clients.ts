// A local stand-in for the APIs of the model clients beyond OpenAI and Anthropic (Google's
// Gemini API, ...): it replays captured response bodies (packages/instrumentation-llm/test/
// fixtures/captures, sources in SOURCES.md) byte for byte and fails on purpose. The first path
// segment of a request names the scenario: ok, 429, 500, reset (the connection dies before an
// answer) or midstream (a stream dies after its first event).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CAPTURES } from './llm-replay.js';

/** How one API operation is answered. */
interface Route {
  /** Whether a request path (after the scenario segment, query included) is this operation. */
  test: RegExp;
  /** The capture of a successful answer. */
  ok: string;
  /** The capture of a 429 answer. */
  tooMany: string;
}

const ROUTES: Route[] = [
  {
    test: /:streamGenerateContent\?alt=sse$/,
    ok: 'google-generate-content-stream.sse',
    tooMany: 'google-error-429.json',
  },
  { test: /:generateContent$/, ok: 'google-generate-content.json', tooMany: 'google-error-429.json' },
  { test: /:(batchEmbedContents|embedContent)$/, ok: 'google-embed-content.json', tooMany: 'google-error-429.json' },
];

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
  url: string;
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

function send(res: ServerResponse, status: number, body: Buffer | string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

async function sendStream(res: ServerResponse, file: string, stopAfter?: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [index, event] of sseEventsOf(file).entries()) {
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

function answer(res: ServerResponse, scenario: string, route: Route, req: IncomingMessage): Promise<void> | void {
  switch (scenario) {
    case 'ok':
      return route.ok.endsWith('.sse') ? sendStream(res, route.ok) : send(res, 200, capture(route.ok));
    case '429':
      return send(res, 429, capture(route.tooMany));
    case '500':
      // No recorded 500 body was found; a bare status with an empty JSON object is what a
      // failing gateway commonly returns.
      return send(res, 500, '{}');
    case 'reset':
      req.socket.destroy();
      return;
    case 'midstream':
      return sendStream(res, route.ok, 1);
    default:
      return send(res, 404, '{"error":{"message":"no such scenario"}}');
  }
}

/** Starts the server on 127.0.0.1 (a free port). */
export async function startClientReplayServer(): Promise<ClientReplayServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    res.on('error', () => {});
    void (async () => {
      const body = await readBody(req);
      const [, scenario = '', ...rest] = (req.url ?? '/').split('/');
      const path = `/${rest.join('/')}`;
      received.push({ scenario, path, body, headers: req.headers });
      const route = ROUTES.find((r) => r.test.test(path));
      if (route === undefined) return send(res, 404, '{"error":{"message":"no such route"}}');
      return answer(res, scenario, route, req);
    })().catch(() => res.destroy());
  });
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
