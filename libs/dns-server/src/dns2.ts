/**
 * The one import site of dns2 (the user's chosen DNS library): its Packet codec encodes the slow
 * path's replies and the snapshot. It no longer parses queries (query-parse.ts reads only what a
 * query needs) nor serves TCP (tcp-endpoint.ts), both for issue #10's hostile-traffic limits. The
 * types it lacks (AD/CD header bits) are declared here so the rest of the package stays typed.
 */
import { Packet } from 'dns2';
import type { Header as Dns2Header, Question, Resource } from 'dns2';

export { Packet };
export type { Question, Resource };
export type Message = InstanceType<typeof Packet>;

/** dns2 reads and writes AD and CD but its typings omit them. */
export type Header = Dns2Header & { ad: number; cd: number };

export function headerOf(p: Message): Header {
  return p.header as Header;
}

/** An OPT pseudo-record for a reply (RFC 6891 §6.1.2): version 0, no options. */
export function optRecord(payloadSize: number, doFlag: boolean): Resource {
  return Packet.Resource.EDNS([], { udpPayloadSize: payloadSize, doFlag, version: 0 });
}
