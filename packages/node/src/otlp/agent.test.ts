import { request } from 'node:http';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detachedAgentFactory, NOT_RETRIED } from './agent.js';

// A server that accepts and never answers, and a port that refuses.
let hung: Server;
let hungPort: number;
const accepted = new Set<Socket>();

beforeAll(async () => {
  hung = createServer((socket) => {
    accepted.add(socket);
    socket.on('data', () => {});
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  hungPort = (hung.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  await new Promise<void>((resolve) => hung.close(() => resolve()));
});

function hasRef(socket: Socket): boolean | undefined {
  return (socket as unknown as { _handle?: { hasRef(): boolean } })._handle?.hasRef();
}

describe('detachedAgentFactory', () => {
  it('makes OTLP sockets unref’d, so an export in flight does not keep the process alive', async () => {
    const agent = detachedAgentFactory({})('http:');
    const req = request({ host: '127.0.0.1', port: hungPort, method: 'POST', agent });
    req.on('error', () => {});
    const socket = await new Promise<Socket>((resolve) => req.on('socket', (s) => s.once('connect', () => resolve(s))));
    expect(hasRef(socket)).toBe(false);
    req.destroy();
    agent.destroy();
  });

  it('makes network errors final: the upstream exporter does not retry them on ref’d timers', async () => {
    const agent = detachedAgentFactory({})('http:');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', agent });
      req.on('error', resolve);
      req.end();
    });
    expect(error.code).toBe(`${NOT_RETRIED}ECONNREFUSED`);
    expect(error.message).toContain('ECONNREFUSED');
    agent.destroy();
  });

  it('gives https an agent with the TLS material', () => {
    const agent = detachedAgentFactory({ ca: 'CA' })('https:') as unknown as { options: { ca?: string } };
    expect(agent.options.ca).toBe('CA');
  });
});
