/**
 * Runs async sections one after another, so a check-then-write (fencing, serial) and the file write that
 * follows it are never interleaved with another writer's.
 */
export class Exclusive {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
