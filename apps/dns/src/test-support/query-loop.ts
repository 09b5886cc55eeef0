/**
 * A steady UDP query loop for reload tests: one A query every `everyMs`, `count` in all, each answer
 * matched by its ID. Bounded in count and time; reports every query that failed or got no answer.
 */
import { createSocket } from 'node:dgram';

export interface LoopReport {
  sent: number;
  answered: number;
  /** Answers whose rcode was not NOERROR or that carried no answer record. */
  failed: { id: number; rcode: number; ancount: number }[];
  unanswered: number;
}

function query(id: number, name: string): Buffer {
  const labels = name.split('.').filter(Boolean);
  const qname = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4); // one question, no flags
  return Buffer.concat([header, qname, Buffer.from([0, 1, 0, 1])]); // A, IN
}

/**
 * Starts the loop: `done` settles once every query was answered or `graceMs` after the last one; `sent()`
 * tells how far it got (to check that something happened mid-loop).
 */
export function queryLoop(opts: {
  port: number;
  name: string;
  count: number;
  everyMs: number;
  graceMs?: number;
}): { done: Promise<LoopReport>; sent: () => number } {
  const socket = createSocket('udp4');
  const pending = new Set<number>();
  const report: LoopReport = { sent: 0, answered: 0, failed: [], unanswered: 0 };
  const done = new Promise<LoopReport>((resolve, reject) => {
    let finish: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearInterval(timer);
      clearTimeout(finish);
      report.unanswered = pending.size;
      socket.close();
      resolve(report);
    };
    socket.on('error', (err) => {
      clearInterval(timer);
      socket.close();
      reject(err);
    });
    socket.on('message', (msg) => {
      if (msg.length < 12) return;
      const id = msg.readUInt16BE(0);
      if (!pending.delete(id)) return;
      report.answered++;
      const rcode = msg[3]! & 0x0f;
      const ancount = msg.readUInt16BE(6);
      if (rcode !== 0 || ancount === 0) report.failed.push({ id, rcode, ancount });
      if (report.sent === opts.count && pending.size === 0) done();
    });
    const timer = setInterval(() => {
      if (report.sent === opts.count) return;
      const id = report.sent + 1; // IDs 1..count (count ≤ 65535)
      pending.add(id);
      report.sent++;
      socket.send(query(id, opts.name), opts.port, '127.0.0.1');
      if (report.sent === opts.count) finish = setTimeout(done, opts.graceMs ?? 3_000);
    }, opts.everyMs);
  });
  return { done, sent: () => report.sent };
}
