/** One DNS query over UDP or TCP within a check run: sockets are tracked by the run and die with it. */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import { connectTcp } from './connect.js';
import type { LookupAddress } from './lookup.js';
import type { RunContext } from './run-context.js';

function ignore(): void {}

/** The largest reply read over TCP: the 16-bit length prefix allows no more. */
const MAX_TCP_MESSAGE = 65_535;

/**
 * Sends the query and resolves with the first datagram from the server's address and port that carries
 * the query's id; anything else (late replies to earlier runs, spoofed datagrams) is ignored, as
 * resolvers do. ICMP port unreachable surfaces as ECONNREFUSED on the connected socket.
 */
export async function udpExchange(
  ctx: RunContext,
  address: LookupAddress,
  port: number,
  query: Buffer,
): Promise<Buffer> {
  ctx.enter('connect');
  const socket: UdpSocket = createSocket(address.family === 6 ? 'udp6' : 'udp4');
  ctx.track({ destroy: () => socket.close() });
  const id = query.readUInt16BE(0);
  const reply = new Promise<Buffer>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) resolve(msg);
    });
  });
  reply.catch(ignore);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, address.address, () => resolve());
  });
  ctx.record('connect');
  ctx.enter('request');
  socket.send(query);
  const msg = await reply;
  ctx.record('firstByte');
  return msg;
}

/** RFC 1035 4.2.2: each message is prefixed with its 16-bit length. */
export async function tcpExchange(
  ctx: RunContext,
  address: LookupAddress,
  port: number,
  query: Buffer,
): Promise<Buffer> {
  const socket: Socket = await connectTcp(ctx, address, port);
  ctx.enter('request');
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(query.length, 0);
  socket.write(Buffer.concat([prefix, query]));
  const msg = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let first = true;
    socket.on('data', (chunk: Buffer) => {
      if (first) ctx.record('firstByte');
      first = false;
      chunks.push(chunk);
      have += chunk.length;
      if (have < 2) return;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const length = all.readUInt16BE(0);
      if (have >= 2 + length) resolve(all.subarray(2, 2 + length));
      else if (have > 2 + MAX_TCP_MESSAGE)
        reject(new Error('TCP reply longer than its length prefix allows'));
    });
    socket.on('error', reject);
    socket.on('end', () =>
      reject(
        Object.assign(new Error('server closed the TCP connection before replying'), { code: 'ECONNRESET' }),
      ),
    );
  });
  socket.destroy();
  return msg;
}
