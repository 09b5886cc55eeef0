/**
 * Throwaway X.509 material for local TLS origins: a CA, leaves it signs, and self-signed leaves.
 * Pure JS (selfsigned over WebCrypto), ECDSA P-256 keys: a CA or a leaf takes a few tens of ms.
 */
import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface CertPair {
  certPem: string;
  keyPem: string;
}

export interface IssuedCert extends CertPair {
  notAfter: Date;
}

export interface IssueCertOptions {
  ca: CertPair;
  commonName: string;
  /** DNS names and IP literals, e.g. ['localhost', '127.0.0.1', '::1']. */
  altNames: string[];
  /** Validity from now; ignored when notAfter is given. Default 30. */
  days?: number;
  notBefore?: Date;
  notAfter?: Date;
}

const DAY_MS = 86_400_000;
/** Backdating absorbs small clock differences between the issuing and the verifying side. */
const BACKDATE_MS = 3_600_000;

type SanEntry = { type: 2; value: string } | { type: 7; ip: string };

function sanEntries(altNames: string[]): SanEntry[] {
  return altNames.map((name) => {
    const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
    if (isIP(bare) !== 0) return { type: 7, ip: bare };
    if (!/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/i.test(name)) {
      throw new Error(`certs: altName ${JSON.stringify(name)} is neither a DNS name nor an IP literal`);
    }
    return { type: 2, value: name.replace(/\.$/, '') };
  });
}

function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function validity(days: number | undefined, notBefore?: Date, notAfter?: Date): { from: Date; to: Date } {
  const now = Date.now();
  // X.509 times carry whole seconds; truncating here makes the returned notAfter equal the certificate's.
  const from = wholeSeconds(notBefore ?? new Date(now - BACKDATE_MS));
  const to = wholeSeconds(notAfter ?? new Date(now + (days ?? 30) * DAY_MS));
  if (!(to.getTime() > from.getTime())) {
    throw new Error(`certs: notAfter (${to.toISOString()}) must be after notBefore (${from.toISOString()})`);
  }
  return { from, to };
}

export async function createCa(opts: { commonName?: string; days?: number } = {}): Promise<CertPair> {
  const { from, to } = validity(opts.days ?? 3650);
  const pems = await generate([{ name: 'commonName', value: opts.commonName ?? 'Understudy Test CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: from,
    notAfterDate: to,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

function leafExtensions(altNames: string[]) {
  return [
    { name: 'basicConstraints' as const, cA: false, critical: true },
    { name: 'keyUsage' as const, digitalSignature: true, critical: true },
    { name: 'extKeyUsage' as const, serverAuth: true },
    { name: 'subjectAltName' as const, altNames: sanEntries(altNames) },
  ];
}

export async function issueCert(opts: IssueCertOptions): Promise<IssuedCert> {
  const { from, to } = validity(opts.days, opts.notBefore, opts.notAfter);
  const pems = await generate([{ name: 'commonName', value: opts.commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: from,
    notAfterDate: to,
    ca: { key: opts.ca.keyPem, cert: opts.ca.certPem },
    extensions: leafExtensions(opts.altNames),
  });
  return { certPem: pems.cert, keyPem: pems.private, notAfter: to };
}

export async function selfSigned(opts: {
  commonName: string;
  altNames: string[];
  days?: number;
}): Promise<IssuedCert> {
  const { from, to } = validity(opts.days);
  const pems = await generate([{ name: 'commonName', value: opts.commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: from,
    notAfterDate: to,
    extensions: leafExtensions(opts.altNames),
  });
  return { certPem: pems.cert, keyPem: pems.private, notAfter: to };
}

/**
 * What most system tests need: a CA, a 30-day leaf for localhost and 127.0.0.1 that it signs, and the
 * CA written to `<dir>/ca.pem` for a check's tls.caFile.
 */
export async function localhostTls(dir: string): Promise<{ ca: CertPair; tls: IssuedCert; caFile: string }> {
  const ca = await createCa();
  const tls = await issueCert({
    ca,
    commonName: 'localhost',
    altNames: ['localhost', '127.0.0.1'],
    days: 30,
  });
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  return { ca, tls, caFile };
}
