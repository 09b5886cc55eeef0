import { describe, expect, it } from 'vitest';
import { canonicalJson } from './hash.js';
import { parseConfig } from './parse-config.js';

const hashOf = (text: string, baseDir = '/etc/understudy') => parseConfig(text, { env: {}, baseDir }).hash;

const ORIGINAL = `regions: [a, b, c]
quorum: majority
checks:
  web:
    type: https
    url: https://192.0.2.10/health
    headers: { X-One: "1", X-Two: "2" }
    tls: { caFile: ca.pem }
  db: { type: tcp, host: 192.0.2.20, port: 5432 }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        answers: [{ values: [192.0.2.10], check: web }]
`;

// Same meaning: keys reordered (top level, checks map, headers), flow vs block style, quoting,
// comments, explicit defaults, equivalent spellings of names and durations.
const REORDERED = `# a comment
zones:
  - ns: ["NS1.example.test."]
    failover:
      - answers:
          - check: web
            values: ["192.0.2.10"]
        type: A
        name: app
        whenAllDown: primary
    apex: example.test.
checks:
  db:
    port: 5432
    host: "192.0.2.20"
    type: tcp
  web:
    tls:
      caFile: ./ca.pem
    headers:
      X-Two: "2"
      X-One: "1"
    interval: 10
    url: "https://192.0.2.10:443/health"
    type: https
quorum: "majority"
regions:
  - a
  - b
  - c
logging: { level: debug }
listen: { http: null }
`;

describe('config hash', () => {
  it('is a sha256 hex string', () => {
    expect(hashOf(ORIGINAL)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable under key order, formatting, equivalent spellings and host-local settings', () => {
    expect(hashOf(REORDERED)).toBe(hashOf(ORIGINAL));
  });

  it('does not depend on where the config directory is mounted', () => {
    expect(hashOf(ORIGINAL, '/srv/a')).toBe(hashOf(ORIGINAL, '/opt/b'));
  });

  it.each([
    ['a region', ORIGINAL.replace('[a, b, c]', '[a, b, d]')],
    ['a check url', ORIGINAL.replace('/health', '/healthz')],
    ['a header value', ORIGINAL.replace('X-Two: "2"', 'X-Two: "3"')],
    ['a record value', ORIGINAL.replace('values: [192.0.2.10]', 'values: [192.0.2.11]')],
    ['a failover ttl', ORIGINAL.replace('type: A\n', 'type: A\n        ttl: 30\n')],
    ['the quorum', ORIGINAL.replace('quorum: majority', 'quorum: all')],
    ['the CA file', ORIGINAL.replace('caFile: ca.pem', 'caFile: other.pem')],
  ])('changes with %s', (_, changed) => {
    expect(hashOf(changed)).not.toBe(hashOf(ORIGINAL));
  });
});

describe('LoadedConfig.hash (computed when first read)', () => {
  it('is the same on every read, in a copy, and for the same text parsed again', () => {
    const loaded = parseConfig(ORIGINAL, { env: {}, baseDir: '/etc/understudy' });
    const first = loaded.hash;
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.hash).toBe(first);
    expect({ ...loaded }.hash).toBe(first);
    expect(hashOf(ORIGINAL)).toBe(first);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null }, u: undefined })).toBe(
      '{"a":{"c":null,"d":[2,1]},"b":1}',
    );
  });

  // The writer hands its text over in chunks (issue 11): the result must not depend on where they break.
  it('writes a large value (many chunks) exactly as the plain recursive definition does', () => {
    const reference = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
      if (v !== null && typeof v === 'object') {
        const entries = Object.entries(v).filter(([, x]) => x !== undefined);
        entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${reference(x)}`).join(',')}}`;
      }
      return JSON.stringify(v) ?? 'null';
    };
    const big = Array.from({ length: 20_000 }, (_, i) => ({
      z: i % 7 === 0 ? undefined : `n${i}\u00e9"`,
      a: [i, i / 3, null, true, { 'k\u2028': NaN, B: 'x' }],
    }));
    const text = canonicalJson({ records: big, top: 1 });
    expect(text.length).toBeGreaterThan(500_000);
    expect(text).toBe(reference({ records: big, top: 1 }));
  });
});
