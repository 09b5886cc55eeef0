import { describe, expect, it } from 'vitest';
import { TransientError } from '@understudy/core';
import { DEFAULT_REDACT_PATHS, createLogger } from './logger.js';
import { DEFAULT_REDACT_KEYS, createRedactor } from './redact.js';
import { captureStream } from './test-support/capture.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';

describe('createLogger', () => {
  it('writes JSON lines with name, level label, ISO time and message', () => {
    const out = captureStream();
    const log = createLogger({ name: 'understudy-test', destination: out, pretty: false });
    log.info({ check: 'app-primary', region: 'eu-west' }, 'check down');
    log.debug('not at info level');
    const lines = out.json();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      name: 'understudy-test',
      check: 'app-primary',
      region: 'eu-west',
      msg: 'check down',
    });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('redacts secrets at any depth without touching the logged object', () => {
    const out = captureStream();
    const log = createLogger({ name: 't', destination: out, pretty: false });
    const config = {
      targets: {
        route53: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI', sessionToken: 'FwoGZX' },
        cloudflare: { apiToken: 'cf-token-123', zoneId: 'z1' },
      },
      redisUrl: 'redis://default:hunter2@redis:6379/0',
      dashboard: { basicAuth: { user: 'ops', dashboardPassword: 'pw1' } },
      checks: [
        { id: 'api', headers: { Authorization: 'Bearer abc', 'X-Auth-Key': 'legacy', accept: '*/*' } },
      ],
      tls: { cert: 'public', key: PEM },
    };
    const before = structuredClone(config);
    log.info({ config, note: 'connect to https://admin:s3cret@origin.example.test/health' }, 'loaded');
    const text = out.text();
    for (const secret of [
      'wJalrXUtnFEMI',
      'FwoGZX',
      'cf-token-123',
      'hunter2',
      'pw1',
      'Bearer abc',
      'legacy',
      's3cret',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('PRIVATE KEY');
    const line = out.json()[0] as { config: typeof config; note: string };
    expect(line.config.targets.route53).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: '[Redacted]',
      sessionToken: '[Redacted]',
    });
    expect(line.config.targets.cloudflare.zoneId).toBe('z1');
    expect(line.config.redisUrl).toBe('[Redacted]');
    expect(line.config.checks[0]!.headers).toEqual({
      Authorization: '[Redacted]',
      'X-Auth-Key': '[Redacted]',
      accept: '*/*',
    });
    expect(line.note).toBe('connect to https://[Redacted]@origin.example.test/health');
    expect(config).toEqual(before);
  });

  it('redacts inside errors and keeps them serialised as errors, cause included', () => {
    const out = captureStream();
    const log = createLogger({ name: 't', destination: out, pretty: false });
    const err = Object.assign(
      new TransientError('cloudflare 429', 1000, { cause: new Error('rate limited') }),
      {
        request: { headers: { authorization: 'Bearer leaked' } },
      },
    );
    log.error({ err }, 'apply failed');
    const line = out.json()[0] as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({
      type: 'TransientError',
      message: 'cloudflare 429',
      request: { headers: { authorization: '[Redacted]' } },
      cause: { message: 'rate limited' },
    });
    expect(String(line.err.stack)).toContain('TransientError: cloudflare 429');
    expect(err.request.headers.authorization).toBe('Bearer leaked');
  });

  it('redacts child bindings, extra keys and extra paths', () => {
    const out = captureStream();
    const log = createLogger({
      name: 't',
      destination: out,
      pretty: false,
      redactKeys: ['licenseKey'],
      redact: ['probe.region'],
    });
    log
      .child({ token: 'child-secret' })
      .warn({ licenseKey: 'L-1', probe: { region: 'eu-west', id: 'p1' } }, 'w');
    log.child({ role: 'decider' }).child({ clientSecret: 'grandchild-secret' }).info('g');
    expect(out.text()).not.toContain('grandchild-secret');
    expect(out.json()[1]).toMatchObject({ role: 'decider', clientSecret: '[Redacted]' });
    const line = out.json()[0]!;
    expect(line).toMatchObject({
      token: '[Redacted]',
      licenseKey: '[Redacted]',
      probe: { region: '[Redacted]', id: 'p1' },
    });
  });

  it('format pretty writes one line per event, time with its zone, still redacted', () => {
    const out = captureStream();
    const log = createLogger({ name: 'pretty-test', destination: out, format: 'pretty' });
    log.warn({ apiToken: 'tok-123', zone: 'example.test.', event: { type: 'x', n: 2 } }, 'pretty line');
    log.child({ role: 'decider' }).error({ err: new Error('boom') }, 'second');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN {2}pretty-test: pretty line {2}apiToken=\[Redacted\] zone=example\.test\. event\.type=x event\.n=2$/,
    );
    expect(lines[1]).toMatch(/Z ERROR decider: second {2}err="Error: boom"$/);
    expect(out.text()).not.toContain('tok-123');
  });

  it('is JSON by default, on a terminal too', () => {
    const out = captureStream();
    createLogger({ name: 'json-test', destination: out }).info({ a: 1 }, 'plain');
    expect(out.json()[0]).toMatchObject({ level: 'info', name: 'json-test', a: 1, msg: 'plain' });
  });
});

describe('createRedactor', () => {
  it('returns the same object when nothing is secret, and copies only the path to a secret', () => {
    const redact = createRedactor();
    const clean = { a: { b: [1, 2, { c: 'x' }] }, d: new Date(0), n: null };
    expect(redact(clean)).toBe(clean);
    const mixed = { keep: { x: 1 }, path: { password: 'p' } };
    const out = redact(mixed);
    expect(out).not.toBe(mixed);
    expect(out.keep).toBe(mixed.keep);
    expect(out.path).toEqual({ password: '[Redacted]' });
  });

  it('stops at a fixed depth so cyclic objects cannot loop', () => {
    const redact = createRedactor();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => redact(cyclic)).not.toThrow();
  });

  it('covers the credentials Understudy handles', () => {
    for (const key of [
      'secretaccesskey',
      'apitoken',
      'redisurl',
      'authorization',
      'x-auth-key',
      'password',
    ]) {
      expect(DEFAULT_REDACT_KEYS).toContain(key);
    }
  });
});

/** Not a plain object: the key walk of redact.ts passes it through as is, the pino paths do not. */
class OutgoingRequest {
  readonly method = 'GET';
  constructor(readonly headers: Record<string, string>) {}
}

describe('createLogger redact paths', () => {
  it('has only paths rooted at a fixed key, and pino accepts every one', () => {
    for (const p of DEFAULT_REDACT_PATHS) expect(p).toMatch(/^[a-z]+\./);
    expect(() => createLogger({ name: 't', destination: captureStream(), pretty: false })).not.toThrow();
  });

  it('redacts credentials inside class instances the key walk passes through', () => {
    const out = captureStream();
    const log = createLogger({ name: 't', destination: out, pretty: false });
    const req = new OutgoingRequest({
      authorization: 'Bearer in-a-class',
      'x-auth-key': 'legacy-key',
      accept: '*/*',
    });
    log.info({ req }, 'incoming');
    const err = Object.assign(new Error('HTTP 403 from the API'), {
      request: new OutgoingRequest({ authorization: 'Bearer on-the-error' }),
      config: { headers: new OutgoingRequest({}).headers },
    });
    err.config.headers.Authorization = 'Bearer axios-style';
    const wrapped = new Error('sync failed', {
      cause: Object.assign(new Error('inner'), {
        request: new OutgoingRequest({ authorization: 'Bearer in-the-cause' }),
      }),
    });
    log.error({ err }, 'apply failed');
    log.error({ err: wrapped }, 'sync failed');
    const text = out.text();
    for (const secret of ['in-a-class', 'legacy-key', 'on-the-error', 'axios-style', 'in-the-cause'])
      expect(text).not.toContain(secret);
    const [first, second, third] = out.json() as [
      { req: OutgoingRequest },
      { err: { message: string; request: OutgoingRequest } },
      { err: { cause: { request: OutgoingRequest } } },
    ];
    expect(first.req.headers).toEqual({
      authorization: '[Redacted]',
      'x-auth-key': '[Redacted]',
      accept: '*/*',
    });
    expect(second.err.message).toBe('HTTP 403 from the API');
    expect(second.err.request.headers.authorization).toBe('[Redacted]');
    expect(third.err.cause.request.headers.authorization).toBe('[Redacted]');
    // pino puts the values back after writing: the caller's objects are unchanged.
    expect(req.headers.authorization).toBe('Bearer in-a-class');
    expect(err.request.headers.authorization).toBe('Bearer on-the-error');
  });

  it('redacts provider credentials of the loaded config and of one target, in any form', () => {
    const out = captureStream();
    const log = createLogger({ name: 't', destination: out, pretty: false });
    class Target {
      constructor(
        readonly name: string,
        readonly apiToken?: string,
        readonly secretAccessKey?: string,
      ) {}
    }
    const config = {
      targets: [new Target('cf', 'cf-class-token'), new Target('r53', undefined, 'r53-class-secret')],
    };
    log.info({ config }, 'loaded');
    log.warn({ target: new Target('cf', 'cf-target-token') }, 'target failing');
    const text = out.text();
    for (const secret of ['cf-class-token', 'r53-class-secret', 'cf-target-token'])
      expect(text).not.toContain(secret);
    expect(out.json()[0]).toMatchObject({
      config: {
        targets: [
          { name: 'cf', apiToken: '[Redacted]' },
          { name: 'r53', secretAccessKey: '[Redacted]' },
        ],
      },
    });
  });

  it('keeps extra paths working next to the defaults', () => {
    const out = captureStream();
    const log = createLogger({ name: 't', destination: out, pretty: false, redact: ['probe.region'] });
    log.info({ probe: { region: 'eu-west' }, req: new OutgoingRequest({ cookie: 'sid=1' }) }, 'x');
    expect(out.json()[0]).toMatchObject({
      probe: { region: '[Redacted]' },
      req: { headers: { cookie: '[Redacted]' } },
    });
  });
});
