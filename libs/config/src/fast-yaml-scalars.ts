/** Scalars and characters for the fast YAML reader (fast-yaml.ts): the core schema, quoting, indicators. */
/** Thrown where the text leaves the subset; the caller then uses the `yaml` library. */
export class Unsupported extends Error {}
export const bail = (): never => {
  throw new Unsupported();
};

// Tabs, control characters, a BOM and the characters some readers take for line breaks: left to `yaml`.
export const AWKWARD = /[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff]/; // eslint-disable-line no-control-regex
// Characters that cannot start a plain scalar: []{}#&*!|>'"%@` and the comma.
export const INDICATOR = new Set([...'[]{}#&*!|>\'"%@`,'].map((c) => c.charCodeAt(0)));
export const [SPACE, HASH, COLON, COMMA, DASH, QUESTION] = [32, 35, 58, 44, 45, 63];
/** `,` `]` `}`, which end a plain scalar in a flow collection, and `[` `{`, which may not appear in one. */
export const isFlowEnd = (c: number): boolean => c === COMMA || c === 93 || c === 125;
export const isFlowIndicator = (c: number): boolean => isFlowEnd(c) || c === 91 || c === 123;
/** Plain scalars that can only be strings: most of a config, so they skip the core-schema tests. */
const STRING_START = /^[^-+.0-9~nNtTfF]/;
/**
 * Every form the tests below turn into something other than a string, in one pattern: most of what gets
 * past STRING_START is still a string (names, IP addresses, durations), and one test rejects it where the
 * chain below ran nine.
 */
const NOT_STRING =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)?$/;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
};

/** Core-schema (YAML 1.2) resolution of a plain scalar, as the `yaml` library does it. */
export function resolvePlain(s: string): unknown {
  if (STRING_START.test(s) || !NOT_STRING.test(s)) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(s)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(s)) return false;
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s))
    // .nan, .NaN and .NAN (a test of the last two letters read .NaN as infinity).
    return /nan$/i.test(s) ? NaN : s.startsWith('-') ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(s)) return parseFloat(s);
  return s;
}

/** A one-line quoted scalar starting at `p`: its value and the offset after its closing quote. */
export function readQuoted(t: string, p: number, end: number): [string, number] {
  const q = t[p];
  let out = '';
  let from = ++p;
  for (;;) {
    if (p >= end) bail();
    const c = t[p];
    if (c === q) {
      if (q === "'" && t[p + 1] === "'") {
        out += t.slice(from, p + 1);
        p += 2;
        from = p;
        continue;
      }
      out += t.slice(from, p);
      return [out, p + 1];
    }
    if (q === '"' && c === '\\') {
      out += t.slice(from, p);
      const e = t[p + 1]!;
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(p + 2, p + 6))) {
        out += String.fromCharCode(parseInt(t.slice(p + 2, p + 6), 16));
        p += 6;
      } else if (ESCAPES[e] !== undefined) {
        out += ESCAPES[e];
        p += 2;
      } else {
        bail();
      }
      from = p;
      continue;
    }
    p++;
  }
}
