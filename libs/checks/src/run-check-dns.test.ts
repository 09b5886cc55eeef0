import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCheck } from './run-check.js';
import { DnsStub, a, reply, txt } from './test-support/dns-stub.js';
import { dnsCheckConfig } from './test-support/fixtures.js';
import type { DnsCheckConfig } from '@understudy/core';

let stub: DnsStub;
beforeAll(async () => {
  stub = await DnsStub.start();
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.queries.length = 0;
  stub.reply = (q) => reply(q, { answers: [a('192.0.2.1'), a('192.0.2.2')] });
});

const check = (over: Partial<DnsCheckConfig> = {}) => dnsCheckConfig({ port: stub.port, ...over });

describe('runCheck dns (against a scripted server on real sockets)', () => {
  it('is healthy on NOERROR with no expectation on the answers', async () => {
    const out = await runCheck(check());
    expect(out).toMatchObject({ ok: true });
    expect(out.timings.firstByte).toBeGreaterThanOrEqual(0);
    expect(stub.queries).toEqual([
      expect.objectContaining({ name: 'www.example.test.', qtype: 1, transport: 'udp' }),
    ]);
  });

  it('compares the answer set: exact and contains, in canonical form', async () => {
    expect(await runCheck(check({ expectAnswers: { exact: ['192.0.2.1', '192.0.2.2'] } }))).toMatchObject({
      ok: true,
    });
    expect(await runCheck(check({ expectAnswers: { contains: ['192.0.2.2'] } }))).toMatchObject({ ok: true });
    expect(await runCheck(check({ expectAnswers: { exact: ['192.0.2.1'] } }))).toMatchObject({
      ok: false,
      reason: 'answer',
      message: 'www.example.test. A answered [192.0.2.1, 192.0.2.2], expected exactly [192.0.2.1]',
    });
    expect(await runCheck(check({ expectAnswers: { contains: ['192.0.2.9'] } }))).toMatchObject({
      ok: false,
      reason: 'answer',
      message: 'www.example.test. A answered [192.0.2.1, 192.0.2.2], missing [192.0.2.9]',
    });
  });

  it('reads TXT answers into the quoted canonical form', async () => {
    stub.reply = (q) => reply(q, { answers: [txt('v=spf1', '-all')] });
    const out = await runCheck(check({ recordType: 'TXT', expectAnswers: { exact: ['"v=spf1" "-all"'] } }));
    expect(out).toMatchObject({ ok: true });
  });

  it('fails with reason rcode when the server answers another code, and passes when that code is expected', async () => {
    stub.reply = (q) => reply(q, { rcode: 5 });
    expect(await runCheck(check())).toMatchObject({
      ok: false,
      reason: 'rcode',
      message: 'www.example.test. A: server answered REFUSED, expected NOERROR',
    });
    stub.reply = (q) => reply(q, { rcode: 3 });
    expect(await runCheck(check({ expectRcode: 'NXDOMAIN' }))).toMatchObject({ ok: true });
  });

  it('retries over TCP when the UDP reply is truncated', async () => {
    stub.reply = (q) =>
      q.transport === 'udp' ? reply(q, { tc: true }) : reply(q, { answers: [a('192.0.2.7')] });
    expect(await runCheck(check({ expectAnswers: { exact: ['192.0.2.7'] } }))).toMatchObject({ ok: true });
    expect(stub.queries.map((q) => q.transport)).toEqual(['udp', 'tcp']);
  });

  it('asks over TCP only with transport tcp', async () => {
    expect(await runCheck(check({ transport: 'tcp' }))).toMatchObject({ ok: true });
    expect(stub.queries.map((q) => q.transport)).toEqual(['tcp']);
  });

  it('ignores datagrams with another id and takes the real reply', async () => {
    stub.reply = (q) => [
      reply(q, { id: (q.id + 1) & 0xffff, rcode: 5 }),
      reply(q, { answers: [a('192.0.2.3')] }),
    ];
    expect(await runCheck(check({ expectAnswers: { exact: ['192.0.2.3'] } }))).toMatchObject({ ok: true });
  });

  it('calls garbage a protocol failure, and silence a timeout', async () => {
    stub.reply = (q) => Buffer.concat([reply(q).subarray(0, 14)]);
    const garbage = await runCheck(check());
    expect(garbage).toMatchObject({ ok: false, reason: 'protocol' });
    expect(garbage.message).toMatch(/^malformed DNS reply: label runs past the end/);
    stub.reply = (q) =>
      reply({
        ...q,
        name: 'other.',
        question: Buffer.from([5, 111, 116, 104, 101, 114, 0, 0, 1, 0, 1]),
      });
    const other = await runCheck(check());
    expect(other).toMatchObject({ ok: false, reason: 'protocol' });
    expect(other.message).toMatch(/the reply is for other\. type 1, not www\.example\.test\. A/);
    stub.reply = () => null;
    expect(await runCheck(check({ timeout: 200 }))).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('reports a refused port as connect, over UDP (ICMP) and TCP', async () => {
    const closed = await DnsStub.start();
    const port = closed.port;
    await closed.close();
    expect(await runCheck(dnsCheckConfig({ port }))).toMatchObject({ ok: false, reason: 'connect' });
    expect(await runCheck(dnsCheckConfig({ port, transport: 'tcp' }))).toMatchObject({
      ok: false,
      reason: 'connect',
    });
  });
});
