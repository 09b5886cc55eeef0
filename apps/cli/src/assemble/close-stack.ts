/**
 * The close stack of one process: what started is closed in reverse order (LIFO), once. Something that
 * finishes starting after the close began is closed at once, and its starter is told to stop, so a signal
 * during start-up leaves nothing running.
 */
import type { Logger } from '@understudy/core';

/** Thrown into a start that is still under way when the process began to shut down. */
export class ShuttingDown extends Error {
  constructor() {
    super('the process is shutting down');
  }
}

interface Entry {
  name: string;
  run: () => Promise<void>;
}

export class CloseStack {
  private readonly entries: Entry[] = [];
  private closed: Promise<void> | null = null;

  constructor(private readonly logger: Logger) {}

  /** True from the first close() on: readiness drops and new work (a reload) is refused. */
  get closing(): boolean {
    return this.closed !== null;
  }

  /** Names of what is open, in the order it will close (for logs and tests). */
  get pending(): string[] {
    return this.entries.map((e) => e.name).reverse();
  }

  /** Registers how to close what just started; when closing already, closes it now and throws ShuttingDown. */
  async push(name: string, run: () => Promise<void>): Promise<void> {
    if (this.closed) {
      await this.runOne({ name, run });
      throw new ShuttingDown();
    }
    this.entries.push({ name, run });
  }

  /** Throws ShuttingDown when the close began: a start checks this between its steps. */
  check(): void {
    if (this.closed) throw new ShuttingDown();
  }

  /** Closes everything, newest first; a failing close is logged and the others still run. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      while (this.entries.length) await this.runOne(this.entries.pop()!);
    })();
    return this.closed;
  }

  private async runOne(entry: Entry): Promise<void> {
    try {
      await entry.run();
    } catch (err) {
      this.logger.error({ err, step: entry.name }, `close failed: ${entry.name}`);
    }
  }
}
