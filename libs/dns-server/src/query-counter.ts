/**
 * Query counts per (transport, rcode) for the batched onQueries hook: the hot path bumps one typed-array
 * cell, and the counts leave in one call per interval instead of one call per query.
 */

export interface QueryCount {
  transport: 'udp' | 'tcp';
  rcode: number;
  /** Queries answered with this rcode over this transport since the previous call. */
  n: number;
}

/** Rcodes are 12 bits: the header's 4 plus the OPT's 8 (RFC 6891). */
const RCODES = 4096;

export class QueryCounter {
  private readonly cells = new Float64Array(2 * RCODES);
  private any = false;

  add(tcp: boolean, rcode: number): void {
    const i = (tcp ? RCODES : 0) + (rcode & (RCODES - 1));
    this.cells[i] = this.cells[i]! + 1;
    this.any = true;
  }

  /** The counts since the last drain (none zero), ordered UDP then TCP, by rcode; resets them. */
  drain(): QueryCount[] {
    if (!this.any) return [];
    this.any = false;
    const out: QueryCount[] = [];
    const cells = this.cells;
    for (let i = 0; i < cells.length; i++) {
      const n = cells[i]!;
      if (n === 0) continue;
      cells[i] = 0;
      out.push({ transport: i < RCODES ? 'udp' : 'tcp', rcode: i % RCODES, n });
    }
    return out;
  }
}
