/**
 * @module Where scope policies live: the `PolicyStore` contract and its in-memory backend.
 * `redis-policy-store.ts` is the Redis backend; both pass `test/moderation/moderation.suite.ts`.
 */
import { EventEmitter } from 'node:events';
import type { PolicyOverride } from './policy.ts';

/** Called with the scope id whose policy changed (in this process or, with Redis, any other). */
export type PolicyChangeListener = (scopeId: string) => void;

export interface PolicyStore {
  readonly name: string;
  /** The stored overrides of `scopeIds`, in order; `undefined` where a scope has none. */
  getMany(scopeIds: string[]): Promise<Array<PolicyOverride | undefined>>;
  /**
   * Reads, changes and writes one scope's override atomically, then tells every listener (in
   * every process sharing the store) that it changed. `change` mutates the override in place and
   * may run more than once, so it must have no side effects.
   */
  update(scopeId: string, change: (override: PolicyOverride) => void): Promise<PolicyOverride>;
  /**
   * Listens for changes. `onReset` is called when changes may have been missed (a reconnection),
   * so the caller drops everything it cached. Resolves once listening; returns the way to stop.
   */
  subscribe(onChange: PolicyChangeListener, onReset?: () => void): Promise<() => void>;
  close(): Promise<void>;
}

/** Policies in this process only. Changes reach every `ModerationService` sharing this instance. */
export class MemoryPolicyStore implements PolicyStore {
  readonly name = 'memory';
  readonly #policies = new Map<string, PolicyOverride>();
  readonly #events = new EventEmitter();

  async getMany(scopeIds: string[]): Promise<Array<PolicyOverride | undefined>> {
    return scopeIds.map((id) => {
      const stored = this.#policies.get(id);
      return stored ? structuredClone(stored) : undefined;
    });
  }

  async update(scopeId: string, change: (override: PolicyOverride) => void): Promise<PolicyOverride> {
    const override = structuredClone(this.#policies.get(scopeId) ?? {});
    change(override);
    this.#policies.set(scopeId, override);
    this.#events.emit('change', scopeId);
    return structuredClone(override);
  }

  async subscribe(onChange: PolicyChangeListener): Promise<() => void> {
    this.#events.on('change', onChange);
    return () => this.#events.off('change', onChange);
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners();
  }
}
