/**
 * Server-sent events for /api/v1/stream. Changes from the source are coalesced: at most one flush per
 * `minGapMs` (leading edge, so a lone change goes out at once), and a flush is one `change` message plus at
 * most one `timeline` message carrying every new event as an array. With the default 500 ms that is ≤ 4
 * messages/s however fast the store moves.
 */
import type { ServerResponse } from 'node:http';
import type { DecisionEvent, Logger } from '@understudy/core';
import type { SourceChange } from './types.js';

export interface StreamHubOptions {
  logger: Logger;
  minGapMs?: number;
  heartbeatMs?: number;
  now?: () => number;
}

/** A client this far behind is dropped rather than buffered without bound. */
const MAX_BUFFERED = 1 << 20;
/** Events kept for one flush; a bigger burst sends the newest (clients refetch /events on change anyway). */
const MAX_EVENTS_PER_FLUSH = 1_000;

export class StreamHub {
  private readonly clients = new Set<ServerResponse>();
  /** Open streams per client address, for the per-client cap. */
  private readonly perClient = new Map<string, number>();
  private readonly minGapMs: number;
  private readonly now: () => number;
  private readonly heartbeat: NodeJS.Timeout;
  private pendingChange: { serial: number; eventSeq: number; at: number } | null = null;
  private pendingEvents: DecisionEvent[] = [];
  private lastFlush = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /**
   * SSE messages (`timeline`, `change`) sent since start, each counted once whatever the number of clients
   * (and not at all with none).
   */
  messages = 0;

  constructor(private readonly opts: StreamHubOptions) {
    this.minGapMs = opts.minGapMs ?? 500;
    this.now = opts.now ?? (() => Date.now());
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n', 0), opts.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Open streams of one client address. */
  countFor(client: string): number {
    return this.perClient.get(client) ?? 0;
  }

  add(res: ServerResponse, headers: Record<string, string>, client = 'unknown'): void {
    if (this.closed) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    this.clients.add(res);
    this.perClient.set(client, this.countFor(client) + 1);
    let dropped = false;
    const drop = (): void => {
      this.clients.delete(res);
      if (dropped) return;
      dropped = true;
      const left = this.countFor(client) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
    };
    res.on('close', drop);
    res.on('error', (err) => {
      this.opts.logger.debug({ err }, 'dashboard: stream client error');
      drop();
    });
  }

  push(change: SourceChange): void {
    if (this.closed) return;
    const { events, viewChanged, serial, eventSeq, at } = change;
    if (viewChanged) this.pendingChange = { serial, eventSeq, at };
    this.pendingEvents.push(...events);
    if (this.pendingEvents.length > MAX_EVENTS_PER_FLUSH)
      this.pendingEvents = this.pendingEvents.slice(-MAX_EVENTS_PER_FLUSH);
    if (this.timer || (!this.pendingChange && !this.pendingEvents.length)) return;
    const wait = Math.max(0, this.lastFlush + this.minGapMs - this.now());
    if (wait === 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Ends every stream, so closing the HTTP server does not wait on them. */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private flush(): void {
    this.timer = null;
    this.lastFlush = this.now();
    let text = '';
    let messages = 0;
    if (this.pendingEvents.length) {
      text += `event: timeline\ndata: ${JSON.stringify(this.pendingEvents)}\n\n`;
      messages++;
    }
    if (this.pendingChange) {
      text += `event: change\ndata: ${JSON.stringify(this.pendingChange)}\n\n`;
      messages++;
    }
    this.pendingEvents = [];
    this.pendingChange = null;
    if (messages) this.broadcast(text, messages);
  }

  /** Writes `text` to every client; `messages` is how many SSE messages it holds (0 for comments). */
  private broadcast(text: string, messages: number): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.opts.logger.warn('dashboard: dropping a stream client that does not keep up');
        res.destroy();
        this.clients.delete(res);
        continue;
      }
      res.write(text);
    }
    if (this.clients.size) this.messages += messages;
  }
}
