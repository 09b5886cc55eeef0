/**
 * Issue 14 part 3: which of a steered name's answers a query gets, and the ECS scope of the reply. The
 * client's location is the ECS subnet when the query carries one with SOURCE PREFIX-LENGTH > 0 (and
 * dns.geo.ecs is on), else the resolver's own address.
 */
import type { FastAnswer, Steer } from './fast-table.js';
import { ecsAddress, ecsV4, FAMILY_IPV4 } from './ecs.js';
import type { GeoLocator } from './geo-locator.js';

/** The resolver's address, read only when a steered answer needs it (no string per plain query). */
export interface ClientSource {
  address(): string;
}

/** A ClientSource over a string the caller already has (dgram's rinfo.address, a TCP socket's). */
export class TextSource implements ClientSource {
  text = '';
  address(): string {
    return this.text;
  }
}

export class SteerPicker {
  /**
   * The SCOPE PREFIX-LENGTH of the last pick (RFC 7871 §7.2.1): the prefix length of the operator
   * network or database range the location came from, since every address in it gets the same answer;
   * 0 when the location came from the resolver's address (the ECS subnet played no part, §7.2.1) or no
   * locator is loaded.
   */
  scope = 0;

  constructor(public locator: GeoLocator | null = null) {}

  /**
   * The answer of `steer` for qtype index `qi` (-1: a type without its own answer), or null when the
   * client's rule is none or serves the defaults. `ecsAt` is the ECS option data's offset or -1.
   */
  pick(
    steer: Steer,
    qi: number,
    msg: Uint8Array,
    ecsAt: number,
    ecsLen: number,
    src: ClientSource | null,
  ): FastAnswer | null {
    this.scope = 0;
    const geo = this.locator;
    if (geo === null) return null;
    const subnet = ecsAt >= 0 && msg[ecsAt + 2]! > 0;
    let loc;
    if (subnet && msg[ecsAt + 1] === FAMILY_IPV4) loc = geo.locate4(ecsV4(msg, ecsAt, ecsLen));
    else if (subnet) loc = geo.locate(ecsAddress(msg, ecsAt, ecsLen));
    else if (src !== null) loc = geo.locate(src.address());
    else return null;
    if (subnet) this.scope = loc.prefix;
    const r = steer.picker.pick(loc.country, loc.continent);
    const rule = r < 0 ? null : steer.rules[r];
    if (rule === null || rule === undefined) return null;
    return qi < 0 ? rule.other : rule.answers[qi]!;
  }
}
