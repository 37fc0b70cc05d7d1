// A local stand-in for fal.ai's queue (queue.fal.run) and synchronous (fal.run) APIs, reached
// through the client's proxy setting (`proxyUrl: { url, when: 'always' }`): each request comes
// to `<url>/<scenario>` with the real target in `x-fal-target-url`. It answers with fal's
// documented example responses (packages/instrumentation-llm/test/fixtures/captures, sources in
// SOURCES.md). Scenarios: ok, 429, 500, failed (the queue says COMPLETED, the result is an error).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { CAPTURES, listen, readBody } from './llm-replay.js';
import type { ReplayServer } from './llm-replay.js';

const capture = (file: string): string => readFileSync(join(CAPTURES, file), 'utf8');
const SUBMIT = 'fal-queue-submit.json';
const RESULT = 'fal-flux-dev-result.json';
// fal's documented request-error shape (`detail`, `error_type`) with the documented type of a 500.
const SERVER_ERROR = '{"detail":"Internal server error","error_type":"runner_server_error"}';
// The queue states a request goes through, one per status poll: fal's QueueStatus schema
// (IN_QUEUE with queue_position, IN_PROGRESS and COMPLETED with logs).
const STATES = ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'] as const;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function statusBody(polls: number): string {
  const submitted = JSON.parse(capture(SUBMIT)) as Record<string, unknown>;
  const status = STATES[Math.min(polls, STATES.length - 1)]!;
  const extra = status === 'IN_QUEUE' ? { queue_position: 0 } : { logs: [] };
  return JSON.stringify({ status, ...submitted, ...extra });
}

/** Starts the server on 127.0.0.1 (a free port); `received` lists each request with its target. */
export async function startFalReplayServer(): Promise<ReplayServer> {
  const received: ReplayServer['received'] = [];
  // Status polls since the scenario's last submit.
  const polls = new Map<string, number>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const scenario = (req.url ?? '/').split('/')[1] ?? '';
    const target = new URL(String(req.headers['x-fal-target-url'] ?? 'https://unknown.invalid/'));
    const path = `${target.host}${target.pathname}`;
    received.push({ scenario, path, body, headers: req.headers });
    if (scenario === '429') return send(res, 429, '{}');
    const queue = target.host === 'queue.fal.run';
    if (req.method === 'POST') {
      polls.set(scenario, 0);
      if (scenario === '500') return send(res, 500, SERVER_ERROR);
      return send(res, 200, queue ? capture(SUBMIT) : capture(RESULT));
    }
    if (target.pathname.endsWith('/status')) {
      const count = polls.get(scenario) ?? 0;
      polls.set(scenario, count + 1);
      return send(res, 200, statusBody(count));
    }
    if (scenario === 'failed') return send(res, 500, SERVER_ERROR, { 'x-fal-error-type': 'runner_server_error' });
    return send(res, 200, capture(RESULT));
  };
  const server = createServer((req, res) => {
    res.on('error', () => {});
    handle(req, res).catch(() => res.destroy());
  });
  return listen(server, received);
}
