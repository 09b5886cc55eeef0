/** NOTIFY sending against a real UDP socket playing the secondary: retries, acks, TSIG, coalescing. */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { NotifySender } from './notify-sender.js';
import { TsigSigner, verifyRequest } from './tsig.js';
import type { TsigKey } from './tsig.js';
import { parseXfrMessage } from './xfr-wire.js';

const KEY: TsigKey = { name: 'xfr-key.', secret: Buffer.from('notify-test-secret-of-32-octets!') };
const now = (): number => Math.floor(Date.now() / 1000);

interface FakeSecondary {
  port: number;
  received: Buffer[];
  close(): void;
}

/**
 * Answers a NOTIFY (signed when `key`) only from the `ackFrom`-th one on; `mutate` changes the unsigned
 * reply (to play a secondary, or an attacker, whose reply does not match the NOTIFY).
 */
async function secondary(
  ackFrom: number,
  key: TsigKey | null,
  mutate?: (reply: Buffer, questionEnd: number) => void,
): Promise<FakeSecondary> {
  const sock = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  sock.on('message', (msg, rinfo) => {
    received.push(msg);
    if (received.length < ackFrom) return;
    const req = parseXfrMessage(msg);
    let reply: Buffer = Buffer.from(msg.subarray(0, req.questionEnd));
    reply[2] = reply[2]! | 0x80;
    reply.writeUInt16BE(0, 10);
    mutate?.(reply, req.questionEnd);
    if (key && req.tsig) reply = new TsigSigner(key, req.tsig.mac, now).sign(reply);
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, received, close: () => sock.close() };
}

let sender: NotifySender | null = null;
let fake: FakeSecondary | null = null;
afterEach(() => {
  sender?.close();
  fake?.close();
});

describe('NotifySender', () => {
  it('retries with backoff until the secondary acknowledges, then stops; the NOTIFY is TSIG-signed', async () => {
    fake = await secondary(3, KEY);
    const acked: number[] = [];
    sender = new NotifySender({
      targets: [{ host: '127.0.0.1', port: fake.port, key: KEY }],
      zones: ['example.test.'],
      logger: recordingLogger(),
      retryMs: 20,
      retryMaxMs: 200,
      minIntervalMs: 0,
      onAcked: (e) => acked.push(e.attempt),
    });
    sender.notify(1000);
    await waitFor(() => acked.length === 1, { timeoutMs: 5000, what: 'the ack' });
    expect(acked).toEqual([3]);
    const first = fake.received[0]!;
    const req = parseXfrMessage(first);
    expect(req.opcode).toBe(4);
    expect(req.qname?.key).toBe('example.test.');
    expect(req.qtype).toBe(6);
    expect(verifyRequest(first, req.tsig!, new Map([[KEY.name, KEY]]), now()).ok).toBe(true);
    const count = fake.received.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.received.length).toBe(count);
  });

  it('does not count a reply whose TSIG does not verify as an ack, and logs it', async () => {
    const other: TsigKey = { name: 'xfr-key.', secret: Buffer.from('a-different-secret-entirely-!!!!') };
    fake = await secondary(1, other);
    const logger = recordingLogger();
    const acked: number[] = [];
    sender = new NotifySender({
      targets: [{ host: '127.0.0.1', port: fake.port, key: KEY }],
      zones: ['example.test.'],
      logger,
      retryMs: 20,
      retryMaxMs: 40,
      minIntervalMs: 0,
      onAcked: (e) => acked.push(e.attempt),
    });
    sender.notify(7);
    await waitFor(() => fake!.received.length >= 3, { timeoutMs: 5000, what: 'retries' });
    expect(acked).toEqual([]);
    expect(logger.messages('warn')).toContain('dns: notify reply failed TSIG');
  });

  it('coalesces serials inside minInterval into one NOTIFY for the last', async () => {
    fake = await secondary(1, null);
    const sent: number[] = [];
    sender = new NotifySender({
      targets: [{ host: '127.0.0.1', port: fake.port, key: null }],
      zones: ['example.test.'],
      logger: recordingLogger(),
      retryMs: 1000,
      retryMaxMs: 1000,
      minIntervalMs: 150,
      onSent: (e) => sent.push(e.serial),
    });
    sender.notify(1);
    sender.notify(2);
    sender.notify(3);
    await waitFor(() => sent.length === 2, { timeoutMs: 5000, what: 'the coalesced NOTIFY' });
    expect(sent).toEqual([1, 3]);
  });

  // Each reply is right but for one field: none of them may count as the secondary's acknowledgement.
  const mismatches: [string, (r: Buffer, qEnd: number) => void][] = [
    ['QR=0', (r) => (r[2] = r[2]! & 0x7f)],
    ['opcode QUERY', (r) => (r[2] = r[2]! & 0x87)],
    ['another ID', (r) => r.writeUInt16BE((r.readUInt16BE(0) + 1) & 0xffff, 0)],
    ['another question type', (r, q) => r.writeUInt16BE(1, q - 4)],
    ['another question class', (r, q) => r.writeUInt16BE(3, q - 2)],
  ];
  for (const [what, mutate] of mismatches) {
    it(`does not count a reply with ${what} as an ack`, async () => {
      fake = await secondary(1, null, mutate);
      const acked: number[] = [];
      sender = new NotifySender({
        targets: [{ host: '127.0.0.1', port: fake.port, key: null }],
        zones: ['example.test.'],
        logger: recordingLogger(),
        retryMs: 20,
        retryMaxMs: 40,
        minIntervalMs: 0,
        onAcked: (e) => acked.push(e.attempt),
      });
      sender.notify(9);
      await waitFor(() => fake!.received.length >= 4, { timeoutMs: 5000, what: 'retries' });
      expect(acked).toEqual([]);
    });
  }

  it('does not count a reply from another address as an ack', async () => {
    // The secondary is notified at 127.0.0.2 but its reply comes from 127.0.0.1 (another host on a LAN).
    const sock = dgram.createSocket('udp4');
    const received: Buffer[] = [];
    await new Promise<void>((r) => sock.bind(0, '127.0.0.2', r));
    const port = sock.address().port;
    const liar = dgram.createSocket('udp4');
    await new Promise<void>((r) => liar.bind(0, '127.0.0.1', r));
    sock.on('message', (msg, rinfo) => {
      received.push(msg);
      const req = parseXfrMessage(msg);
      const reply = Buffer.from(msg.subarray(0, req.questionEnd));
      reply[2] = reply[2]! | 0x80;
      reply.writeUInt16BE(0, 10);
      liar.send(reply, rinfo.port, rinfo.address);
    });
    fake = {
      port,
      received,
      close: () => {
        sock.close();
        liar.close();
      },
    };
    const acked: number[] = [];
    sender = new NotifySender({
      targets: [{ host: '127.0.0.2', port, key: null }],
      zones: ['example.test.'],
      logger: recordingLogger(),
      retryMs: 20,
      retryMaxMs: 40,
      minIntervalMs: 0,
      onAcked: (e) => acked.push(e.attempt),
    });
    sender.notify(11);
    await waitFor(() => received.length >= 4, { timeoutMs: 5000, what: 'retries' });
    expect(acked).toEqual([]);
  });
});
