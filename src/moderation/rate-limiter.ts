/**
 * @module Rate limits: a sliding window log per key. The `RateLimiter` contract and its in-memory
 * backend; `redis-rate-limiter.ts` runs the same algorithm atomically in a Lua script.
 *
 * One call checks several limits together (the person's and the chat's) and counts the attempt
 * against all of them only when every one allows it, so a refusal by the chat's limit does not
 * use up the person's.
 */

export interface RateLimit {
  /** The counter, for example `user:discord:42`. */
  key: string;
  /** Attempts allowed per window; 0 means no limit. */
  limit: number;
}

export type RateLimitVerdict =
  | { allowed: true }
  | {
      allowed: false;
      /** The key of the limit that refused (the first one when several did). */
      key: string;
      /** Milliseconds until an attempt will be allowed again. */
      retryAfterMs: number;
    };

export interface RateLimiter {
  readonly name: string;
  /** Counts one attempt against every limit if all of them allow it; otherwise counts nothing. */
  consume(limits: RateLimit[], windowMs: number): Promise<RateLimitVerdict>;
  close(): Promise<void>;
}

export interface MemoryRateLimiterOptions {
  /** The clock, in milliseconds. Tests pass their own to step time. @defaultValue `Date.now` */
  now?: () => number;
}

/** Rate limits in this process only (one bot process; every process has its own counters otherwise). */
export class MemoryRateLimiter implements RateLimiter {
  readonly name = 'memory';
  readonly #now: () => number;
  /** Times of the attempts in the window, oldest first, per key. */
  readonly #attempts = new Map<string, number[]>();
  #callsSinceSweep = 0;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async consume(limits: RateLimit[], windowMs: number): Promise<RateLimitVerdict> {
    const now = this.#now();
    this.#sweep(now, windowMs);
    let refusal: RateLimitVerdict | undefined;
    for (const { key, limit } of limits) {
      if (limit <= 0) continue;
      const times = this.#window(key, now, windowMs);
      if (times.length >= limit) {
        // The attempt that has to leave the window before one more fits.
        const retryAfterMs = times[times.length - limit]! + windowMs - now;
        if (!refusal || (!refusal.allowed && retryAfterMs > refusal.retryAfterMs))
          refusal = { allowed: false, key, retryAfterMs };
      }
    }
    if (refusal) return refusal;
    for (const { key, limit } of limits) {
      if (limit <= 0) continue;
      const times = this.#attempts.get(key) ?? [];
      times.push(now);
      this.#attempts.set(key, times);
    }
    return { allowed: true };
  }

  #window(key: string, now: number, windowMs: number): number[] {
    const times = this.#attempts.get(key);
    if (!times) return [];
    let drop = 0;
    while (drop < times.length && times[drop]! <= now - windowMs) drop++;
    if (drop) times.splice(0, drop);
    return times;
  }

  /** Forgets keys whose attempts all left the window, now and then, so idle people cost nothing. */
  #sweep(now: number, windowMs: number): void {
    if (++this.#callsSinceSweep < 1000) return;
    this.#callsSinceSweep = 0;
    for (const [key, times] of this.#attempts) {
      if (!times.length || times[times.length - 1]! <= now - windowMs) this.#attempts.delete(key);
    }
  }

  async close(): Promise<void> {
    this.#attempts.clear();
  }
}
