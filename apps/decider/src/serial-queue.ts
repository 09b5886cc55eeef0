/** Runs async jobs one at a time, in submission order, so decider writes never interleave. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  push<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves when everything queued so far has finished. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
