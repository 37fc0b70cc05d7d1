// Matches late, out-of-order labels to predictions by the user's id, in bounded memory: pending
// ids live in an insertion-ordered Map capped in size and age (the oldest goes first, counted),
// and accuracy is over a ring of the last N matched results. Ids are never attributes.

/** Longest string id kept; a longer one is refused, as truncating could match the wrong label. */
export const MAX_ID_LENGTH = 256;

/** The pending-map key of a user's id: a non-empty string of at most 256 characters or a finite number; else undefined. */
export function labelKey(id: unknown): string | undefined {
  if (typeof id === 'string') return id !== '' && id.length <= MAX_ID_LENGTH ? id : undefined;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}

/** Pending predictions and the accuracy ring. */
export class LabelMatcher {
  private readonly pending = new Map<string, { predicted: string; at: number }>();
  private readonly ring: Uint8Array;
  private filled = 0;
  private next = 0;
  private correct = 0;
  matched = 0;
  unmatched = 0;
  expired = 0;
  evicted = 0;

  constructor(
    window: number,
    private readonly maxPending: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    this.ring = new Uint8Array(Math.max(1, window));
  }

  /** Remembers a prediction until its label comes. */
  expect(id: string, predicted: string): void {
    const now = this.now();
    this.expire(now);
    this.pending.delete(id);
    if (this.pending.size >= this.maxPending) {
      const oldest = this.pending.keys().next();
      if (!oldest.done) {
        this.pending.delete(oldest.value);
        this.evicted++;
      }
    }
    this.pending.set(id, { predicted, at: now });
  }

  /** Matches a label; false when its prediction is unknown, expired or already labelled. */
  label(id: string, actual: string): boolean {
    this.expire(this.now());
    const entry = this.pending.get(id);
    if (entry === undefined) {
      this.unmatched++;
      return false;
    }
    this.pending.delete(id);
    this.matched++;
    const hit = entry.predicted === actual ? 1 : 0;
    if (this.filled === this.ring.length) this.correct -= this.ring[this.next]!;
    else this.filled++;
    this.ring[this.next] = hit;
    this.correct += hit;
    this.next = (this.next + 1) % this.ring.length;
    return true;
  }

  /** Accuracy over the ring, or undefined before the first label. */
  accuracy(): number | undefined {
    return this.filled === 0 ? undefined : this.correct / this.filled;
  }

  /** Predictions waiting for a label. */
  get pendingCount(): number {
    return this.pending.size;
  }

  private expire(now: number): void {
    for (const [id, entry] of this.pending) {
      if (now - entry.at <= this.ttlMs) break;
      this.pending.delete(id);
      this.expired++;
    }
  }
}
