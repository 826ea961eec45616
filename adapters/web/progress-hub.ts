/**
 * @module Fans progress out to the page: every open event stream of a session receives the
 * progress of that session's turns, tagged with the turn id the page chose, so a page that
 * sent a turn can show "Rendering: step 3 of 20" while it waits for the answer.
 */
import type { Progress } from '../../src/index.ts';

export interface ProgressEvent {
  /** The id the page gave the turn (or one the server chose). */
  turnId: string;
  progress: Progress;
  /** The sentence to show, the same on every platform (`describeProgress`). */
  text: string;
}

export type ProgressSubscriber = (event: ProgressEvent) => void;

export class ProgressHub {
  readonly #subscribers = new Map<string, Set<ProgressSubscriber>>();

  /** Adds a subscriber for one session; returns the function that removes it. */
  subscribe(sessionId: string, subscriber: ProgressSubscriber): () => void {
    let set = this.#subscribers.get(sessionId);
    if (!set) {
      set = new Set();
      this.#subscribers.set(sessionId, set);
    }
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.#subscribers.get(sessionId) === set) this.#subscribers.delete(sessionId);
    };
  }

  /** How many streams a session has open. */
  count(sessionId: string): number {
    return this.#subscribers.get(sessionId)?.size ?? 0;
  }

  publish(sessionId: string, event: ProgressEvent): void {
    for (const subscriber of this.#subscribers.get(sessionId) ?? []) {
      try {
        subscriber(event);
      } catch {
        // A closed stream must not stop the turn or the other streams.
      }
    }
  }
}
