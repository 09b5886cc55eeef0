/**
 * DNS response codes by name (RFC 1035 §4.1.1, RFC 2136 §2.2): one table for the probe's DNS check, the
 * config's `expectRcode` and the server's metric labels.
 */
export const DNS_RCODES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
] as const;

export type DnsRcodeName = (typeof DNS_RCODES)[number];

/** The name of an rcode (BADVERS is 16, the extended rcode of RFC 6891); RCODEn for one without a name here. */
export function rcodeName(rcode: number): string {
  return DNS_RCODES[rcode] ?? (rcode === 16 ? 'BADVERS' : `RCODE${rcode}`);
}
