/** The YAML side: parse with positions, and map a config path back to a line and column. */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { ConfigProblem } from '@understudy/core';
import type { Path } from './problems.js';

export interface Position {
  line: number;
  column: number;
}

export interface YamlSource {
  doc: Document.Parsed;
  /** Syntax errors; when there are any, nothing else is checked. */
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
  locate: (path: Path, atKey?: boolean) => Position | undefined;
}

export function readYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    merge: true,
    uniqueKeys: true,
    version: '1.2',
  });
  const toProblem = (e: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }) => {
    const p = e.linePos?.[0];
    const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return p ? { path: '', message, line: p.line, column: p.col } : { path: '', message };
  };
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  return {
    doc,
    errors: doc.errors.map(toProblem),
    warnings: doc.warnings.map(toProblem),
    locate: (path, atKey = false) => locate(doc, path, atKey, pos),
  };
}

/** A map key as a path segment; a YAML merge key (held as a symbol) reads "<<". */
export function keyText(key: unknown): string {
  const k = isScalar(key) ? key.value : key;
  return typeof k === 'symbol' ? (k.description ?? '') : String(k);
}

function start(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

function locate(
  doc: Document.Parsed,
  path: Path,
  atKey: boolean,
  pos: (offset: number) => Position,
): Position | undefined {
  let node: unknown = doc.contents;
  let best = start(node);
  for (const [i, seg] of path.entries()) {
    if (isAlias(node)) node = node.resolve(doc);
    let pair: Pair | undefined;
    if (isMap(node)) {
      pair = node.items.find((p) => isScalar(p.key) && keyText(p.key) === String(seg));
      if (!pair) break;
      const isLast = i === path.length - 1;
      const keyStart = start(pair.key);
      const valueStart = isScalar(pair.value) && pair.value.value === null ? undefined : start(pair.value);
      best = (isLast && atKey ? keyStart : (valueStart ?? keyStart)) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) break;
      node = isPair(item) ? item.value : item;
      best = start(item) ?? best;
    } else {
      break;
    }
  }
  return best === undefined ? undefined : pos(best);
}
