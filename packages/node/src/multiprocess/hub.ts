import { cumulativeOnly, HOST_WIDE_PREFIXES, MetricsMerger } from './merge.js';
import type { Snapshot } from './snapshot.js';

/** Sends a collect request `id` to the peers named; returns the keys it could not reach. */
export type SendCollect = (keys: readonly string[], id: number) => readonly string[];

interface Peer {
  slot: number;
  last: Snapshot | undefined;
  misses: number;
}

interface Round {
  waiting: Set<string>;
  done: () => void;
}

// A peer that missed this many requests in a row counts as gone for gauges (it may be stuck or
// terminated without a word); its counters stay, and it comes back if it answers again.
const SILENT_AFTER = 3;
// Departed peers remembered, so that a late message from one is not taken for a new peer.
const MAX_DEPARTED = 1024;

/**
 * The serving side of multi-process metrics: knows the peers (cluster workers or worker threads),
 * asks each for its metrics at scrape time (bounded by `timeoutMs`; a peer that does not answer
 * is served from its last snapshot), and keeps what exited peers counted in a retired
 * accumulator, so counters and histograms never go backwards when a worker dies and is replaced.
 * Gauges are kept per peer under `label` = the peer's slot (0..peers-1, reused by replacements).
 */
export class PeerHub {
  private readonly peers = new Map<string, Peer>();
  private readonly departed = new Set<string>();
  private retired: Snapshot = { v: 1, s: [] };
  private readonly warned = new Set<string>();
  private readonly rounds = new Map<number, Round>();
  private nextId = 1;

  constructor(
    private readonly label: string,
    private readonly timeoutMs: number,
    private readonly send: SendCollect,
    private readonly ownPrefixes: readonly string[] = HOST_WIDE_PREFIXES,
  ) {}

  /** Number of live peers. */
  get size(): number {
    return this.peers.size;
  }

  /** True when there is anything to merge: live peers or what exited ones counted. */
  get active(): boolean {
    return this.peers.size > 0 || this.retired.s.length > 0;
  }

  /** A peer started: it gets the lowest free slot. */
  join(key: string): void {
    if (this.peers.has(key) || this.departed.has(key)) return;
    const used = new Set([...this.peers.values()].map((p) => p.slot));
    let slot = 0;
    while (used.has(slot)) slot++;
    this.peers.set(key, { slot, last: undefined, misses: 0 });
  }

  /** A snapshot from a peer: pushed (no id) or the answer to request `id`. */
  receive(key: string, snapshot: Snapshot, id?: number): void {
    if (this.departed.has(key)) return;
    this.join(key);
    const peer = this.peers.get(key)!;
    peer.last = snapshot;
    peer.misses = 0;
    if (id === undefined) return;
    const round = this.rounds.get(id);
    if (round?.waiting.delete(key) && round.waiting.size === 0) round.done();
  }

  /** A peer exited: what it counted moves to the retired accumulator, its gauges are dropped. */
  leave(key: string): void {
    const peer = this.peers.get(key);
    if (peer === undefined) return;
    this.peers.delete(key);
    this.departed.add(key);
    if (this.departed.size > MAX_DEPARTED) this.departed.delete(this.departed.values().next().value!);
    if (peer.last !== undefined) {
      this.retired = new MetricsMerger(this.warned, this.ownPrefixes)
        .add(this.retired, undefined)
        .add(cumulativeOnly(peer.last, this.ownPrefixes), undefined)
        .result();
    }
    for (const round of this.rounds.values()) {
      if (round.waiting.delete(key) && round.waiting.size === 0) round.done();
    }
  }

  /** `own` merged with every peer's current metrics and the retired ones. */
  async merge(own: Snapshot): Promise<Snapshot> {
    if (this.peers.size > 0) await this.collectRound();
    const merger = new MetricsMerger(this.warned, this.ownPrefixes).add(own, undefined).add(this.retired, undefined);
    for (const peer of this.peers.values()) {
      if (peer.last === undefined) continue;
      const snapshot = peer.misses >= SILENT_AFTER ? cumulativeOnly(peer.last, this.ownPrefixes) : peer.last;
      merger.add(snapshot, [this.label, String(peer.slot)]);
    }
    return merger.result();
  }

  private collectRound(): Promise<void> {
    const id = this.nextId++;
    // A peer that never answered anything after several requests (e.g. forked without the
    // preload) is no longer waited for, so it cannot slow every scrape by the timeout; a push
    // from it brings it back.
    const keys = [...this.peers.entries()]
      .filter(([, peer]) => peer.last !== undefined || peer.misses < SILENT_AFTER)
      .map(([key]) => key);
    if (keys.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiting = new Set(keys);
      const finish = (): void => {
        clearTimeout(timer);
        this.rounds.delete(id);
        for (const key of waiting) {
          const peer = this.peers.get(key);
          if (peer !== undefined) peer.misses++;
        }
        resolve();
      };
      const timer = setTimeout(finish, this.timeoutMs);
      timer.unref();
      this.rounds.set(id, { waiting, done: finish });
      let unreachable: readonly string[] = [];
      try {
        unreachable = this.send(keys, id);
      } catch {
        unreachable = keys;
      }
      for (const key of unreachable) waiting.delete(key);
      if (waiting.size === 0) finish();
    });
  }
}
