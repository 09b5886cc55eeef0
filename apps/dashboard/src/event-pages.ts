/** Reading the audit timeline through StateStore.readEvents (newest first, paged by seq). */
import type { DecisionEvent, StateStore } from '@understudy/core';
import type { EventFilter, EventPage } from './types.js';

const PAGE = 500;
/** A filtered read looks at no more than this many events per request; nextBefore continues from there. */
const MAX_SCAN = 5_000;
/** Events fetched per poll when the log jumped; beyond it clients refetch on the change message. */
const MAX_NEW = 2_000;

/** Events with seq > afterSeq, oldest first, plus the newest seq (afterSeq < 0: only the head). */
export async function readNewEvents(
  store: StateStore,
  afterSeq: number,
): Promise<{ head: number; events: DecisionEvent[] }> {
  const top = await store.readEvents({ limit: afterSeq < 0 ? 1 : Math.min(PAGE, 64) });
  const head = top[0]?.seq ?? 0;
  if (afterSeq < 0 || head <= afterSeq) return { head: Math.max(head, afterSeq, 0), events: [] };
  const out: DecisionEvent[] = [];
  let page = top;
  while (page.length) {
    for (const e of page) {
      if (e.seq <= afterSeq || out.length >= MAX_NEW) return { head, events: out.reverse() };
      out.push(e);
    }
    page = await store.readEvents({ before: page[page.length - 1]!.seq, limit: PAGE });
  }
  return { head, events: out.reverse() };
}

export async function readFilteredEvents(store: StateStore, f: EventFilter): Promise<EventPage> {
  if (f.type === undefined && f.record === undefined) {
    const items = await store.readEvents({
      limit: f.limit,
      ...(f.before !== undefined ? { before: f.before } : {}),
    });
    return {
      items,
      nextBefore: items.length === f.limit && items.length ? items[items.length - 1]!.seq : null,
    };
  }
  const items: DecisionEvent[] = [];
  let cursor = f.before;
  let scanned = 0;
  while (scanned < MAX_SCAN) {
    const page = await store.readEvents({ limit: PAGE, ...(cursor !== undefined ? { before: cursor } : {}) });
    for (const e of page) {
      scanned++;
      cursor = e.seq;
      if ((f.type === undefined || e.type === f.type) && (f.record === undefined || e.record === f.record)) {
        items.push(e);
        if (items.length === f.limit) return { items, nextBefore: cursor };
      }
    }
    if (page.length < PAGE) return { items, nextBefore: null };
  }
  return { items, nextBefore: cursor ?? null };
}
