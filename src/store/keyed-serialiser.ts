/**
 * @module Runs tasks one after another per key (per conversation), and different keys in
 * parallel. Both stores use it so that one process's updates to one conversation never race.
 */
export class KeyedSerialiser {
  readonly #queues = new Map<string, Promise<void>>();

  /** Runs `task` after every earlier task of `key` has settled, whether it succeeded or not. */
  run<T>(key: string, task: () => T | Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, tail);
    void tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return run;
  }
}
