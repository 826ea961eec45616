/**
 * @module The effective policy of a turn's place: its scopes worked out once per call, and the
 * resolved policy cached per process (bounded, and forgotten whenever any scope's policy changes:
 * here at once, in other processes through the store's change notices; when the notices cannot
 * be heard, every second).
 */
import { silentLogger, type Logger } from '../logger.ts';
import type { ModerationContext } from './moderation.ts';
import {
  describeWhere,
  pictureScopesFor,
  resolvePolicy,
  scopeRefs,
  turnScope,
  type PictureScopes,
  type ResolvedPolicy,
  type ScopeRef,
} from './policy-resolution.ts';
import type { PolicyStore } from './policy-store.ts';
import type { PolicyOverride } from './policy.ts';

const MAX_CACHED_POLICIES = 10_000;
/** How long a policy is kept when the store's change notices cannot be heard. */
const UNHEARD_TTL_MS = 1000;

/** What a turn's scopes look like, worked out once per call. */
export interface TurnScopes {
  refs: ScopeRef[];
  /** Where the turn's audit entries, bans and (by default) policy changes go: the server, else the chat. */
  home: ScopeRef;
  channel?: ScopeRef;
  /** The words a person reads for a scope id ("this server"); the global scope reads as the turn's place. */
  where: (scopeId: string | undefined) => string;
  /** What moderators may do to the picture rule in this place (a DM: nothing; Discord outside age-restricted channels: tighten). */
  pictureScopes: PictureScopes;
}

export interface PolicyCacheOptions {
  store: PolicyStore;
  /** The operator's global policy, already validated. */
  global: PolicyOverride;
  defaultWordList: boolean;
  /** How long a resolved policy is kept, in milliseconds. */
  ttlMs: number;
  now: () => number;
  logger?: Logger;
}

interface CachedPolicy {
  resolved: ResolvedPolicy;
  expires: number;
}

export class PolicyCache {
  readonly #store: PolicyStore;
  readonly #global: PolicyOverride;
  readonly #defaultWordList: boolean;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedPolicy>();
  /** Bumped by every invalidation, so a load that started before it does not fill the cache. */
  #generation = 0;
  #listening = false;
  #unsubscribe: (() => void) | undefined;
  readonly #ready: Promise<void>;

  constructor(options: PolicyCacheOptions) {
    this.#store = options.store;
    this.#global = options.global;
    this.#defaultWordList = options.defaultWordList;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now;
    const logger = options.logger ?? silentLogger;
    this.#ready = this.#store
      .subscribe(
        () => this.invalidate(),
        () => this.invalidate(),
      )
      .then((unsubscribe) => {
        this.#unsubscribe = unsubscribe;
        this.#listening = true;
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'moderation: cannot listen for policy changes; policies are re-read every second');
      });
  }

  /** Resolves once the cache listens for policy changes made by other processes. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Forgets every cached policy (called when any scope's policy changes). */
  invalidate(): void {
    this.#generation++;
    this.#cache.clear();
  }

  scopes(context: ModerationContext): TurnScopes {
    const scope = turnScope(context.scope, context.chat);
    const refs = scopeRefs(context.platform, scope);
    const levelOf = new Map(refs.map((ref) => [ref.id, ref.level]));
    return {
      refs,
      pictureScopes: pictureScopesFor(context.platform, context.scope),
      home: refs.find((ref) => ref.level === 'server') ?? refs.find((ref) => ref.level === 'channel') ?? refs[0]!,
      channel: refs.find((ref) => ref.level === 'channel'),
      where: (scopeId) => describeWhere(context.platform, levelOf.get(scopeId ?? 'global') ?? 'global', scope),
    };
  }

  async resolve(scopes: TurnScopes): Promise<ResolvedPolicy> {
    const key = scopes.refs.map((ref) => ref.id).join('\n') + '\n' + scopes.pictureScopes;
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached && cached.expires > now) return cached.resolved;
    const generation = this.#generation;
    const stored = await this.#store.getMany(scopes.refs.slice(1).map((ref) => ref.id));
    const resolved = resolvePolicy(scopes.refs, [this.#global, ...stored], {
      defaultWordList: this.#defaultWordList,
      pictureScopes: scopes.pictureScopes,
    });
    if (generation === this.#generation) {
      if (this.#cache.size >= MAX_CACHED_POLICIES) this.#cache.delete(this.#cache.keys().next().value!);
      const ttl = this.#listening ? this.#ttlMs : Math.min(this.#ttlMs, UNHEARD_TTL_MS);
      this.#cache.set(key, { resolved, expires: now + ttl });
    }
    return resolved;
  }

  /** The policy of the scopes outside `target` alone (without the default word list), read fresh from the store. */
  async outside(scopes: TurnScopes, target: ScopeRef): Promise<ResolvedPolicy> {
    const outer = scopes.refs.slice(0, scopes.refs.indexOf(target));
    const stored = await this.#store.getMany(outer.slice(1).map((ref) => ref.id));
    return resolvePolicy(outer, [this.#global, ...stored], { defaultWordList: false });
  }

  /** The override stored for one scope, read fresh. */
  async stored(scopeId: string): Promise<PolicyOverride | undefined> {
    const [override] = await this.#store.getMany([scopeId]);
    return override;
  }

  /** Changes one scope's override in the store; the change is visible here at once, elsewhere through the store's notices. */
  async update(scopeId: string, change: (override: PolicyOverride) => void): Promise<void> {
    await this.#store.update(scopeId, change);
    this.invalidate();
  }

  /** Stops listening and forgets every policy (the store is closed by its owner). */
  async close(): Promise<void> {
    await this.#ready;
    this.#unsubscribe?.();
    this.#cache.clear();
  }
}
