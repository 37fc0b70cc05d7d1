import { BroadcastChannel, threadId } from 'node:worker_threads';
import { PeerHub } from './hub.js';
import { PROCESS_WIDE_PREFIXES } from './merge.js';
import { isSnapshot } from './snapshot.js';
import type { Snapshot } from './snapshot.js';

/** The attribute that tells worker threads' gauges apart: the thread's slot, 0..threads-1. */
export const THREAD_WORKER_ATTRIBUTE = 'ml.thread.worker';

// Two channels, so that collect requests reach only threads and snapshots only the main thread.
const COLLECT_CHANNEL = 'mltel:metrics:collect';
const SNAPSHOT_CHANNEL = 'mltel:metrics:snapshots';

interface ThreadMessage {
  k: 'hello' | 'snapshot' | 'bye';
  t: number;
  id?: number;
  snapshot?: Snapshot;
}

function isThreadMessage(value: unknown): value is ThreadMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { k?: unknown }).k === 'string' &&
    typeof (value as { t?: unknown }).t === 'number'
  );
}

/** The main thread's side: a hub of this process's worker threads. */
export function startThreadHub(timeoutMs: number): { hub: PeerHub; stop(): void } {
  const requests = new BroadcastChannel(COLLECT_CHANNEL);
  const snapshots = new BroadcastChannel(SNAPSHOT_CHANNEL);
  const hub = new PeerHub(
    THREAD_WORKER_ATTRIBUTE,
    timeoutMs,
    (_keys, id) => {
      requests.postMessage({ id });
      return [];
    },
    PROCESS_WIDE_PREFIXES,
  );
  snapshots.onmessage = (event: unknown) => {
    const data = (event as { data?: unknown }).data;
    if (!isThreadMessage(data)) return;
    const key = String(data.t);
    if (data.k === 'hello') hub.join(key);
    else if (isSnapshot(data.snapshot))
      hub.receive(key, data.snapshot, typeof data.id === 'number' ? data.id : undefined);
    if (data.k === 'bye') hub.leave(key);
  };
  requests.unref();
  snapshots.unref();
  return {
    hub,
    stop() {
      requests.close();
      snapshots.close();
    },
  };
}

/**
 * A worker thread's side: says hello, answers collect requests with `collect()`, pushes every
 * `pushMs` (0: never), and says goodbye with a last snapshot from {@link flush} on a graceful end.
 */
export function startThreadReporter(
  collect: () => Promise<Snapshot>,
  pushMs: number,
): { flush(): Promise<void>; stop(): void } {
  const requests = new BroadcastChannel(COLLECT_CHANNEL);
  const snapshots = new BroadcastChannel(SNAPSHOT_CHANNEL);
  let closed = false;
  const post = (message: ThreadMessage): void => {
    if (!closed) snapshots.postMessage(message);
  };
  const push = async (k: 'snapshot' | 'bye', id?: number): Promise<void> => {
    try {
      const snapshot = await collect();
      post(id === undefined ? { k, t: threadId, snapshot } : { k, t: threadId, id, snapshot });
    } catch {
      // Skipped; the main thread serves the last snapshot.
    }
  };
  requests.onmessage = (event: unknown) => {
    const id = (event as { data?: { id?: unknown } }).data?.id;
    if (typeof id === 'number') void push('snapshot', id);
  };
  requests.unref();
  snapshots.unref();
  post({ k: 'hello', t: threadId });
  const timer = pushMs > 0 ? setInterval(() => void push('snapshot'), pushMs) : undefined;
  timer?.unref();
  return {
    flush: () => push('bye'),
    stop() {
      if (timer !== undefined) clearInterval(timer);
      closed = true;
      requests.close();
      snapshots.close();
    },
  };
}
