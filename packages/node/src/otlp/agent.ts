// The HTTP(S) agent of the OTLP exporters. Two choices, both so that a collector that refuses or
// hangs never holds the application:
// - sockets are unref'd: an export in flight does not keep the event loop alive (the exit flush
//   keeps it alive itself, bounded by MLTEL_SHUTDOWN_TIMEOUT, see ../sdk.ts);
// - network errors are final, not retried within the export: the upstream exporter retries them
//   on ref'd timers for up to the export timeout (13-15 s at exit for a refused endpoint). With
//   cumulative temporality the next interval carries the totals, so nothing is lost by not
//   retrying inside one interval.
import type { Agent as HttpAgent } from 'node:http';
import type { AgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import { nodeHttp, nodeHttps } from '@mltel/kit';

/** The error-code prefix of network errors on OTLP sockets: the upstream exporter does not retry them. */
export const NOT_RETRIED = 'MLTEL_NOT_RETRIED_';

interface AgentInternals {
  createConnection(options: unknown, callback?: unknown): Socket | undefined;
  reuseSocket?(socket: Socket, request: unknown): void;
}

function markFinal(error: NodeJS.ErrnoException): void {
  if (typeof error.code === 'string' && !error.code.startsWith(NOT_RETRIED)) error.code = NOT_RETRIED + error.code;
}

function detach(socket: Socket | undefined): void {
  if (socket === undefined) return;
  socket.unref();
  socket.prependListener('error', markFinal);
}

/** Makes an agent's sockets unref'd and their network errors final (see the file comment). */
export function detachedAgent<T extends HttpAgent>(agent: T): T {
  const internals = agent as unknown as AgentInternals;
  const create = internals.createConnection.bind(agent);
  internals.createConnection = (options, callback) => {
    const socket = create(options, callback);
    detach(socket);
    return socket;
  };
  const reuse = internals.reuseSocket?.bind(agent);
  // Node refs a kept-alive socket again when it reuses it.
  internals.reuseSocket = (socket, request) => {
    reuse?.(socket, request);
    socket.unref();
  };
  return agent;
}

/** The agent factory for the upstream OTLP exporters' `httpAgentOptions`. */
export function detachedAgentFactory(tls: Pick<AgentOptions, 'ca' | 'cert' | 'key'>): (protocol: string) => HttpAgent {
  return (protocol) =>
    detachedAgent(
      protocol === 'http:'
        ? new (nodeHttp().Agent)({ keepAlive: true })
        : new (nodeHttps().Agent)({ keepAlive: true, ...tls }),
    );
}
