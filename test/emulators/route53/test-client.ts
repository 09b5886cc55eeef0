/** A bare REST-XML client for the emulator's own tests (no SDK: test/ does not depend on it). */
import type { Route53Emulator } from './server.js';

export interface Reply {
  status: number;
  body: string;
  /** The error code of an error response, else null. */
  code: string | null;
}

export async function r53(
  emu: Route53Emulator,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  accessKeyId: string | null = 'AKIDTEST',
): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'text/xml' };
  if (accessKeyId !== null) {
    headers['authorization'] =
      `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=00`;
  }
  const res = await fetch(`${emu.url}/2013-04-01/${path}`, { method, headers, ...(body ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, body: text, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? null };
}

export interface TestChange {
  action: 'CREATE' | 'UPSERT' | 'DELETE';
  name: string;
  type: string;
  /** null: no TTL element (alias record sets). */
  ttl: number | string | null;
  values: string[];
  /** Raw XML put after Type: SetIdentifier and routing-policy elements. */
  routing?: string;
  /** Raw XML put after the values: AliasTarget, HealthCheckId. */
  tail?: string;
}

export function changeBody(changes: TestChange[]): string {
  const xml = changes
    .map(
      (c) =>
        `<Change><Action>${c.action}</Action><ResourceRecordSet><Name>${c.name}</Name><Type>${c.type}</Type>${c.routing ?? ''}` +
        (c.ttl === null ? '' : `<TTL>${c.ttl}</TTL>`) +
        (c.values.length === 0
          ? ''
          : `<ResourceRecords>${c.values.map((v) => `<ResourceRecord><Value>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Value></ResourceRecord>`).join('')}</ResourceRecords>`) +
        `${c.tail ?? ''}</ResourceRecordSet></Change>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>${xml}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`;
}

export const change = (
  emu: Route53Emulator,
  zoneId: string,
  changes: TestChange[],
  akid?: string,
): Promise<Reply> => r53(emu, 'POST', `hostedzone/${zoneId}/rrset/`, changeBody(changes), akid);

export const a = (i: number, action: TestChange['action'] = 'CREATE', last = 1): TestChange => ({
  action,
  name: `h${i}.example.test.`,
  type: 'A',
  ttl: 60,
  values: [`10.0.${i % 250}.${last}`],
});
