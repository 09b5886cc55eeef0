/** "host:port" listen addresses, shared by the config's `listen` section and the CLI's address flags. */
import { formatIPv6, parseIPv4, parseIPv6 } from '@understudy/core';
import type { ListenAddress } from '@understudy/core';

const HOST_PORT = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

/**
 * "127.0.0.1:5300", "[::1]:5300" or "localhost:5300" → { host, port }, IPv6 in canonical form (RFC 5952) so
 * equal addresses compare equal. Port 0 is allowed (the OS picks one). Throws an Error saying what is wrong.
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = HOST_PORT.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new Error(`"${text}" is not host:port with a port in 0..65535 (IPv6 in brackets)`);
  if (m[1] !== undefined) {
    const groups = parseIPv6(m[1]);
    if (!groups) throw new Error(`"${m[1]}" is not an IPv6 address`);
    return { host: formatIPv6(groups), port };
  }
  const host = m[2]!;
  if (host !== 'localhost' && !parseIPv4(host))
    throw new Error(`"${host}" must be an IP address (or localhost)`);
  return { host, port };
}
