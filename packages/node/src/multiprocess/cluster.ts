import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { PeerHub } from './hub.js';
import { isSnapshot } from './snapshot.js';
import type { Snapshot } from './snapshot.js';

/** Marker of mltel's messages on the cluster IPC channel; applications should ignore them. */
export const MESSAGE_TAG = 'mltel';
/** The attribute that tells cluster workers' gauges apart: the worker's slot, 0..workers-1. */
export const CLUSTER_WORKER_ATTRIBUTE = 'ml.cluster.worker';

const DISCONNECT_PUSH_MS = 2_000;

interface Message {
  mltel: 'collect' | 'snapshot';
  id?: number;
  snapshot?: Snapshot;
}

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && (value as { mltel?: unknown }).mltel !== undefined;
}

/** The primary's side: a hub of the cluster's workers, fed by the cluster's events. */
export function startClusterPrimary(timeoutMs: number): { hub: PeerHub; stop(): void } {
  const hub = new PeerHub(CLUSTER_WORKER_ATTRIBUTE, timeoutMs, (keys, id) => {
    const unreachable: string[] = [];
    for (const key of keys) {
      const worker = cluster.workers?.[key];
      if (worker === undefined || !worker.isConnected()) {
        unreachable.push(key);
        continue;
      }
      try {
        worker.send({ mltel: 'collect', id } satisfies Message, undefined, () => {});
      } catch {
        unreachable.push(key);
      }
    }
    return unreachable;
  });
  const onFork = (worker: Worker): void => hub.join(String(worker.id));
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isMessage(message) || message.mltel !== 'snapshot' || !isSnapshot(message.snapshot)) return;
    hub.receive(String(worker.id), message.snapshot, typeof message.id === 'number' ? message.id : undefined);
  };
  const onExit = (worker: Worker): void => hub.leave(String(worker.id));
  cluster.on('fork', onFork);
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  return {
    hub,
    stop() {
      cluster.off('fork', onFork);
      cluster.off('message', onMessage);
      cluster.off('exit', onExit);
    },
  };
}

/**
 * A cluster worker's side: answers the primary's collect requests with `collect()`, pushes a
 * snapshot every `pushMs` (0: never) so that a worker killed without warning loses at most one
 * interval, and a last one from {@link flush} on graceful exit.
 */
export function startClusterWorker(
  collect: () => Promise<Snapshot>,
  pushMs: number,
): { flush(): Promise<void>; stop(): void } {
  const send = (message: Message): Promise<void> =>
    new Promise((resolve) => {
      if (typeof process.send !== 'function' || !process.connected) return resolve();
      try {
        process.send(message, undefined, {}, () => resolve());
      } catch {
        resolve();
      }
    });
  const push = async (id?: number): Promise<void> => {
    try {
      const snapshot = await collect();
      await send(id === undefined ? { mltel: 'snapshot', snapshot } : { mltel: 'snapshot', id, snapshot });
    } catch {
      // A failed collection is skipped; the primary serves the last snapshot.
    }
  };
  const onMessage = (message: unknown): void => {
    if (isMessage(message) && message.mltel === 'collect' && typeof message.id === 'number') void push(message.id);
  };
  // The graceful path of a cluster worker (worker.disconnect() or worker.kill() in the primary):
  // Node closes the worker's servers, waits for their connections to end, then calls
  // process.disconnect(). Sending the last snapshot just before that counts every request the
  // worker served; bounded, so a stuck send never keeps the worker from disconnecting.
  const disconnect = process.disconnect;
  let disconnecting = false;
  if (typeof disconnect === 'function') {
    process.disconnect = function mltelDisconnect(this: NodeJS.Process): void {
      if (disconnecting) return;
      disconnecting = true;
      const bound = new Promise<void>((resolve) => setTimeout(resolve, DISCONNECT_PUSH_MS).unref());
      void Promise.race([push(), bound]).finally(() => {
        // The primary may have closed the channel meanwhile; Node asserts on a second close.
        if (!process.connected || process.channel == null) return;
        try {
          disconnect.call(process);
        } catch {
          // Already disconnected.
        }
      });
    };
  }
  process.on('message', onMessage);
  // Listening must not keep a worker alive that would otherwise exit; only when no one else listens.
  if (process.listenerCount('message') === 1) process.channel?.unref();
  const timer = pushMs > 0 ? setInterval(() => void push(), pushMs) : undefined;
  timer?.unref();
  return {
    flush: () => push(),
    stop() {
      if (timer !== undefined) clearInterval(timer);
      process.off('message', onMessage);
      if (typeof disconnect === 'function' && !disconnecting) process.disconnect = disconnect;
    },
  };
}
