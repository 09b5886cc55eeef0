/**
 * A fast reader for the plain subset of YAML that configs are written in: block maps and lists, one-line
 * flow maps and lists, one-line plain and quoted scalars, comments. The `yaml` library builds a CST and a
 * Document node for every token, which took 18 s and about 1 GB for 110,000 records; this reads the same
 * text in well under a second and keeps only the data and the offsets problems are located with.
 * Anything outside the subset (anchors, aliases, tags, block scalars, multi-line scalars or flow
 * collections, duplicate or non-string keys, tabs, several documents, ...) makes it return undefined, and
 * the caller falls back to the `yaml` library, which also gives every syntax error its proper message.
 */
import type { Path, PathSegment } from './problems.js';
import { lineCol, locateIn, type KeptShadow, type Position, type Shadow } from './fast-yaml-positions.js';
import {
  AWKWARD,
  bail,
  COLON,
  DASH,
  HASH,
  INDICATOR,
  isFlowEnd,
  isFlowIndicator,
  QUESTION,
  readQuoted,
  resolvePlain,
  SPACE,
  Unsupported,
} from './fast-yaml-scalars.js';

export type { Position } from './fast-yaml-positions.js';

type Container = Record<string, unknown> | unknown[];
type Key = string | number;

export interface DollarScalar {
  path: PathSegment[];
  raw: string;
  plain: boolean;
  parent: Container;
  key: Key;
}

export interface FastYaml {
  data: Record<string, unknown>;
  /** Scalar values holding a `$`, for interpolation. */
  dollars: DollarScalar[];
  locate: (path: Path, atKey?: boolean) => Position | undefined;
}

export function readFastYaml(text: string): FastYaml | undefined {
  if (AWKWARD.test(text)) return undefined;
  try {
    return new Reader(text).read();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/**
 * An array filled by push() holds room for at least 17 elements; most containers here hold 1 to 12, and a
 * config of 110,000 records keeps hundreds of thousands of them (data and positions) until it is built:
 * copies at their exact length halve that heap (99 → ~50 MB), and with it the collector's work.
 */
const exact = <T>(a: T[]): T[] => (a.length < 17 ? a.slice() : a);

class Reader {
  private readonly begins: number[] = [];
  private readonly indents: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private i = 0;
  private p = 0;
  private readonly path: PathSegment[] = [];
  /** The shadow of the container read last (undefined after a scalar), for its parent to keep. */
  private shadow: KeptShadow;
  /** Off: a flow collection's shadow is its start offset only (see KeptShadow), read again when needed. */
  private keepFlowPositions = false;
  private readonly dollars: DollarScalar[] = [];
  private readonly plainKeys = new Map<string, boolean>();

  constructor(private readonly text: string) {}

  read(): FastYaml {
    const lineStarts = this.splitLines();
    if (this.starts.length > 0 && this.lineText(0) === '---') this.i = 1;
    if (this.i >= this.starts.length) bail();
    const topStart = this.starts[this.i]!;
    let top: unknown;
    if (this.startsEntry(topStart)) {
      top = this.map(this.indents[this.i]!);
    } else {
      this.p = topStart;
      top = this.text[topStart] === '{' ? this.inlineValue([], 0) : bail();
    }
    if (this.i < this.starts.length) bail();
    const shadow = this.shadow;
    const data = top as Record<string, unknown>;
    const flowShadow = (start: number): Shadow => this.flowShadow(start);
    return {
      data,
      dollars: this.dollars,
      locate: (path, atKey = false) =>
        lineCol(lineStarts, locateIn(shadow, topStart, path, atKey, flowShadow)),
    };
  }

  /** The full shadow of the one-line flow collection at `start`, read again (with its positions). */
  private flowShadow(start: number): Shadow {
    const t = this.text;
    let end = t.indexOf('\n', start);
    if (end < 0) end = t.length;
    if (end > start && t.charCodeAt(end - 1) === 13) end--;
    const again = new Reader(t);
    again.keepFlowPositions = true;
    again.p = start;
    again.flow(end);
    return again.shadow as Shadow;
  }

  /** Records every line with content; blank and comment-only lines carry no structure. */
  private splitLines(): number[] {
    const t = this.text;
    const lineStarts: number[] = [];
    let begin = 0;
    while (begin <= t.length) {
      let end = t.indexOf('\n', begin);
      if (end < 0) end = t.length;
      lineStarts.push(begin);
      const contentEnd = end > begin && t.charCodeAt(end - 1) === 13 ? end - 1 : end;
      let s = begin;
      while (s < contentEnd && t.charCodeAt(s) === 32) s++;
      if (s < contentEnd && t[s] !== '#') {
        this.begins.push(begin);
        this.indents.push(s - begin);
        this.starts.push(s);
        this.ends.push(contentEnd);
      }
      begin = end + 1;
    }
    return lineStarts;
  }

  private lineText(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]).trimEnd();
  }

  private isSeqLine(i: number): boolean {
    const s = this.starts[i]!;
    return this.text[s] === '-' && (s + 1 === this.ends[i] || this.text[s + 1] === ' ');
  }

  /** The value of a key or list item written on the lines below it (or null when there are none). */
  private below(
    indent: number,
    allowSeqAtSameIndent: boolean,
    parent: Container,
    key: Key,
  ): [unknown, number] {
    const i = this.i;
    if (i < this.starts.length && this.indents[i]! > indent) {
      const start = this.starts[i]!;
      if (this.isSeqLine(i)) return [this.seq(this.indents[i]!), start];
      if (this.startsEntry(start)) return [this.map(this.indents[i]!), start];
      this.p = start;
      return [this.inlineValue(parent, key), start];
    }
    if (allowSeqAtSameIndent && i < this.starts.length && this.indents[i] === indent && this.isSeqLine(i))
      return [this.seq(indent), this.starts[i]!];
    this.shadow = undefined;
    return [null, -1];
  }

  private map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const pos: Shadow = [];
    while (this.i < this.starts.length && this.indents[this.i] === indent) {
      const keyStart = this.starts[this.i]!;
      this.p = keyStart;
      const key = this.key(this.ends[this.i]!, false);
      if (key === undefined || Object.hasOwn(out, key)) bail();
      this.path.push(key!);
      this.skipSpaces(this.ends[this.i]!);
      let value: unknown;
      let valueStart: number;
      if (this.atLineEnd()) {
        this.i++;
        [value, valueStart] = this.below(indent, true, out, key!);
      } else {
        valueStart = this.p;
        value = this.inlineValue(out, key!);
      }
      this.path.pop();
      out[key!] = value;
      pos.push(key, keyStart, value === null ? -1 : valueStart, this.shadow);
    }
    this.shadow = exact(pos);
    return out;
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    const pos: Shadow = [];
    while (this.i < this.starts.length && this.indents[this.i] === indent && this.isSeqLine(this.i)) {
      const end = this.ends[this.i]!;
      this.p = this.starts[this.i]! + 1;
      this.skipSpaces(end);
      this.path.push(out.length);
      let value: unknown;
      let start = this.p;
      if (this.atLineEnd()) {
        this.i++;
        [value, start] = this.below(indent, false, out, out.length);
        if (value === null) bail();
      } else if (this.startsEntry(this.p)) {
        // `- key: value` opens a map whose keys line up with this first one.
        this.starts[this.i] = this.p;
        this.indents[this.i] = this.p - this.begins[this.i]!;
        value = this.map(this.indents[this.i]!);
      } else {
        value = this.inlineValue(out, out.length);
      }
      this.path.pop();
      out.push(value);
      pos.push(start, this.shadow);
    }
    this.shadow = exact(pos);
    return out;
  }

  /** A scalar or flow collection filling the rest of the line; nothing may continue it below. */
  private inlineValue(parent: Container, key: Key): unknown {
    const end = this.ends[this.i]!;
    const c = this.text[this.p]!;
    let value: unknown;
    if (c === '{' || c === '[') value = this.flow(end);
    else if (c === '"' || c === "'") value = this.dollar(this.quoted(end), false, parent, key);
    else {
      const start = this.p;
      if (this.badPlainStart(end, false)) bail();
      let stop = start;
      const t = this.text;
      while (stop < end && !(t.charCodeAt(stop) === HASH && t.charCodeAt(stop - 1) === SPACE)) stop++;
      const raw = this.text.slice(start, stop).trimEnd();
      if (raw.endsWith(':') || raw.includes(': ')) bail();
      this.p = stop;
      value = this.dollar(resolvePlain(raw), true, parent, key);
    }
    this.skipSpaces(end);
    if (!this.atLineEnd()) bail();
    this.i++;
    if (this.i < this.starts.length && this.indents[this.i]! > this.indents[this.i - 1]!) bail();
    return value;
  }

  /** Every scalar passes here: notes it for interpolation when it holds a `$`. */
  private dollar(value: unknown, plain: boolean, parent: Container, key: Key): unknown {
    this.shadow = undefined;
    if (typeof value === 'string' && value.includes('$'))
      this.dollars.push({ path: [...this.path], raw: value, plain, parent, key });
    return value;
  }

  private flow(end: number): unknown {
    const open = this.text[this.p];
    const out: Record<string, unknown> | unknown[] = open === '{' ? {} : [];
    const flowStart = this.p;
    const pos: Shadow | null = this.keepFlowPositions ? [] : null;
    const close = open === '{' ? '}' : ']';
    const dollarsBefore = this.dollars.length;
    this.p++;
    this.skipSpaces(end);
    if (this.text[this.p] === close) {
      this.p++;
      this.shadow = pos ?? flowStart;
      return out;
    }
    for (;;) {
      let key: string | number;
      if (Array.isArray(out)) {
        key = out.length;
      } else {
        const keyStart = this.p;
        const k = this.key(end, true);
        if (k === undefined || Object.hasOwn(out, k)) bail();
        key = k!;
        pos?.push(key, keyStart);
      }
      this.skipSpaces(end);
      this.path.push(key);
      const start = this.p;
      const value = this.flowValue(end, out, key, !Array.isArray(out));
      this.path.pop();
      if (Array.isArray(out)) {
        out.push(value);
        pos?.push(start, this.shadow);
      } else {
        out[key as string] = value;
        pos?.push(value === null ? -1 : start, this.shadow);
      }
      this.skipSpaces(end);
      const c = this.text[this.p];
      this.p++;
      if (c === close) {
        this.shadow = pos ? exact(pos) : flowStart;
        return Array.isArray(out) ? this.exactList(out, dollarsBefore) : out;
      }
      if (c !== ',') bail();
      this.skipSpaces(end);
      if (isFlowEnd(this.text.charCodeAt(this.p))) bail();
    }
  }

  private flowValue(end: number, parent: Container, key: Key, mayBeEmpty: boolean): unknown {
    const c = this.text[this.p];
    if (c === '{' || c === '[') return this.flow(end);
    if (c === '"' || c === "'") return this.dollar(this.quoted(end), false, parent, key);
    if (mayBeEmpty && (c === ',' || c === '}')) return this.dollar(null, true, parent, key);
    if (this.badPlainStart(end, true)) bail();
    const start = this.p;
    const t = this.text;
    while (this.p < end) {
      const ch = t.charCodeAt(this.p);
      if (isFlowIndicator(ch)) break;
      if (ch === HASH && t.charCodeAt(this.p - 1) === SPACE) bail();
      if (ch === COLON && this.separates(this.p + 1, end, true)) bail();
      this.p++;
    }
    return this.dollar(resolvePlain(this.text.slice(start, this.p).trimEnd()), true, parent, key);
  }

  /** A map key and its `:`; undefined when the text here is not a key (so not a map entry). */
  private key(end: number, flow: boolean): string | undefined {
    const t = this.text;
    let key: string;
    const quoted = t[this.p] === '"' || t[this.p] === "'";
    if (quoted) {
      key = this.quoted(end);
    } else {
      if (this.badPlainStart(end, flow)) return undefined;
      const start = this.p;
      for (; this.p < end; this.p++) {
        const c = t.charCodeAt(this.p);
        if (c === COLON && this.separates(this.p + 1, end, flow)) break;
        if (c === HASH && t.charCodeAt(this.p - 1) === SPACE) return undefined;
        if (flow && isFlowIndicator(c)) return undefined;
      }
      key = t.slice(start, this.p).trimEnd();
    }
    this.skipSpaces(end);
    if (t[this.p] !== ':' || !this.separates(this.p + 1, end, flow)) return undefined;
    // Keys that resolve to null, booleans or numbers, merge keys and __proto__: left to `yaml`.
    if (!quoted && !this.plainKey(key)) bail();
    if (key === '__proto__') bail();
    this.p++;
    return key;
  }

  /**
   * A flow list at its exact length (see exact), with the `$` scalars noted in it pointing at the copy.
   */
  private exactList(out: unknown[], dollarsBefore: number): unknown[] {
    const copy = exact(out);
    for (let k = dollarsBefore; k < this.dollars.length; k++)
      if (this.dollars[k]!.parent === out) this.dollars[k]!.parent = copy;
    return copy;
  }

  /**
   * Whether a plain key is a string, not a merge key. Remembered per key: a large config repeats a few
   * dozen keys (name, type, values, ...) hundreds of thousands of times.
   */
  private plainKey(key: string): boolean {
    let ok = this.plainKeys.get(key);
    if (ok === undefined) {
      ok = typeof resolvePlain(key) === 'string' && key !== '<<';
      this.plainKeys.set(key, ok);
    }
    return ok;
  }

  private startsEntry(start: number): boolean {
    const saved = this.p;
    this.p = start;
    try {
      return this.key(this.ends[this.i]!, false) !== undefined;
    } catch (err) {
      if (err instanceof Unsupported) return false;
      throw err;
    } finally {
      this.p = saved;
    }
  }

  /** Whether the character at q ends a `:` as a mapping indicator. */
  private separates(q: number, end: number, flow: boolean): boolean {
    const c = this.text.charCodeAt(q);
    return q >= end || c === SPACE || (flow && isFlowIndicator(c));
  }

  private badPlainStart(end: number, flow: boolean): boolean {
    const c = this.text.charCodeAt(this.p);
    if (this.p >= end || INDICATOR.has(c)) return true;
    return (c === DASH || c === QUESTION || c === COLON) && this.separates(this.p + 1, end, flow);
  }

  private quoted(end: number): string {
    const [value, next] = readQuoted(this.text, this.p, end);
    this.p = next;
    return value;
  }

  private skipSpaces(end: number): void {
    while (this.p < end && this.text.charCodeAt(this.p) === 32) this.p++;
  }

  private atLineEnd(): boolean {
    return this.p >= this.ends[this.i]! || (this.text[this.p] === '#' && this.text[this.p - 1] === ' ');
  }
}
