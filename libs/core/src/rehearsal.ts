/**
 * Issue 11: a failover rehearsed on the engine's state and undone, so the code a real one runs is
 * compiled and warm.
 *
 * At start nothing has failed over yet, so the engine's switch path (the switch itself, its events and
 * their evidence, the failback hold) has never run: V8 has it as cold bytecode, and the first failover
 * after start, or after a quiet spell long enough for V8 to drop that code, ran several times slower than
 * the next ones (47-63 ms against 7-24 ms to evaluate 1,100 records at 110,000; the first change after
 * start was the slowest of every bench:scale run). A rehearsal runs that path for a sample of records:
 * their primary's check goes down (a failover), comes back (the failback hold starts) and the hold runs
 * out (a failback). It runs on the records' own state objects and puts every field back before it returns
 * (in a finally): V8 optimizes for the shapes of the objects it sees, and copies have other shapes, so a
 * rehearsal on copies left code that the first real failover threw away ("wrong map"). Pure, like the
 * rest of the engine: when it returns the state is as it was, and no event leaves it. Records whose
 * evaluation could add fields (steered, degraded, on an adaptive TTL) are not sampled.
 */
import type { FailoverRecordConfig } from './config-types.js';
import { Operation } from './operation.js';
import { evaluateRecord, type RecordEvalDeps } from './record-eval.js';
import type { DeciderState, RecordState } from './state-types.js';

export interface Rehearsal {
  /** Records rehearsed. */
  records: number;
  /** Answer switches they made (a failover and a failback each, as a rule). */
  switches: number;
}

/** Rehearsals a few calls apart at first: enough calls for V8 to optimize the path rehearsed. */
const WARM_REHEARSALS = 4;
const WARM_GAP_MS = 1_000;

/**
 * When the next rehearsal is due (ms from now), for the decider and the DNS workers alike: `firstMs` for the
 * first (start-up work goes first), then every second until WARM_REHEARSALS had something to rehearse
 * (`done`), then every `everyMs`. No gap is longer than `everyMs`.
 */
export function rehearsalDelay(first: boolean, done: number, firstMs: number, everyMs: number): number {
  return Math.min(everyMs, first ? firstMs : done < WARM_REHEARSALS ? WARM_GAP_MS : everyMs);
}

/** Records serving their first answer, whose first answer has a check, and which have another answer. */
function sampleOf(st: DeciderState, records: readonly FailoverRecordConfig[], limit: number) {
  const out: FailoverRecordConfig[] = [];
  for (const rec of records) {
    if (out.length >= limit) break;
    const rs = st.records[rec.id];
    const first = rec.answers[0];
    if (!rs || !first || rec.answers.length < 2 || first.check === null) continue;
    if (rs.allDown || rs.active.kind !== 'answer' || rs.active.name !== first.name) continue;
    if (rec.steering || rs.degraded || (rs.ttl ?? null) !== null || rs.drainFrom) continue;
    if (st.checks[first.check]?.verdict !== 'up') continue;
    out.push(rec);
  }
  return out;
}

/** What a rehearsal may change of a record's state, to put back. */
interface Saved {
  rs: RecordState;
  fields: RecordState;
  healthySince: RecordState['healthySince'];
  flips: number;
}

function save(rs: RecordState): Saved {
  return { rs, fields: { ...rs }, healthySince: { ...rs.healthySince }, flips: rs.flips.length };
}

/** The fields as saved: those replaced, those added removed, and the nested ones changed in place. */
function restore({ rs, fields, healthySince, flips }: Saved): void {
  const own = rs as unknown as Record<string, unknown>;
  for (const k of Object.keys(own)) if (!Object.hasOwn(fields, k)) delete own[k];
  Object.assign(rs, fields);
  const hs = rs.healthySince;
  for (const k of Object.keys(hs)) if (!Object.hasOwn(healthySince, k)) delete hs[k];
  Object.assign(hs, healthySince);
  rs.flips.length = flips; // a flip is pushed in place
}

/** Rehearses up to `limit` records' failover and failback at `now`; the state is as it was on return. */
export function rehearseFailover(
  deps: RecordEvalDeps,
  records: readonly FailoverRecordConfig[],
  now: number,
  limit: number,
): Rehearsal {
  const st = deps.st;
  const sample = sampleOf(st, records, limit);
  if (!sample.length) return { records: 0, switches: 0 };
  const primaries = [...new Set(sample.map((rec) => rec.answers[0]!.check!))].map((id) => st.checks[id]!);
  const verdicts = primaries.map((cs) => cs.verdict);
  const saved = sample.map((rec) => save(st.records[rec.id]!));
  const eventSeq = st.eventSeq;
  let switches = 0;
  const step = (at: number, verdict: 'up' | 'down'): void => {
    for (const cs of primaries) cs.verdict = verdict;
    const op = new Operation(at, st);
    for (const rec of sample) evaluateRecord(deps, rec, op);
    for (const e of op.events) if (e.type === 'answer-switched') switches++;
  };
  try {
    step(now, 'down');
    step(now + 1, 'up');
    let hold = 0;
    for (const rec of sample)
      if (typeof rec.failbackAfter === 'number') hold = Math.max(hold, rec.failbackAfter);
    step(now + 2 + hold, 'up');
  } finally {
    for (const s of saved) restore(s);
    primaries.forEach((cs, i) => (cs.verdict = verdicts[i]!));
    st.eventSeq = eventSeq;
  }
  return { records: sample.length, switches };
}
