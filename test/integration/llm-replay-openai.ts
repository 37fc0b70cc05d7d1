// A local stand-in for OpenAI's image, audio, legacy completion and moderation endpoints (and
// the chat and Anthropic streams with the rate-limit headers recorded with them). It replays
// captured bodies and headers (packages/instrumentation-llm/test/fixtures/captures, sources in
// SOURCES.md) byte for byte. The first path segment names the scenario: ok, groq / together /
// mistral (a chat answer of that API), 429, 500, reset, midstream (a stream dies after 5 events).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CAPTURES, listen, readBody, sendJson, sendStream } from './llm-replay.js';
import type { ReceivedRequest, ReplayServer } from './llm-replay.js';

/** Bytes of the recorded speech answer (vercel/ai's recording keeps its length, not its audio: SOURCES.md). */
export const SPEECH_BYTES = 48384;

function capture(file: string): string {
  return readFileSync(join(CAPTURES, file), 'utf8');
}

/** The rate-limit headers recorded with a capture, as sent. */
export function rateLimitHeaders(
  provider: 'openai' | 'anthropic' | 'groq' | 'together' | 'mistral',
): Record<string, string> {
  return JSON.parse(capture(`${provider}-ratelimit-headers.json`)) as Record<string, string>;
}

const COMPATIBLE_CHAT = {
  groq: 'groq-chat.json',
  together: 'together-chat.json',
  mistral: 'mistral-chat-ratelimit.json',
} as const;

/** A field of a JSON body or of a multipart form (the SDKs send uploads as multipart). */
function field(body: string, name: string): string | undefined {
  try {
    const value = (JSON.parse(body) as Record<string, unknown>)[name];
    return value === undefined ? undefined : String(value);
  } catch {
    const match = new RegExp(`name="${name}"\\r\\n(?:[^\\r\\n]+\\r\\n)*\\r\\n([^\\r\\n]*)`).exec(body);
    return match?.[1];
  }
}

/** The capture that answers a request, and the recorded headers that go with it. */
function okAnswer(path: string, body: string): { file: string; headers?: Record<string, string> } | undefined {
  const stream = field(body, 'stream') === 'true';
  const model = field(body, 'model');
  if (path.endsWith('/images/generations')) {
    if (model === 'gpt-image-1') return { file: stream ? 'openai-images-stream.sse' : 'openai-images-tokens.json' };
    return { file: 'openai-images.json' };
  }
  if (path.endsWith('/images/edits'))
    return { file: stream ? 'openai-image-edit-stream.sse' : 'openai-image-edit.json' };
  if (path.endsWith('/audio/transcriptions')) {
    if (stream) return { file: 'openai-transcription-stream.sse' };
    return { file: model === 'gpt-4o-transcribe' ? 'openai-transcription-tokens.json' : 'openai-transcription.json' };
  }
  if (path.endsWith('/audio/translations')) return { file: 'openai-translation.json' };
  if (path.endsWith('/completions') && !path.endsWith('/chat/completions')) return { file: 'openai-completion.json' };
  if (path.endsWith('/moderations')) return { file: 'openai-moderation.json' };
  if (path.endsWith('/chat/completions') && stream) {
    return { file: 'openai-chat-stream.sse', headers: rateLimitHeaders('openai') };
  }
  if (path.endsWith('/messages') && stream) {
    return { file: 'anthropic-messages-stream.sse', headers: rateLimitHeaders('anthropic') };
  }
  return undefined;
}

function answer(req: IncomingMessage, res: ServerResponse, scenario: string, path: string, body: string) {
  switch (scenario) {
    case 'ok': {
      if (path.endsWith('/audio/speech')) {
        res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(SPEECH_BYTES) });
        res.end(Buffer.alloc(SPEECH_BYTES));
        return;
      }
      const ok = okAnswer(path, body);
      if (ok === undefined) return sendJson(res, 404, '{"error":{"message":"no such route"}}');
      for (const [name, value] of Object.entries(ok.headers ?? {})) res.setHeader(name, value);
      return ok.file.endsWith('.sse') ? sendStream(res, ok.file) : sendJson(res, 200, capture(ok.file));
    }
    case 'groq':
    case 'together':
    case 'mistral': {
      // A chat answer of an OpenAI-compatible API, with the rate-limit headers it was sent with.
      for (const [name, value] of Object.entries(rateLimitHeaders(scenario))) res.setHeader(name, value);
      return sendJson(res, 200, capture(COMPATIBLE_CHAT[scenario]));
    }
    case '429':
      return sendJson(res, 429, capture('openai-error-429.json'));
    case '500':
      return sendJson(res, 500, '{}');
    case 'reset':
      req.socket.destroy();
      return;
    case 'midstream':
      return sendStream(res, 'openai-transcription-stream.sse', 5);
    default:
      return sendJson(res, 404, '{"error":{"message":"no such scenario"}}');
  }
}

/** Starts the server on 127.0.0.1 (a free port). */
export async function startOpenAIReplayServer(): Promise<ReplayServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    res.on('error', () => {});
    void (async () => {
      const body = await readBody(req);
      const [, scenario = '', ...rest] = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.split('/');
      const path = `/${rest.join('/')}`;
      received.push({ scenario, path, body, headers: req.headers });
      return answer(req, res, scenario, path, body);
    })().catch(() => res.destroy());
  });
  return listen(server, received);
}
