/** Where an HTTP check connects, which Host header and TLS server name it sends, and which name it verifies. */
import { isIP } from 'node:net';
import type { HttpCheckConfig } from '@understudy/core';

export interface HttpTarget {
  /** Name or IP literal to resolve/connect to (brackets removed). */
  connectHost: string;
  hostHeader: string;
  /** TLS SNI; undefined when only an IP literal is available (RFC 6066 forbids IP literals in SNI). */
  sni: string | undefined;
  /** The name (or IP) the certificate must match. */
  identity: string;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function noTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** The host part of a Host header value: "[::1]:8443" → "::1", "a.test:8443" → "a.test". */
export function hostOfHostHeader(value: string): string {
  const v = value.trim();
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    return end > 0 ? v.slice(1, end) : v;
  }
  const colons = v.split(':').length - 1;
  if (colons === 1) return v.slice(0, v.indexOf(':'));
  return v;
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

export function httpTarget(check: HttpCheckConfig): HttpTarget {
  const connectHost = unbracket(check.host);
  const bareHost = noTrailingDot(connectHost);
  const defaultPort = check.type === 'https' ? 443 : 80;
  const hostForHeader = isIP(bareHost) === 6 ? `[${bareHost}]` : bareHost;
  // An explicit hostHeader wins; a Host entry among the headers is honoured next.
  const hostHeader =
    check.hostHeader ??
    headerValue(check.headers, 'host') ??
    (check.port === defaultPort ? hostForHeader : `${hostForHeader}:${check.port}`);
  const candidates = [check.sni, hostOfHostHeader(hostHeader), bareHost];
  const sni = candidates
    .filter((c): c is string => typeof c === 'string' && c !== '')
    .map(noTrailingDot)
    .find((c) => isIP(c) === 0);
  return { connectHost, hostHeader, sni, identity: sni ?? bareHost };
}
