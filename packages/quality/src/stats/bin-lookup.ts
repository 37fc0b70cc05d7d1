// The bin of a value in constant time, for the monitor's hot path: the same answer as
// `binIndex` (./bins.ts), without its binary search, whose branches a stream of values mispredicts
// (the binary search was a quarter of a bins-only observation).
//
// A guide table splits [e_0, e_m] into cells of equal width: cell c = floor((x - e_0) * scale).
// The table holds, per cell, the last edge known to lie below every value of that cell: the last
// edge whose own cell is lower. (x - e_0) * scale is monotone in x in floating point, so an edge
// of a lower cell is below x. From there a forward scan over the few edges inside the cell ends at
// the largest edge <= x, which is what binIndex finds. A range too wide or too narrow for the
// arithmetic (an infinite or zero scale) maps every value to cell 0: the scan then starts at the
// first edge, still exact.

/** Cells per edge of the guide table. */
const CELLS_PER_EDGE = 4;

/** Bins of fixed edges (ascending, finite), answering like {@link binIndex} in constant time. */
export class BinLookup {
  private readonly edges: Float64Array;
  private readonly last: number;
  private readonly low: number;
  private readonly scale: number;
  private readonly guide: Int32Array;

  constructor(edges: Float64Array) {
    this.edges = edges;
    this.last = edges.length - 1;
    this.low = edges.length > 0 ? edges[0]! : 0;
    const cells = Math.max(1, Math.min(1024, edges.length * CELLS_PER_EDGE));
    const scale = edges.length > 1 ? cells / (edges[this.last]! - this.low) : 0;
    this.scale = scale > 0 && scale < Number.POSITIVE_INFINITY ? scale : 0;
    this.guide = new Int32Array(cells);
    let i = 0;
    for (let c = 0; c < cells; c++) {
      while (i < this.last && this.cellOf(edges[i + 1]!) < c) i++;
      this.guide[c] = i;
    }
  }

  private cellOf(x: number): number {
    return Math.min(((x - this.low) * this.scale) | 0, this.guide.length - 1);
  }

  /** The bin of a finite x: 0 underflow, 1..inner, last overflow (as binIndex). */
  index(x: number): number {
    const edges = this.edges;
    const last = this.last;
    if (last < 0) return 0;
    if (x < edges[0]!) return 0;
    if (x > edges[last]!) return last === 0 ? 2 : last + 1;
    let i = this.guide[this.cellOf(x)]!;
    while (i < last && edges[i + 1]! <= x) i++;
    return i === last && last > 0 ? last : i + 1;
  }
}
