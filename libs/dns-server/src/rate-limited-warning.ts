/**
 * A warning that network input can trigger once per packet: every occurrence is counted, but at most
 * one line per interval reaches the log (with how many were left out), so a flood cannot flood the log.
 */
import type { Logger } from '@understudy/core';

export class RateLimitedWarning {
  /** Occurrences since this was created. */
  count = 0;
  private suppressed = 0;
  private nextLogAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: Logger,
    private readonly msg: string,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  record(fields: Record<string, unknown>): void {
    this.count++;
    const t = this.now();
    if (t < this.nextLogAt) {
      this.suppressed++;
      return;
    }
    this.nextLogAt = t + this.intervalMs;
    this.logger.warn({ ...fields, total: this.count, suppressed: this.suppressed }, this.msg);
    this.suppressed = 0;
  }
}

/** What the sockets of one server could not do; counted, logged at most every 10 s each. */
export interface IoErrors {
  /** UDP datagrams from source port 0: unanswerable (no reply can go to port 0), dropped. */
  udpPortZero: number;
  /** UDP replies that failed to send, synchronously (send threw) or later (socket 'error'). */
  udpSendErrors: number;
  /** TCP replies whose write threw; the connection is closed. */
  tcpWriteErrors: number;
}

export class IoGuard {
  readonly udpPortZero: RateLimitedWarning;
  readonly udpSend: RateLimitedWarning;
  readonly tcpWrite: RateLimitedWarning;

  constructor(logger: Logger, now: () => number = Date.now) {
    this.udpPortZero = new RateLimitedWarning(logger, 'dns: udp datagram from port 0 dropped', 10_000, now);
    this.udpSend = new RateLimitedWarning(logger, 'dns: udp reply not sent', 10_000, now);
    this.tcpWrite = new RateLimitedWarning(logger, 'dns: tcp reply not written', 10_000, now);
  }

  counts(): IoErrors {
    return {
      udpPortZero: this.udpPortZero.count,
      udpSendErrors: this.udpSend.count,
      tcpWriteErrors: this.tcpWrite.count,
    };
  }
}
