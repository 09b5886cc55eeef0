/**
 * Standard secondaries (NSD, Knot, BIND) fed by zone transfer are publication targets like the built-in
 * server and the providers (issue 15): each DNS instance asks every configured secondary for its SOA after a
 * NOTIFY is acknowledged (and on its heartbeat) and records the serial it answers as a publication of the
 * target `secondary:<host>:<port>`. The decider turns those into publishedAt/effectiveBy per record; this
 * file names the targets and folds the publications into the per-secondary status shown by status/API.
 */
import type { UnderstudyConfig } from './config-types.js';
import type { Publication } from './state-types.js';

export const SECONDARY_TARGET_PREFIX = 'secondary:';

/** The address a secondary is notified at, as the NOTIFY sender labels it. */
export function secondaryAddress(s: { host: string; port: number }): string {
  return `${s.host}:${s.port}`;
}

/** The publication target of the secondary at `address` (host:port). */
export function secondaryTarget(address: string): string {
  return `${SECONDARY_TARGET_PREFIX}${address}`;
}

export function isSecondaryTarget(target: string): boolean {
  return target.startsWith(SECONDARY_TARGET_PREFIX);
}

export interface SecondaryStatus {
  /** The publication target, `secondary:<host>:<port>`. */
  target: string;
  address: string;
  /**
   * The serial the secondary answered in its SOA, as seen by the DNS instances that reported within
   * `maxAge` (the lowest of theirs); null when none did (not seen yet, unreachable, or no DNS role running).
   */
  serial: number | null;
  /** When that was last confirmed (the latest report among those instances). */
  seenAt: number | null;
  /** DNS instances whose reports are counted. */
  instances: number;
}

/** Every configured secondary (dns.transfer.notify) with what the fresh publications say it serves. */
export function secondaryStatuses(
  config: UnderstudyConfig,
  publications: readonly Publication[],
  now: number,
  maxAge: number,
): SecondaryStatus[] {
  return (config.dns.transfer?.notify ?? []).map((n) => {
    const address = secondaryAddress(n);
    const target = secondaryTarget(address);
    let serial: number | null = null;
    let seenAt: number | null = null;
    let instances = 0;
    for (const p of publications) {
      if (p.target !== target || now - p.at > maxAge) continue;
      serial = serial === null ? p.serial : Math.min(serial, p.serial);
      seenAt = seenAt === null ? p.at : Math.max(seenAt, p.at);
      instances++;
    }
    return { target, address, serial, seenAt, instances };
  });
}
