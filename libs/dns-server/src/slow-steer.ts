/**
 * Issue 14 part 3: steering on the slow path (TCP, and UDP the fast path declines): the same table
 * entry and the same per-rule answers the fast path serves, so the two cannot disagree.
 */
import type { FastAnswer, FastTable } from './fast-table.js';
import type { QueryOpt, QueryQuestion } from './query-parse.js';
import type { ClientSource, SteerPicker } from './steer-pick.js';
import { NameScanner } from './wire.js';

export interface Prepared {
  /** The rule's answer, or null: the name is steered but this client gets the defaults. */
  ans: FastAnswer | null;
  /** A shared negative answer's SOA owner pointer, or -1. */
  pointer: number;
  scope: number;
}

const scanner = new NameScanner();

/** The steered answer of the question, or null when the name is not steered. */
export function steeredAnswer(
  table: FastTable,
  msg: Buffer,
  q: QueryQuestion,
  opt: QueryOpt | null,
  picker: SteerPicker,
  src: ClientSource | null,
): Prepared | null {
  const nameEnd = scanner.scan(msg, 12, q.end - 4);
  if (nameEnd !== q.end - 4) return null;
  scanner.hashSuffixes(msg);
  const entry = table.find(scanner.hashes[0]!, msg, 12, nameEnd);
  const steer = entry && table.steers.get(entry);
  if (!entry || !steer) return null;
  const qi = entry.qtypes.indexOf(q.type);
  const ans = picker.pick(steer, qi, msg, opt?.ecsAt ?? -1, opt?.ecsLen ?? 0, src);
  const pointer = ans?.soa ? 12 + entry.key.length - entry.home.apexLen : -1;
  return { ans, pointer, scope: picker.scope };
}
