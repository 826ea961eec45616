/**
 * @module The moderation engine behind the `Moderation` contract: it puts together the policy
 * cache (`policy-cache.ts`: effective policies, cached per process, invalidated across processes
 * through the store's change notices), the checks of a turn (`turn-checks.ts`: before planning,
 * after planning, on button presses, and picture safety), the moderator commands
 * (`policy-commands.ts`) and the audit trail (`refusals.ts`).
 *
 * Free text never changes a policy. Only `runCommand` does, and the Editor calls it only for a
 * slash command parsed by the strict command parser from a person the platform says is a
 * moderator; neither the normaliser nor any language model output reaches it.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { silentLogger, type Logger } from '../logger.ts';
import type { EditPlan } from '../planner/planner.ts';
import type { PictureSafety } from '../safety/picture-safety.ts';
import type { AuditLog, AuditQuery } from './audit-log.ts';
import type {
  AuditEntry,
  EditRequestCheck,
  Moderation,
  ModerationContext,
  ModeratorCommand,
  PictureRefusal,
  PictureStage,
} from './moderation.ts';
import { PolicyCache } from './policy-cache.ts';
import { PolicyCommands } from './policy-commands.ts';
import { policyOverrideSchema } from './policy-file.ts';
import type { PolicyStore } from './policy-store.ts';
import type { Policy, PolicyOverride } from './policy.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { AuditRecorder } from './refusals.ts';
import { TurnChecks } from './turn-checks.ts';

export type { PictureRefusal };
export { formatAuditEntry } from '../messages.ts';

export interface ModerationServiceOptions {
  /** Where server and channel policies live (memory or Redis). */
  store: PolicyStore;
  /** Where refusals and policy changes are written. */
  audit: AuditLog;
  /** Per-person and per-chat limits on new edits. */
  rateLimiter: RateLimiter;
  /** The operator's global policy (from `MOODSHIFT_POLICY`); moderators cannot change it. @defaultValue `{}` (DEFAULT_POLICY) */
  globalPolicy?: PolicyOverride;
  /** Whether the built-in default word list (`default-word-list.ts`) is on. @defaultValue true */
  defaultWordList?: boolean;
  /**
   * How long a resolved policy is kept in this process, in milliseconds. Changes arrive sooner
   * through the store's change notices; this bounds staleness if a notice is lost. @defaultValue 30000
   */
  cacheTtlMs?: number;
  /** The rate limits' window: `perUserPerMinute` and `perChatPerMinute` count per this many ms. @defaultValue 60000 */
  rateLimitWindowMs?: number;
  /** Requests and captions are cut to this many characters in the audit log. @defaultValue 120 */
  auditRequestChars?: number;
  /** Most entries `/audit` shows. @defaultValue 50 */
  maxAuditShown?: number;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** The clock, in milliseconds since the epoch. @defaultValue `Date.now` */
  now?: () => number;
  /** Called last by `close()` (the factory closes the Redis connection it opened here). */
  onClose?: () => Promise<void>;
  /**
   * The picture-safety classifier under its time limit. @defaultValue none: `checkPicture` lets
   * every picture through (`createModeration` always gives one unless told `pictureSafety: false`)
   */
  pictureSafety?: PictureSafety;
  /** Called with every picture refusal (metrics): the rule that refused, the class, the scope level. */
  onPictureRefused?: (refusal: PictureRefusal) => void;
}

export class ModerationService implements Moderation {
  readonly #store: PolicyStore;
  readonly #audit: AuditLog;
  readonly #rateLimiter: RateLimiter;
  readonly #onClose?: () => Promise<void>;
  readonly #policies: PolicyCache;
  readonly #checks: TurnChecks;
  readonly #commands: PolicyCommands;
  /** Called with every refused picture (the `/metrics` counter hooks in here). */
  onPictureRefused?: (refusal: PictureRefusal) => void;

  constructor(options: ModerationServiceOptions) {
    for (const part of ['store', 'audit', 'rateLimiter'] as const) {
      if (!options?.[part])
        throw new TypeError(`ModerationService needs options.${part}; createModeration() builds all three.`);
    }
    this.#store = options.store;
    this.#audit = options.audit;
    this.#rateLimiter = options.rateLimiter;
    const global = policyOverrideSchema.safeParse(options.globalPolicy ?? {});
    if (!global.success) {
      throw new TypeError(
        `ModerationService: options.globalPolicy is not a valid policy (${global.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); load it with loadPolicyFile().`,
      );
    }
    const cacheTtlMs = options.cacheTtlMs ?? 30_000;
    const windowMs = options.rateLimitWindowMs ?? 60_000;
    const auditChars = options.auditRequestChars ?? 120;
    const logger: Logger = options.logger ?? silentLogger;
    const now = options.now ?? Date.now;
    this.#onClose = options.onClose;
    this.onPictureRefused = options.onPictureRefused;
    if (!(cacheTtlMs >= 0))
      throw new TypeError(`ModerationService: cacheTtlMs must be 0 or more milliseconds; got ${cacheTtlMs}.`);
    if (!(windowMs >= 1))
      throw new TypeError(`ModerationService: rateLimitWindowMs must be at least 1 ms; got ${windowMs}.`);
    if (!Number.isInteger(auditChars) || auditChars < 10) {
      throw new TypeError(
        `ModerationService: auditRequestChars must be a whole number of at least 10; got ${auditChars}.`,
      );
    }
    this.#policies = new PolicyCache({
      store: this.#store,
      global: global.data,
      defaultWordList: options.defaultWordList ?? true,
      ttlMs: cacheTtlMs,
      now,
      logger,
    });
    const recorder = new AuditRecorder(this.#audit, { requestChars: auditChars, logger, now });
    this.#checks = new TurnChecks({
      policies: this.#policies,
      recorder,
      rateLimiter: this.#rateLimiter,
      windowMs,
      logger,
      pictureSafety: options.pictureSafety,
      onPictureRefused: (refusal) => this.onPictureRefused?.(refusal),
    });
    this.#commands = new PolicyCommands({
      policies: this.#policies,
      recorder,
      audit: this.#audit,
      windowMs,
      maxAuditShown: options.maxAuditShown ?? 50,
      pictureSafety: options.pictureSafety,
    });
  }

  /** Resolves once the service listens for policy changes made by other processes. */
  ready(): Promise<void> {
    return this.#policies.ready();
  }

  /** Forgets every cached policy (called when any scope's policy changes). */
  invalidate(): void {
    this.#policies.invalidate();
  }

  async effectivePolicy(context: ModerationContext): Promise<Policy> {
    return structuredClone((await this.#policies.resolve(this.#policies.scopes(context))).policy);
  }

  /** Bans and blocked words for text that is no edit request. */
  checkText(context: ModerationContext, text: string): Promise<void> {
    return this.#checks.checkText(context, text);
  }

  /** Before planning, and on every button press or refinement (see `TurnChecks.checkRequest`). Returns the allowed intensity. */
  checkRequest(context: ModerationContext, request: EditRequestCheck): Promise<number> {
    return this.#checks.checkRequest(context, request);
  }

  /** After planning: the plan's target, its elements and the words of the edited caption. */
  checkPlan(context: ModerationContext, plan: EditPlan): Promise<void> {
    return this.#checks.checkPlan(context, plan);
  }

  /** Picture safety for an `incoming` picture or an `outgoing` edit (see `TurnChecks.checkPicture`). */
  checkPicture(context: ModerationContext, picture: Buffer, stage: PictureStage): Promise<void> {
    return this.#checks.checkPicture(context, picture, stage);
  }

  async readAudit(scopeId: string, limit: number): Promise<AuditEntry[]> {
    return this.#audit.latest(scopeId, limit);
  }

  /**
   * Writes audit entries as JSON lines (one entry per line, oldest first) to `out`, for operators
   * (`moodshift audit --scope …`). Resolves with the number of entries written; does not end `out`.
   */
  async exportAudit(options: AuditQuery, out: Writable): Promise<number> {
    let written = 0;
    for await (const entry of this.#audit.query(options)) {
      if (!out.write(JSON.stringify(entry) + '\n')) await once(out, 'drain');
      written++;
    }
    return written;
  }

  /**
   * A moderator command (`policy`, `block`, `unblock`, `maxintensity`, `words`, `ratelimit`,
   * `ban`, `unban`, `audit`, `pictures`, `picturethreshold`); returns the text to show, privately
   * where the platform allows. Throws `UserError(NotModerator)` for anyone else, and `BadCommand`
   * with the usage for a wrong command. Only the strict command parser may call this, never free
   * text (see `PolicyCommands.run`).
   */
  runCommand(context: ModerationContext, command: ModeratorCommand): Promise<string> {
    return this.#commands.run(context, command);
  }

  async close(): Promise<void> {
    await this.#policies.close();
    await this.#store.close();
    await this.#audit.close();
    await this.#rateLimiter.close();
    await this.#onClose?.();
  }
}
