import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCert, localhostTls, selfSigned } from './certs.js';
import type { CertPair, IssuedCert } from './certs.js';

interface Handshake {
  authorized: boolean;
  authorizationError: string | null;
  validTo: string | undefined;
}

/** Serves `cert` on `host` and reports how a client with the given trust and server name judges it. */
async function handshake(
  cert: CertPair,
  client: { host: string; servername?: string; ca?: string },
): Promise<Handshake> {
  const server = createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  server.listen(0, client.host);
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const socket = connect({
      host: client.host,
      port,
      servername: client.servername,
      ca: client.ca,
      rejectUnauthorized: false,
    });
    await once(socket, 'secureConnect');
    const result = {
      authorized: socket.authorized,
      authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
      validTo: socket.getPeerX509Certificate()?.validTo,
    };
    socket.destroy();
    return result;
  } finally {
    server.close();
  }
}

describe('certs', () => {
  let ca: CertPair;
  let leaf: IssuedCert;

  beforeAll(async () => {
    ca = await createCa({ commonName: 'Certs Test CA' });
    leaf = await issueCert({ ca, commonName: 'localhost', altNames: ['localhost', '127.0.0.1', '::1'] });
  });

  it('issues a leaf that verifies against its CA by DNS name', async () => {
    const r = await handshake(leaf, { host: '127.0.0.1', servername: 'localhost', ca: ca.certPem });
    expect(r).toMatchObject({ authorized: true, authorizationError: null });
  });

  it('localhostTls writes the CA to ca.pem and issues a localhost leaf it verifies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certs-'));
    try {
      const t = await localhostTls(dir);
      expect(t.caFile).toBe(join(dir, 'ca.pem'));
      const ca = await readFile(t.caFile, 'utf8');
      expect(ca).toBe(t.ca.certPem);
      const r = await handshake(t.tls, { host: '127.0.0.1', servername: 'localhost', ca });
      expect(r).toMatchObject({ authorized: true, authorizationError: null });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('covers IPv4 and IPv6 literals in the SAN', async () => {
    expect((await handshake(leaf, { host: '127.0.0.1', ca: ca.certPem })).authorized).toBe(true);
    expect((await handshake(leaf, { host: '::1', ca: ca.certPem })).authorized).toBe(true);
  });

  it('is rejected for a name outside the SAN and without the CA', async () => {
    const wrongName = await handshake(leaf, { host: '127.0.0.1', servername: 'other.test', ca: ca.certPem });
    expect(wrongName).toMatchObject({
      authorized: false,
      authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    const noCa = await handshake(leaf, { host: '127.0.0.1', servername: 'localhost' });
    expect(noCa.authorized).toBe(false);
  });

  it('marks the CA as a CA and the leaf as issued by it', () => {
    const caX = new X509Certificate(ca.certPem);
    const leafX = new X509Certificate(leaf.certPem);
    expect(caX.ca).toBe(true);
    expect(leafX.ca).toBe(false);
    expect(leafX.checkIssued(caX)).toBe(true);
    expect(leafX.verify(caX.publicKey)).toBe(true);
    expect(leafX.publicKey.asymmetricKeyType).toBe('ec');
  });

  it('returns the notAfter written in the certificate, and supports short validity', async () => {
    const before = Date.now();
    const short = await issueCert({ ca, commonName: 'short.test', altNames: ['short.test'], days: 2 });
    const x = new X509Certificate(short.certPem);
    expect(Date.parse(x.validTo)).toBe(short.notAfter.getTime());
    const twoDays = 2 * 86_400_000;
    expect(short.notAfter.getTime()).toBeGreaterThan(before + twoDays - 2_000);
    expect(short.notAfter.getTime()).toBeLessThanOrEqual(Date.now() + twoDays);
  });

  it('honours explicit notBefore/notAfter, including an already expired certificate', async () => {
    const notBefore = new Date(Date.now() - 10 * 86_400_000);
    const notAfter = new Date(Date.now() - 86_400_000);
    const expired = await issueCert({
      ca,
      commonName: 'old.test',
      altNames: ['old.test'],
      notBefore,
      notAfter,
    });
    const r = await handshake(expired, { host: '127.0.0.1', servername: 'old.test', ca: ca.certPem });
    expect(r).toMatchObject({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
    await expect(
      issueCert({ ca, commonName: 'x.test', altNames: ['x.test'], notBefore: notAfter, notAfter: notBefore }),
    ).rejects.toThrow(/must be after notBefore/);
  });

  it('makes self-signed certificates that fail verification unless trusted directly', async () => {
    const self = await selfSigned({ commonName: 'self.test', altNames: ['self.test', '127.0.0.1'] });
    const untrusted = await handshake(self, { host: '127.0.0.1', servername: 'self.test' });
    expect(untrusted).toMatchObject({ authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const trusted = await handshake(self, { host: '127.0.0.1', servername: 'self.test', ca: self.certPem });
    expect(trusted.authorized).toBe(true);
  });

  it('rejects an altName that is neither a DNS name nor an IP', async () => {
    await expect(issueCert({ ca, commonName: 'bad', altNames: ['not a name'] })).rejects.toThrow(/altName/);
  });
});
