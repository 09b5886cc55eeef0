/** `type: dns` checks: which server, which question, and what counts as a good reply. */
import { canonicalRdata, normalizeName } from '@understudy/core';
import type { DnsCheckConfig, DnsRcodeName, RecordType } from '@understudy/core';
import { DNS_CHECK_RECORD_TYPES, DNS_RCODES } from './check-kind-names.js';
import { checkHost } from './check-target.js';
import type { Path, Problems } from './problems.js';
import { int, isObj, list, str } from './read.js';
import type { Obj } from './read.js';

type DnsFields = Pick<
  DnsCheckConfig,
  'host' | 'port' | 'name' | 'recordType' | 'transport' | 'expectRcode' | 'expectAnswers'
>;

function oneOf<T extends string>(raw: unknown, allowed: readonly T[], fallback: T): T {
  const text = str(raw)?.trim().toUpperCase();
  return text !== undefined && (allowed as readonly string[]).includes(text) ? (text as T) : fallback;
}

function queryName(raw: unknown, at: Path, problems: Problems): string | undefined {
  const text = str(raw);
  if (text === undefined) {
    if (raw === undefined) problems.error(at, 'is required for dns checks (the name to query)');
    return undefined;
  }
  const n = normalizeName(text);
  if (!n.ok) problems.error(at, n.error);
  return n.ok ? n.name : undefined;
}

function expectAnswers(
  raw: unknown,
  recordType: RecordType,
  rcode: DnsRcodeName,
  at: Path,
  problems: Problems,
): DnsCheckConfig['expectAnswers'] {
  if (!isObj(raw)) return null;
  const mode = raw.exact !== undefined ? 'exact' : 'contains';
  if (rcode !== 'NOERROR') {
    problems.error(at, `only applies with expectRcode NOERROR (a ${rcode} reply has no answers to compare)`);
    return null;
  }
  const values: string[] = [];
  for (const [i, item] of list(raw[mode]).entries()) {
    if (typeof item !== 'string' && typeof item !== 'number') continue;
    const c = canonicalRdata(recordType, String(item));
    if (!c.ok) problems.error([...at, mode, i], `is not a valid ${recordType} value: ${c.error}`);
    else if (!values.includes(c.value)) values.push(c.value);
  }
  return mode === 'exact' ? { exact: values } : { contains: values };
}

export function dnsCheckFields(o: Obj, at: Path, problems: Problems): DnsFields | undefined {
  const hostText = str(o.host);
  if (hostText === undefined && o.host === undefined)
    problems.error([...at, 'host'], 'is required for dns checks (the server to query)');
  const host = hostText === undefined ? undefined : checkHost(hostText, [...at, 'host'], problems);
  const name = queryName(o.name, [...at, 'name'], problems);
  const recordType = oneOf(o.recordType, DNS_CHECK_RECORD_TYPES, 'A');
  const expectRcode = oneOf(o.expectRcode, DNS_RCODES, 'NOERROR');
  const answers = expectAnswers(o.expectAnswers, recordType, expectRcode, [...at, 'expectAnswers'], problems);
  if (host === undefined || name === undefined) return undefined;
  return {
    host,
    port: int(o.port, 1, 65535) ?? 53,
    name,
    recordType,
    transport: str(o.transport) === 'tcp' ? 'tcp' : 'udp',
    expectRcode,
    expectAnswers: answers,
  };
}
