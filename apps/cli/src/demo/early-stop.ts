/**
 * SIGTERM or Ctrl-C while the demo starts, before onShutdown listens: without a listener Node's default
 * action kills the process at once, leaving the demo's temp dir behind, and DNS workers that outlive it
 * (they ignore signals and wait for their primary). EarlyStop holds such a signal: the demo undoes what
 * it has started so far, or, once the embedded app is up, hands the signal to the app's shutdown.
 */
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export class EarlyStop {
  private signal: NodeJS.Signals | undefined;
  private listening = true;
  /** What the demo has started, undone in reverse order when a signal came before the app was up. */
  private readonly undo: { name: string; run: () => Promise<void> }[] = [];

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.signal ??= signal;
  };

  constructor() {
    for (const s of SIGNALS) process.on(s, this.onSignal);
  }

  get requested(): boolean {
    return this.signal !== undefined;
  }

  /** Registers how to undo a step the demo just took. */
  started(name: string, run: () => Promise<void>): void {
    this.undo.push({ name, run });
  }

  /**
   * When a signal came: undoes every step taken so far and returns true (the demo then returns, and the
   * process exits 0 with nothing left running). Errors of one step do not stop the others.
   */
  async stopIfRequested(onError: (name: string, err: unknown) => void): Promise<boolean> {
    if (!this.requested) return false;
    await this.unwind(onError);
    return true;
  }

  /** Undoes every step taken so far (a failed start), and stops holding signals. */
  async unwind(onError: (name: string, err: unknown) => void): Promise<void> {
    this.release();
    for (const step of this.undo.reverse()) {
      try {
        await step.run();
      } catch (err) {
        onError(step.name, err);
      }
    }
    this.undo.length = 0;
  }

  /**
   * The app's shutdown handler listens now: stop holding signals, and deliver again one that came while
   * the app started, so that the app shuts down as it would on a signal. Returns true when it did.
   */
  handOver(): boolean {
    this.release();
    if (this.signal === undefined) return false;
    process.kill(process.pid, this.signal);
    return true;
  }

  /** The app is up and its shutdown undoes the steps: nothing is left for unwind(). */
  forget(): void {
    this.undo.length = 0;
  }

  private release(): void {
    if (!this.listening) return;
    this.listening = false;
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }
}
