/** Minimal UDP and TCP DNS clients over loopback, for tests. */
import dgram from 'node:dgram';
import net from 'node:net';

export function udpExchange(host: string, port: number, msg: Buffer, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('udp timeout'));
    }, timeoutMs);
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.send(msg, port, host);
  });
}

/** Sends the messages (framed) in one write and collects as many replies, or until the server closes. */
export function tcpExchange(
  host: string,
  port: number,
  msgs: Buffer[],
  timeoutMs = 3000,
): Promise<{ replies: Buffer[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    const replies: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`tcp timeout with ${replies.length} replies`));
    }, timeoutMs);
    const done = (closed: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ replies, closed });
    };
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length === msgs.length && msgs.length > 0) done(false);
    });
    sock.on('close', () => done(true));
    sock.write(Buffer.concat(msgs.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), m])));
  });
}
