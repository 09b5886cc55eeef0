/**
 * The one import site of dns2 (the user's chosen DNS library): its Packet codec serves the slow path
 * and snapshot encoding, its TCPServer serves TCP. The types it lacks (AD/CD header bits, the TCP
 * server's options object) are declared here so the rest of the package stays typed.
 */
import { Packet, TCPServer } from 'dns2';
import type { Header as Dns2Header, Question, Resource } from 'dns2';

export { Packet, TCPServer };
export type { Question, Resource };
export type Message = InstanceType<typeof Packet>;

/** dns2 reads and writes AD and CD but its typings omit them. */
export type Header = Dns2Header & { ad: number; cd: number };

export function headerOf(p: Message): Header {
  return p.header as Header;
}

export interface TcpServerOptions {
  /** Idle timeout per connection in ms (RFC 7766 §6.2.3); 0 disables it. */
  idleTimeout: number;
}

export function createTcpServer(opts: TcpServerOptions): InstanceType<typeof TCPServer> {
  // The runtime takes an options object; the published typings only admit a handler.
  return new TCPServer(opts as unknown as ConstructorParameters<typeof TCPServer>[0]);
}

/** An OPT pseudo-record for a reply (RFC 6891 §6.1.2): version 0, no options. */
export function optRecord(payloadSize: number, doFlag: boolean): Resource {
  return Packet.Resource.EDNS([], { udpPayloadSize: payloadSize, doFlag, version: 0 });
}
