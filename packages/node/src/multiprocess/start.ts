import cluster from 'node:cluster';
import { isMainThread } from 'node:worker_threads';
import type { CollectionResult, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { startClusterPrimary, startClusterWorker } from './cluster.js';
import type { PeerHub } from './hub.js';
import { toResourceMetrics, toSnapshot } from './snapshot.js';
import type { Snapshot } from './snapshot.js';
import { startThreadHub, startThreadReporter } from './threads.js';

/** Where this process or thread stands in a multi-process service. */
export type MultiprocessRole = 'primary' | 'cluster-worker' | 'thread';

/** Settings of {@link startMultiprocess}. */
export interface MultiprocessOptions {
  /** How long a scrape waits for a worker's answer (ms) before serving its last snapshot. */
  timeoutMs: number;
  /** How often a worker pushes a snapshot unasked (ms; 0: never): the loss bound of a SIGKILL. */
  pushMs: number;
}

/** The multi-process machinery of one process or thread. */
export interface Multiprocess {
  readonly role: MultiprocessRole;
  /** Whether this process or thread serves the Prometheus endpoint (only a primary main thread). */
  readonly serves: boolean;
  /** The metrics of this process merged with those of its workers (identity where none run). */
  merge(resourceMetrics: ResourceMetrics): Promise<ResourceMetrics>;
  /** Sends a last snapshot to the serving side (graceful exit of a worker). */
  flush(): Promise<void>;
  /** Stops listening. */
  stop(): void;
}

/**
 * Sets up multi-process metrics for a pull (Prometheus) reader whose collection is `collect`:
 * the main thread of a cluster primary (or of a plain process) serves, merging its worker
 * threads and cluster workers at scrape time; cluster workers and worker threads bind nothing
 * and report to it. A worker thread reports to its process's main thread, which (in a cluster
 * worker) reports the merged result on to the primary.
 */
export function startMultiprocess(
  collect: () => Promise<CollectionResult>,
  options: MultiprocessOptions,
): Multiprocess {
  const own = async (): Promise<Snapshot> => toSnapshot((await collect()).resourceMetrics);
  if (!isMainThread) {
    const reporter = startThreadReporter(own, options.pushMs);
    return { role: 'thread', serves: false, merge: async (rm) => rm, flush: reporter.flush, stop: reporter.stop };
  }
  const threads = startThreadHub(options.timeoutMs);
  const withThreads = (snapshot: Snapshot): Promise<Snapshot> =>
    threads.hub.active ? threads.hub.merge(snapshot) : Promise.resolve(snapshot);
  if (cluster.isWorker) {
    const reporter = startClusterWorker(async () => withThreads(await own()), options.pushMs);
    return {
      role: 'cluster-worker',
      serves: false,
      merge: async (rm) => toResourceMetrics(rm.resource, await withThreads(toSnapshot(rm))),
      flush: reporter.flush,
      stop() {
        reporter.stop();
        threads.stop();
      },
    };
  }
  const workers = startClusterPrimary(options.timeoutMs);
  const hubs: PeerHub[] = [threads.hub, workers.hub];
  return {
    role: 'primary',
    serves: true,
    async merge(rm) {
      if (!hubs.some((hub) => hub.active)) return rm;
      let snapshot = toSnapshot(rm);
      for (const hub of hubs) if (hub.active) snapshot = await hub.merge(snapshot);
      return toResourceMetrics(rm.resource, snapshot);
    },
    flush: async () => {},
    stop() {
      workers.stop();
      threads.stop();
    },
  };
}
