import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFastYaml } from './fast-yaml.js';
import type { PathSegment } from './problems.js';
import { readYaml } from './yaml-source.js';

/** Every path in the data, plus one that does not exist below each container. */
function pathsOf(value: unknown, path: PathSegment[] = []): PathSegment[][] {
  const out: PathSegment[][] = [path];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...pathsOf(v, [...path, i])));
    out.push([...path, value.length], [...path, 'x']);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, k]));
    out.push([...path, 'no-such-key'], [...path, 0]);
  }
  return out;
}

/** The fast reader must read exactly what the `yaml` library reads, and point at the same places. */
function expectSameAsYaml(text: string): void {
  const fast = readFastYaml(text);
  expect(fast, `the fast reader gave up on:\n${text}`).toBeDefined();
  const slow = readYaml(text);
  expect(slow.errors).toEqual([]);
  const data = slow.doc.toJS() as unknown;
  expect(fast!.data).toEqual(data);
  for (const path of pathsOf(data))
    for (const atKey of [false, true])
      expect(fast!.locate(path, atKey), `${JSON.stringify(path)} atKey=${atKey}`).toEqual(
        slow.locate(path, atKey),
      );
}

const SAME = {
  'block maps and lists, nested and compact': `
regions: [eu, us]   # trailing comment
# a comment line
checks:
  web:
    type: https
    url: https://example.com/health?x=1#frag
    headers: { Host: a.example, "x-y": 'it''s' }
zones:
  - apex: example.com.
    ns: [ns1.example.com.]
    records:
    - { name: www, type: A, values: [192.0.2.1, 192.0.2.2] }
    -   name: mail
        type: MX
        values:
          - "10 mx.example.com."
    failover:
      - name: app
        answers:
          - { name: primary, values: [192.0.2.10], check: web }
          -
            name: secondary
            values: [192.0.2.20]
`,
  'core-schema scalars': `
a: ~
b: null
c:
d: true
e: False
f: 0o17
g: -42
h: 0x1F
i: .inf
j: -.Inf
l: 1.5e3
m: +12
n: 3.
o: 007
p: 1_000
q: 1e3x
r: yes
s: "true"
t: '42'
u: a:b
v: -x
w: :y
x: [.NaN, .nan, +.inf, NULL, TRUE, Null, -0x1F, 0o8, .5, -.5e-3, 10.0.0.1, 2s, 1.5.6, "", ~x]
`,
  'the same keys many times': `
list:
  - { name: a, type: A, ttl: 30, values: [192.0.2.1] }
  - { name: b, type: A, ttl: 30, values: [192.0.2.2] }
  - { name: c, type: A, "ttl": 30, values: [] }
`,
  'quoted scalars with escapes': String.raw`
a: "tab\there \"quoted\" \\ \u00e9 \/"
b: 'single ''quoted'' # not a comment'
c: "x # y"
d: plain with 'quote' and "double"
e: a#b
f: [ "a, b", 'c]', d ]
g: { "k": v, 'l' : w }
`,
  'flow collections with empty and null entries': `
a: []
b: {}
c: [[1, 2], [], {x: 1}]
d: { a: , b: 2, c: {} }
e: { x:, y: [] }
`,
  'a document start, CRLF line ends and interpolation text':
    '---\r\nregions: [eu]\r\nurl: "${URL}"\r\nport: ${PORT:-8080}\r\n',
  'a list as a map value at the same indent': `
top:
- a
- b
next: 1
`,
  'a top-level flow map': '{ regions: [eu], zones: [] }\n',
  'deep indentation and keys with spaces and dots': `
a:
      b c:
            "d.e": 1
      f: 2
`,
};

const GIVES_UP = {
  anchors: 'a: &x 1\nb: *x\n',
  tags: 'a: !!str 1\n',
  'block scalars': 'a: |\n  text\n',
  'multi-line plain scalars': 'a: one\n  two\n',
  'multi-line flow collections': 'a: [1,\n  2]\n',
  'duplicate keys': 'a: 1\na: 2\n',
  'merge keys': 'base: {x: 1}\nb:\n  <<: {y: 2}\n',
  'numeric keys': '1: a\n',
  'a null key after many string keys': 'a: { name: x }\nb: { name: y }\nc: { name: z, null: 1 }\n',
  'a boolean key in a flow map': 'a: [{ x: 1 }, { true: 2 }]\n',
  tabs: 'a:\t1\n',
  'several documents': 'a: 1\n---\nb: 2\n',
  'a list at the top': '- a\n- b\n',
  'an empty file': '# nothing\n',
  'an unclosed quote': 'a: "open\n',
  'a nested mapping on one line': 'a: b: c\n',
  'a bad indentation': 'a:\n    b: 1\n  c: 2\n',
  'complex keys': '? a\n: b\n',
  __proto__: '__proto__: 1\n',
  'an unknown escape': 'a: "\\q"\n',
  'a trailing comma': 'a: [1, 2, ]\n',
  'a single-pair map in a list': 'a: [b: 1]\n',
};

describe('readFastYaml', () => {
  for (const [name, text] of Object.entries(SAME))
    it(`reads ${name} as the yaml library does`, () => expectSameAsYaml(text));

  it('reads the example config as the yaml library does', () => {
    expectSameAsYaml(
      readFileSync(new URL('../../../examples/understudy.example.yaml', import.meta.url), 'utf8'),
    );
  });

  for (const [name, text] of Object.entries(GIVES_UP))
    it(`leaves ${name} to the yaml library`, () => expect(readFastYaml(text)).toBeUndefined());

  // Flow lists are handed back as exact-length copies (issue 11): interpolation must write into the copy.
  it('points a "$" scalar of a flow list at the list in the data', () => {
    const fast = readFastYaml('a: ["${X}", b, [c, "${Y}"]]\nm: { k: "${Z}" }\n')!;
    const a = fast.data.a as unknown[];
    expect(fast.dollars.map((d) => d.parent)).toEqual([a, a[2], fast.data.m]);
    expect(fast.dollars[0]!.parent).toBe(a);
    expect(fast.dollars[1]!.parent).toBe(a[2]);
  });

  it('lists the scalars holding "$" with their paths and whether they were plain', () => {
    const fast = readFastYaml('a:\n  - u: "${X}"\n    p: ${Y}\nb: $$notref\n');
    expect(fast?.dollars.map((d) => [d.path, d.raw, d.plain])).toEqual([
      [['a', 0, 'u'], '${X}', false],
      [['a', 0, 'p'], '${Y}', true],
      [['b'], '$$notref', true],
    ]);
  });
});
