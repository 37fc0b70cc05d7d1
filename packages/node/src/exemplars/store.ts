import type { Attributes } from '@opentelemetry/api';

/** One recorded value with the trace and span that were active (and sampled) when it was recorded. */
export interface Exemplar {
  readonly value: number;
  /** The attributes the value was recorded with (the series it belongs to). */
  readonly attributes: Attributes;
  readonly traceId: string;
  readonly spanId: string;
  /** Wall-clock time of the recording, ms since the epoch. */
  readonly timeMs: number;
}

/**
 * Slots per instrument: two per octave of the value from 2^-20 (~1 µs in seconds) to 2^20, plus
 * one for values at or under zero. The slot of a value does not depend on the histogram's bucket
 * boundaries (a view may change those): at a scrape, each slot's exemplar is put in the bucket
 * that holds its value, and the newest one of a bucket wins.
 */
export const EXEMPLAR_SLOTS = 82;
/** Instruments with exemplars kept at most (the SDK bounds instruments; this bounds the store). */
export const EXEMPLAR_INSTRUMENTS = 1_000;

function slotOf(value: number): number {
  if (!(value > 0)) return 0;
  const slot = Math.floor(Math.log2(value) * 2) + 41;
  return slot < 1 ? 1 : slot >= EXEMPLAR_SLOTS ? EXEMPLAR_SLOTS - 1 : slot;
}

/**
 * The newest exemplar per instrument and per half-octave of value: a fixed array per instrument,
 * written in place, so recording one costs a logarithm and one small object, and the exemplars of
 * rare slow values are not pushed out by frequent fast ones. Whole-instrument, not per series:
 * with many series, the newest recording of a half-octave (of any series) is the one kept.
 */
export class ExemplarStore {
  private readonly instruments = new Map<string, (Exemplar | undefined)[]>();

  /** Keeps `value` as the exemplar of its slot in `instrument` (the OTel instrument name). */
  offer(instrument: string, value: number, attributes: Attributes, traceId: string, spanId: string): void {
    let slots = this.instruments.get(instrument);
    if (slots === undefined) {
      if (this.instruments.size >= EXEMPLAR_INSTRUMENTS) return;
      slots = new Array<Exemplar | undefined>(EXEMPLAR_SLOTS).fill(undefined);
      this.instruments.set(instrument, slots);
    }
    slots[slotOf(value)] = { value, attributes, traceId, spanId, timeMs: Date.now() };
  }

  /** The exemplars kept for `instrument`, oldest slot first; undefined when there are none. */
  exemplars(instrument: string): readonly Exemplar[] | undefined {
    const slots = this.instruments.get(instrument);
    if (slots === undefined) return undefined;
    return slots.filter((exemplar): exemplar is Exemplar => exemplar !== undefined);
  }
}
