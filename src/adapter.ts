/**
 * @module What every platform adapter gives back to the composition root (`adapters/main.ts`).
 */

export interface RunningAdapter {
  /** `telegram`, `discord`, `web`. */
  readonly name: string;
  /** Whether it is connected and serving (for /readyz). */
  isReady(): boolean;
  /** Stops taking new work, lets work in flight finish, then closes its connections. */
  stop(): Promise<void>;
}
