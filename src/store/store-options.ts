/**
 * @module Validation shared by the conversation store backends: the options of
 * `ConversationStoreOptions` filled with their defaults, or a `ConfigError` that says what to change.
 */
import { ConfigError } from '../errors.ts';
import { DEFAULT_STORE_OPTIONS, type ConversationStoreOptions } from './conversation-store.ts';

/** Fails with a sentence naming the option unless `value` is a whole number of at least `minimum`. */
export function requireWholeNumber(owner: string, option: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new ConfigError(`${owner}: ${option} must be a whole number of at least ${minimum}; got ${String(value)}.`);
  }
}

/** The common store options with defaults spread in, validated. */
export function resolveStoreOptions(
  owner: string,
  options: ConversationStoreOptions,
): Required<ConversationStoreOptions> {
  const resolved: Required<ConversationStoreOptions> = {
    ttlSeconds: options.ttlSeconds ?? DEFAULT_STORE_OPTIONS.ttlSeconds,
    imageTtlSeconds: options.imageTtlSeconds ?? DEFAULT_STORE_OPTIONS.imageTtlSeconds,
    maxEdits: options.maxEdits ?? DEFAULT_STORE_OPTIONS.maxEdits,
    maxImageBytes: options.maxImageBytes ?? DEFAULT_STORE_OPTIONS.maxImageBytes,
    picturesPerConversation: options.picturesPerConversation ?? DEFAULT_STORE_OPTIONS.picturesPerConversation,
  };
  // Whole seconds: Redis `EX` takes nothing finer, and both backends must agree.
  requireWholeNumber(owner, 'ttlSeconds', resolved.ttlSeconds, 1);
  requireWholeNumber(owner, 'imageTtlSeconds', resolved.imageTtlSeconds, 1);
  requireWholeNumber(owner, 'maxEdits', resolved.maxEdits, 1);
  requireWholeNumber(owner, 'maxImageBytes', resolved.maxImageBytes, 1);
  requireWholeNumber(owner, 'picturesPerConversation', resolved.picturesPerConversation, 1);
  return resolved;
}

/** Fails when `change` returned a promise: the stores commit synchronously after `change` returns. */
export function refuseAsyncChange(result: unknown): void {
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new TypeError(
      'ConversationStore.update: change returned a promise; it must change the conversation synchronously (do async work before calling update).',
    );
  }
}
