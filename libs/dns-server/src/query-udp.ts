/**
 * A tiny UDP DNS client for drills and tools: one question, one reply, the answer values of the asked
 * type in canonical presentation format (the form the config and zone states use), so callers can compare
 * what a server serves with what the decider chose.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { canonicalRdata, TransientError, type ListenAddress, type RecordType } from '@understudy/core';
import { CLASS_IN, rcodeName, RCODE, TYPE_CODE } from './constants.js';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';
import { dns2Name } from './records.js';

/** Wildcard listen addresses are reached over loopback. */
function reachable(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[(.*)\]$/, '$1');
}

function presentation(type: RecordType, r: Resource): string | null {
  const raw = r as unknown as { address?: string; domain?: string };
  const text = type === 'CNAME' ? raw.domain : raw.address;
  if (typeof text !== 'string') return null;
  const c = canonicalRdata(type, type === 'CNAME' && !text.endsWith('.') ? `${text}.` : text);
  return c.ok ? c.value : text;
}

/**
 * Asks `server` for (name, type) over UDP. Resolves with the values served (sorted; empty for NODATA or
 * NXDOMAIN). Rejects with a TransientError on timeout, a truncated reply or an error rcode.
 * Only A, AAAA and CNAME, the failover record types, are decoded.
 */
export function queryUdp(
  server: ListenAddress,
  name: string,
  type: 'A' | 'AAAA' | 'CNAME',
  timeoutMs = 2000,
): Promise<string[]> {
  const host = reachable(server.host);
  const id = randomInt(0, 65536);
  const q = new Packet();
  q.header = new Packet.Header({ id, rd: 0 });
  q.questions = [
    new Packet.Question(dns2Name(name.endsWith('.') ? name : `${name}.`), TYPE_CODE[type], CLASS_IN),
  ];
  const query = q.toBuffer();
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const finish = (err: Error | null, values?: string[]): void => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(values!);
    };
    const timer = setTimeout(
      () => finish(new TransientError(`no reply from ${host}:${server.port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('error', (err) =>
      finish(new TransientError(`${host}:${server.port}: ${err.message}`, undefined, { cause: err })),
    );
    sock.on('message', (buf) => {
      // Not our reply (a late one to an earlier query from this port): keep waiting.
      if (buf.length < 12 || buf.readUInt16BE(0) !== id) return;
      try {
        finish(null, decode(buf, type, `${host}:${server.port}`));
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
    sock.send(query, server.port, host);
  });
}

function decode(buf: Buffer, type: RecordType, from: string): string[] {
  if ((buf[2]! & 0x02) !== 0) throw new TransientError(`${from}: truncated reply`);
  const m = Packet.parse(buf);
  const rcode = m.header.rcode;
  if (rcode === RCODE.NXDOMAIN) return [];
  if (rcode !== RCODE.NOERROR) throw new TransientError(`${from}: ${rcodeName(rcode)}`);
  const code = TYPE_CODE[type];
  return m.answers
    .filter((a) => a.type === code)
    .flatMap((a) => {
      const v = presentation(type, a);
      return v === null ? [] : [v];
    })
    .sort();
}
