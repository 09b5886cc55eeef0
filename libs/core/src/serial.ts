/**
 * The next SOA serial: strictly greater than the previous one, and at least the current Unix time in
 * seconds, so serials also increase across a lost state file (as long as the clock does not go back).
 */
export function nextSerial(previous: number, now: number): number {
  return Math.max(previous + 1, Math.floor(now / 1000));
}
