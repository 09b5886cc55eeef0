/**
 * Which server answered (issue 15): the NSID option (RFC 5001) and the CHAOS-class TXT names that
 * NSD, Knot and BIND answer (id.server and hostname.bind; version.bind and version.server). With
 * several DNS servers behind one name or anycast address, this is how an operator tells them apart.
 * Everything is off unless configured (`dns.identity`): a version string helps attackers pick exploits.
 */
import { RCODE, TYPE } from './constants.js';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';

export const CLASS_CH = 3;

export interface ServerIdentity {
  /** TXT answered to CH id.server and hostname.bind; null = REFUSED. */
  id: string | null;
  /** NSID option octets sent to queries that carry an NSID option; null = none. */
  nsid: Buffer | null;
  /** TXT answered to CH version.bind and version.server; null = REFUSED. */
  version: string | null;
}

export const NO_IDENTITY: ServerIdentity = { id: null, nsid: null, version: null };

/** What a CH TXT query gets: the answer, or REFUSED when the name is not one we answer or is off. */
export interface ChaosAnswer {
  rcode: number;
  answer: Resource[];
}

/**
 * Answers a CHAOS-class query for `name` (dotted, no trailing dot, ASCII lower case already) as NSD
 * does: NOERROR without AA, one TXT with TTL 0, the owner the question's name; anything else REFUSED.
 */
export function chaosAnswer(name: string, qtype: number, identity: ServerIdentity): ChaosAnswer {
  const refused: ChaosAnswer = { rcode: RCODE.REFUSED, answer: [] };
  if (qtype !== TYPE.TXT) return refused;
  let text: string | null = null;
  if (name === 'id.server' || name === 'hostname.bind') text = identity.id;
  else if (name === 'version.bind' || name === 'version.server') text = identity.version;
  if (text === null) return refused;
  const rec = new Packet.Resource({ name, type: TYPE.TXT, class: CLASS_CH, ttl: 0, data: [text] });
  return { rcode: RCODE.NOERROR, answer: [rec] };
}

/** NSID octets from config: the UTF-8 of the text, or null for off. */
export function nsidOctets(nsid: string | null | undefined): Buffer | null {
  return nsid === null || nsid === undefined || nsid === '' ? null : Buffer.from(nsid, 'utf8');
}
