/**
 * DNS checks: ask a server for (name, type) and judge the response code and, optionally, the answer values.
 * UDP first with TCP on truncation (or TCP only). Failures carry intent: `rcode` (the server answered,
 * with the wrong code), `answer` (the right code, the wrong values), `protocol` (not a DNS reply to our
 * question), and the usual dns/connect/timeout ones.
 */
import { randomInt } from 'node:crypto';
import type { CheckOutcome, DnsCheckConfig } from '@understudy/core';
import { resolveHost } from './connect.js';
import { tcpExchange, udpExchange } from './dns-exchange.js';
import { rdataText } from './dns-rdata.js';
import { DnsWireError, QTYPES, encodeQuery, parseReply, rcodeName } from './dns-wire.js';
import type { DnsReply } from './dns-wire.js';
import type { CheckDeps } from './http-check.js';
import type { LookupAddress } from './lookup.js';
import { errorCode } from './classify.js';
import { CheckFailure } from './run-context.js';
import type { RunContext } from './run-context.js';

/** At most this many values are quoted in a failure message; the rest are counted. */
const SHOW = 8;

function list(values: readonly string[]): string {
  const shown = values.slice(0, SHOW).join(', ');
  return values.length > SHOW ? `[${shown}, … ${values.length - SHOW} more]` : `[${shown}]`;
}

function protocol(message: string, cause?: unknown): CheckFailure {
  return new CheckFailure('protocol', `malformed DNS reply: ${message}`, { cause });
}

function isTruncated(raw: Buffer): boolean {
  return raw.length >= 4 && (raw[2]! & 0x02) !== 0;
}

function parse(raw: Buffer, id: number, check: DnsCheckConfig, qtype: number): DnsReply {
  let reply: DnsReply;
  try {
    reply = parseReply(raw);
  } catch (err) {
    if (err instanceof DnsWireError) throw protocol(err.message, err);
    throw err;
  }
  if (!reply.qr || reply.id !== id) throw protocol('not a response to our query');
  if (reply.opcode !== 0) throw protocol(`opcode ${reply.opcode} in the reply to a standard query`);
  const q = reply.question;
  // FORMERR and NOTIMP replies may come without the question (RFC 1035 leaves it open).
  if (q === null && reply.rcode !== 1 && reply.rcode !== 4) throw protocol('the reply has no question');
  if (q !== null && (q.name !== check.name || q.type !== qtype || q.klass !== 1))
    throw protocol(`the reply is for ${q.name} type ${q.type}, not ${check.name} ${check.recordType}`);
  return reply;
}

async function exchange(
  via: typeof udpExchange,
  ctx: RunContext,
  address: LookupAddress,
  port: number,
  query: Buffer,
): Promise<Buffer> {
  try {
    return await via(ctx, address, port, query);
  } catch (err) {
    // Over UDP a refusal is an ICMP port unreachable, reported on the connected socket at any time.
    if (errorCode(err) === 'ECONNREFUSED')
      throw new CheckFailure('connect', `${address.address} port ${port} refused the query`, { cause: err });
    throw err;
  }
}

function values(raw: Buffer, reply: DnsReply, qtype: number): string[] {
  const out: string[] = [];
  try {
    for (const rr of reply.answers) if (rr.type === qtype && rr.klass === 1) out.push(rdataText(raw, rr));
  } catch (err) {
    if (err instanceof DnsWireError) throw protocol(err.message, err);
    throw err;
  }
  return [...new Set(out)].sort();
}

function judgeAnswers(check: DnsCheckConfig, got: string[]): void {
  const want = check.expectAnswers;
  if (want === null) return;
  const gotSet = new Set(got);
  const expected = 'exact' in want ? want.exact : want.contains;
  const missing = expected.filter((v) => !gotSet.has(v));
  if ('exact' in want) {
    const wanted = new Set(want.exact);
    const extra = got.filter((v) => !wanted.has(v));
    if (missing.length || extra.length)
      throw new CheckFailure(
        'answer',
        `${check.name} ${check.recordType} answered ${list(got)}, expected exactly ${list(want.exact)}`,
      );
  } else if (missing.length) {
    throw new CheckFailure(
      'answer',
      `${check.name} ${check.recordType} answered ${list(got)}, missing ${list(missing)}`,
    );
  }
}

export async function dnsCheck(
  check: DnsCheckConfig,
  ctx: RunContext,
  deps: CheckDeps,
): Promise<CheckOutcome> {
  const qtype = QTYPES[check.recordType];
  if (qtype === undefined) throw new Error(`unsupported record type ${check.recordType}`);
  const address = await resolveHost(ctx, check.host.replace(/^\[(.*)\]$/, '$1'), deps.lookup);
  const id = randomInt(0, 65_536);
  const query = encodeQuery(id, check.name, qtype);
  let raw =
    check.transport === 'tcp'
      ? await exchange(tcpExchange, ctx, address, check.port, query)
      : await exchange(udpExchange, ctx, address, check.port, query);
  // Truncated over UDP: the full answer is only over TCP (RFC 7766), as a resolver would retry.
  if (check.transport === 'udp' && isTruncated(raw) && raw.readUInt16BE(0) === id)
    raw = await exchange(tcpExchange, ctx, address, check.port, query);
  const reply = parse(raw, id, check, qtype);
  if (reply.tc) throw protocol('truncated even over TCP');
  const rcode = rcodeName(reply.rcode);
  if (rcode !== check.expectRcode)
    throw new CheckFailure(
      'rcode',
      `${check.name} ${check.recordType}: server answered ${rcode}, expected ${check.expectRcode}`,
    );
  judgeAnswers(check, values(raw, reply, qtype));
  return ctx.ok();
}
