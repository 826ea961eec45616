/**
 * @module A small semaphore in front of picture decodes, so that one person cannot fill libuv's
 * thread pool (four threads by default, shared by every sharp call and every file read) with
 * slow pictures while everyone else waits.
 *
 * Each person has at most `perOwner` decodes running; one more is refused at once with
 * `ImageBusy` ("one picture at a time"). Overall at most `maxConcurrent` run; the next ones wait
 * their turn in order, which is short because every decode has a time limit.
 *
 * The engine builds one gate (`MOODSHIFT_MAX_CONCURRENT_DECODES`) and gives it to the Editor's
 * picture checks and to the `GatedRenderer` around the local tone renderer, so that renders (each
 * decodes the stored original) count toward the same bounds.
 */
import { ErrorCode, UserError } from '../errors.ts';

export class DecodeGate {
  readonly #active = new Map<string, number>();
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(
    /** Decodes running at once, everyone together. */
    readonly maxConcurrent: number,
    /** Decodes running at once for one person. */
    readonly perOwner = 1,
  ) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1 || !Number.isInteger(perOwner) || perOwner < 1) {
      throw new RangeError(`DecodeGate needs whole numbers of at least 1, got ${maxConcurrent} and ${perOwner}.`);
    }
  }

  /** Decodes running now, everyone together. */
  get running(): number {
    return this.#running;
  }

  /**
   * Runs `work` when a slot is free. `owner` names the person (any stable string); without one
   * only the overall bound applies.
   *
   * @throws UserError `ImageBusy` when `owner` already has `perOwner` decodes running or waiting
   */
  async run<T>(owner: string | undefined, work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(owner);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * Takes a slot, waiting in line for the overall bound; returns its release (calling it again
   * does nothing). For work whose answer comes before its end: a decode answered "too slow" at its
   * time limit keeps the slot until libvips has really stopped.
   *
   * @throws UserError `ImageBusy` when `owner` already has `perOwner` decodes running or waiting
   */
  async acquire(owner: string | undefined): Promise<() => void> {
    if (owner !== undefined) {
      // Checked and counted before any waiting, so a second picture of the same person is refused at once.
      const mine = this.#active.get(owner) ?? 0;
      if (mine >= this.perOwner) throw new UserError(ErrorCode.ImageBusy);
      this.#active.set(owner, mine + 1);
    }
    if (this.#running >= this.maxConcurrent) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The slot passes straight to the next in line; `running` stays the same.
      if (next) next();
      else this.#running--;
      if (owner !== undefined) {
        const mine = (this.#active.get(owner) ?? 1) - 1;
        if (mine <= 0) this.#active.delete(owner);
        else this.#active.set(owner, mine);
      }
    };
  }
}

/** Decodes at once, everyone together, in the process-wide gate: half of libuv's default four threads. */
export const DEFAULT_MAX_CONCURRENT_DECODES = 2;

/** The process-wide gate {@link checkImage} uses unless given another. */
export const sharedDecodeGate = new DecodeGate(DEFAULT_MAX_CONCURRENT_DECODES);
