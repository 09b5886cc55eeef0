import { describe, expect, it } from 'vitest';
import { ConfigError } from '@understudy/core';
import { redactRedisUrl, redisOptionsFromUrl } from './url.js';

describe('redisOptionsFromUrl', () => {
  it.each([
    ['redis://127.0.0.1:6390', { host: '127.0.0.1', port: 6390 }],
    ['redis://redis', { host: 'redis', port: 6379 }],
    ['redis://:s3cret@redis:6379/2', { host: 'redis', port: 6379, password: 's3cret', db: 2 }],
    ['redis://app:p%40ss%2Fw@redis:6379', { host: 'redis', port: 6379, username: 'app', password: 'p@ss/w' }],
    ['redis://p@ss/w@redis:6379/1', { host: 'redis', port: 6379, password: 'p@ss/w', db: 1 }],
    ['redis://[::1]:7000', { host: '::1', port: 7000 }],
    [
      'rediss://cache.example.test:6380',
      { host: 'cache.example.test', port: 6380, tls: { servername: 'cache.example.test' } },
    ],
    ['rediss://10.0.0.5', { host: '10.0.0.5', port: 6379, tls: {} }],
  ])('parses %s', (url, expected) => {
    expect(redisOptionsFromUrl(url)).toEqual(expected);
  });

  it('parses Sentinel URLs with several sentinels, the master name and a db', () => {
    expect(redisOptionsFromUrl('redis+sentinel://:pw@s1:26379,s2,[::1]:26380/mymaster/3')).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      password: 'pw',
      db: 3,
    });
    expect(redisOptionsFromUrl('rediss+sentinel://s1/main')).toEqual({
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'main',
      tls: {},
      enableTLSForSentinelMode: true,
    });
  });

  it.each([
    ['http://redis:6379', /expected a redis:\/\/, rediss:\/\/ or redis\+sentinel:\/\/ URL/],
    ['redis:6379', /expected a redis:\/\//],
    ['redis://', /bad host ""/],
    ['redis://redis:0', /bad port 0/],
    ['redis://redis:70000', /bad port 70000/],
    ['redis://redis:port', /bad host "redis:port"/],
    ['redis://a:1,b:2', /exactly one host/],
    ['redis://redis/db1', /bad database "db1"/],
    ['redis://redis?timeout=1', /query strings/],
    ['redis://[1::2::3]:1', /bad IPv6 address/],
    ['redis+sentinel://s1:26379', /master name/],
    ['redis+sentinel://s1/m/1/x', /unexpected path/],
    ['redis://:%E0%A4%A@redis', /percent-encoding/],
  ])('refuses %s with a ConfigError naming the field', (url, message) => {
    let caught: unknown;
    try {
      redisOptionsFromUrl(url, 'decider.redis');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems[0]!.path).toBe('decider.redis');
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain('decider.redis');
  });

  it.each([
    'redis://:hunter2-secret@redis:99999',
    'redis://user:hunter2-secret@:6379',
    'redis://:hunter2-secret@redis?x=1',
    'redis://:hunter2/secret@redis/zz',
    'redis+sentinel://:hunter2-secret@s1:26379',
    'redis://:hunter2%ZZsecret@redis',
  ])('never puts the password in the error: %s', (url) => {
    expect(() => redisOptionsFromUrl(url)).toThrow(ConfigError);
    try {
      redisOptionsFromUrl(url);
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('hunter2');
      expect(JSON.stringify(err)).not.toContain('hunter2');
    }
  });

  it('redacts passwords for logs', () => {
    expect(redactRedisUrl('redis://:pw@h:1/0')).toBe('redis://:***@h:1/0');
    expect(redactRedisUrl('redis://user:p@w@h:1')).toBe('redis://user:***@h:1');
    expect(redactRedisUrl('redis://h:1')).toBe('redis://h:1');
  });
});
