/** Wire constants used by both paths. Names follow the IANA registries. */
import type { RecordType } from '@understudy/core';

export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  DS: 43,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const;

export const TYPE_CODE: Readonly<Record<RecordType, number>> = {
  A: TYPE.A,
  AAAA: TYPE.AAAA,
  CNAME: TYPE.CNAME,
  TXT: TYPE.TXT,
  MX: TYPE.MX,
  NS: TYPE.NS,
  SRV: TYPE.SRV,
  CAA: TYPE.CAA,
  SOA: TYPE.SOA,
};

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (RFC 6891): the low nibble goes in the header, the rest in the OPT TTL. */
  BADVERS: 16,
} as const;

/** The mnemonic of an rcode, for logs and metric labels (core's one table). */
export { rcodeName } from '@understudy/core';

export const CLASS_IN = 1;

/** RFC 6891 meta-types and the OPT pseudo-type never name data; they never take the fast path. */
export function isMetaType(qtype: number): boolean {
  return qtype === TYPE.OPT || (qtype >= 128 && qtype <= 255);
}

/** The flag-day 2020 recommendation: fits in one unfragmented datagram on almost every path. */
export const DEFAULT_UDP_PAYLOAD = 1232;
/** RFC 1035 limit for a reply to a query without EDNS. */
export const CLASSIC_UDP_LIMIT = 512;
/**
 * CNAME links followed per query before giving up (loops stop earlier). NSD 4.6 has no fixed limit
 * (it followed a 60-link chain whole); 64 covers any real chain while bounding the work per answer.
 */
export const MAX_CNAME_CHAIN = 64;
/** A TCP message is framed by a 16-bit length. */
export const MAX_MESSAGE = 65535;
/**
 * A type that no zone can hold (private-use range): resolving it yields the answer every absent type
 * gets at a name, which the fast table stores once per name.
 */
export const PROBE_ABSENT_TYPE = 65280;
