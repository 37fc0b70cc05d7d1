// This test process is the cluster primary; its workers are real cluster workers
// (test/fixtures/peer.mjs) running the built worker side over the cluster IPC channel.
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture, nextMessage, peerModules, values, waitFor } from '../../test/harness.js';
import { CLUSTER_WORKER_ATTRIBUTE, MESSAGE_TAG, startClusterPrimary } from './cluster.js';
import type { Snapshot } from './snapshot.js';

const EMPTY: Snapshot = { v: 1, s: [] };
const running: { stop(): void }[] = [];
const workers: Worker[] = [];

beforeAll(() => {
  cluster.setupPrimary({ exec: fixture('peer.mjs'), execArgv: [], silent: true });
});

afterEach(async () => {
  for (const side of running.splice(0)) side.stop();
  await Promise.all(
    workers.splice(0).map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGKILL');
        }),
    ),
  );
});

function primary(timeoutMs = 2000) {
  const side = startClusterPrimary(timeoutMs);
  running.push(side);
  return side.hub;
}

/** A cluster worker reporting through startClusterWorker; resolves once it is ready. */
async function fork(options: Record<string, unknown>): Promise<Worker> {
  const worker = cluster.fork({
    PEER_OPTIONS: JSON.stringify({ modules: peerModules(), via: 'reporter', ...options }),
  });
  workers.push(worker);
  await nextMessage(worker, (m) => m.peer === 'ready');
  return worker;
}

async function command(worker: Worker, peer: string, extra: Record<string, unknown> = {}): Promise<void> {
  const done = nextMessage(worker, (m) => m.peer === 'done' && m.command === peer);
  worker.send({ peer, ...extra });
  await done;
}

function exited(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker did not exit within 10 s')), 10_000);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('cluster workers report to the primary', () => {
  it('the primary asks each worker at scrape time; gauges carry the worker slot', async () => {
    const hub = primary();
    await fork({ tasks: 3, queue: 7 });
    await fork({ tasks: 4, queue: 9 });
    expect(hub.size).toBe(2);
    const merged = await hub.merge(EMPTY);
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 7]]);
    expect(values(merged, 'ml.queue.size')).toEqual([
      [{ [CLUSTER_WORKER_ATTRIBUTE]: '0' }, 7],
      [{ [CLUSTER_WORKER_ATTRIBUTE]: '1' }, 9],
    ]);
    expect([CLUSTER_WORKER_ATTRIBUTE, MESSAGE_TAG]).toEqual(['ml.cluster.worker', 'mltel']);
  });

  it('a worker disconnected gracefully sends its last counts first; they stay after it exits', async () => {
    const hub = primary();
    const worker = await fork({ tasks: 3, queue: 1 });
    expect(values(await hub.merge(EMPTY), 'ml.tasks')).toEqual([[{}, 3]]);
    // Two more that only the last snapshot, sent on the way out, tells the primary.
    await command(worker, 'add', { n: 2 });
    const gone = exited(worker);
    worker.disconnect();
    await gone;
    expect(hub.size).toBe(0);
    const merged = await hub.merge(EMPTY);
    expect(values(merged, 'ml.tasks')).toEqual([[{}, 5]]);
    expect(values(merged, 'ml.queue.size')).toEqual([]);
  });

  it('a worker pushes unasked every pushMs, so a SIGKILL loses at most one interval', async () => {
    const hub = primary();
    const pushes: unknown[] = [];
    const onMessage = (_worker: Worker, message: { mltel?: string; id?: number }): void => {
      if (message.mltel === 'snapshot' && message.id === undefined) pushes.push(message);
    };
    cluster.on('message', onMessage);
    try {
      const worker = await fork({ tasks: 2, pushMs: 20 });
      await waitFor('two pushes', () => (pushes.length >= 2 ? true : undefined));
      const gone = exited(worker);
      worker.process.kill('SIGKILL');
      await gone;
      expect(values(await hub.merge(EMPTY), 'ml.tasks')).toEqual([[{}, 2]]);
    } finally {
      cluster.off('message', onMessage);
    }
  });

  it('a stopped primary no longer follows the cluster', async () => {
    const side = startClusterPrimary(200);
    side.stop();
    await fork({ tasks: 1 });
    expect(side.hub.size).toBe(0);
    expect(side.hub.active).toBe(false);
  });

  it('a worker that cannot be reached is not waited for', async () => {
    const hub = primary(5000);
    hub.join('no-such-worker');
    const started = Date.now();
    expect(await hub.merge(EMPTY)).toEqual(EMPTY);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
