/** Bad credentials, unknown zones and refused batches: clear errors that name the target. */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createPlan } from '@understudy/core';
import { zoneIdFor } from '@understudy/emulators/cloudflare';
import { provider, startEmulator, targetConfig, type CloudflareEmulator } from './test-support/fixture.js';

const ZONE = 'example.test.';
let emu: CloudflareEmulator;

beforeAll(async () => {
  emu = await startEmulator({ zones: [{ name: ZONE }, { name: 'other.test' }] });
});
afterAll(() => emu.close());

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('CloudflareProvider errors', () => {
  it('a refused token is a ConfigError naming the target and the scopes, without the token', async () => {
    const secret = 'wrong-token-s3cr3t';
    const err = await failure(provider(targetConfig(emu, [ZONE], { apiToken: secret })).read(ZONE));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('cloudflare target "cf"');
    expect(err.message).toContain('9109 Invalid access token');
    expect(err.message).toContain('Zone:Read and DNS:Edit');
    expect(err.message).not.toContain(secret);
  });

  it('a malformed token (400 6003) is reported as a token problem too (issue 17, case 6)', async () => {
    const err = await failure(provider(targetConfig(emu, [ZONE], { apiToken: 'has space' })).read(ZONE));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems[0]!.path).toBe('targets[name=cf].apiToken');
    expect(err.message).toContain('6003 Invalid request headers');
    expect(err.message).not.toContain('has space');
  });

  it('an unknown zone name is a ConfigError naming the target and the zone', async () => {
    const err = await failure(provider(targetConfig(emu, ['missing.test.'])).read('missing.test.'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/cloudflare target "cf".*\n.*zone missing\.test\. not found/);
  });

  it('a configured zone id that does not exist, or belongs to another zone, is refused', async () => {
    const cfg = (id: string) => ({ ...targetConfig(emu, [ZONE]), zones: [{ apex: ZONE, id }] });
    const gone = await failure(provider(cfg('f'.repeat(32))).read(ZONE));
    expect(gone.message).toContain(`zone id ${'f'.repeat(32)} does not exist`);
    const wrong = await failure(provider(cfg(zoneIdFor('other.test'))).read(ZONE));
    expect(wrong.message).toContain('is the zone other.test');
    const right = await provider(cfg(zoneIdFor('example.test'))).read(ZONE);
    expect(right.zone).toBe(ZONE);
  });

  it('an endpoint that answers 200 with something else than the API is an error naming the target', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"proxy"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const byName = await failure(provider({ ...targetConfig(emu, [ZONE]), endpoint: url }).read(ZONE));
      // The SDK turns a list without `result` into an empty page: the zone is then not found.
      expect(byName.message).toContain('cloudflare target "cf"');
      expect(byName.message).not.toMatch(/TypeError|undefined/);
      const byId = await failure(
        provider({
          ...targetConfig(emu, [ZONE]),
          endpoint: url,
          zones: [{ apex: ZONE, id: 'a'.repeat(32) }],
        }).read(ZONE),
      );
      expect(byId.message).toMatch(
        /cloudflare target "cf": zones\.get answered with something that is not the Cloudflare API/,
      );
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a zone the target is not configured for is refused before any call', async () => {
    const p = provider(targetConfig(emu, [ZONE]));
    const err = await failure(p.read('other.test.'));
    expect(err.message).toContain('zone other.test. is not configured for this target');
    expect(p.stats().apiCalls).toBe(0);
  });

  it('a batch Cloudflare refuses marks its changes failed instead of throwing', async () => {
    const p = provider(targetConfig(emu, [ZONE]));
    emu.seed(ZONE, [{ name: `clash.${ZONE}`, type: 'CNAME', content: 'elsewhere.test', ttl: 300 }]);
    const plan = createPlan(
      'cf',
      ZONE,
      await p.read(ZONE),
      [{ name: `clash.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.1'] }],
      {
        takeover: false,
      },
    );
    const report = await p.apply(plan);
    expect(report.propagated).toBe(false);
    expect(report.publishedAt).toBeNull();
    expect(report.changes).toEqual([
      expect.objectContaining({
        kind: 'create',
        ok: false,
        error: expect.stringContaining('81053') as unknown,
      }),
    ]);
    expect(report.changes[0]!.error).toContain('cloudflare target "cf"');
    expect(p.log.messages('warn')).toContain('cloudflare batch refused');
  });

  it('rejects bad provider settings up front', () => {
    expect(() => provider(targetConfig(emu, [ZONE], { batchSize: 5000 }))).toThrow(ConfigError);
    expect(() => provider(targetConfig(emu, [ZONE]), { ownerId: 'has space' })).toThrow(/owner id/);
  });
});
