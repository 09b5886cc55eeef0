/**
 * Sends a UDP datagram with source port 0, which no ordinary socket can: the kernel picks a port when
 * asked for 0. Needs a raw socket (root or CAP_NET_RAW) and python3; Node has no raw sockets.
 */
import { execFileSync } from 'node:child_process';

const SCRIPT = `
import socket, struct, sys
port, payload = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
# source port 0, checksum 0 (none: allowed for UDP over IPv4); the kernel adds the IP header
s.sendto(struct.pack('!HHHH', 0, port, 8 + len(payload), 0) + payload, ('127.0.0.1', 0))
`;

export function canSendFromPortZero(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('python3', ['-c', 'import socket'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export function sendFromPortZero(port: number, payload: Buffer): void {
  execFileSync('python3', ['-c', SCRIPT, String(port), payload.toString('hex')], { timeout: 5000 });
}
