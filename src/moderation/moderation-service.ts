/**
 * @module The moderation engine: effective policies (cached per process, invalidated across
 * processes through the store's change notices), the checks the Editor runs before planning,
 * after planning and on button presses, the moderator commands, and the audit log.
 *
 * Free text never changes a policy. Only `runCommand` does, and the Editor calls it only for a
 * slash command parsed by the strict command parser from a person the platform says is a
 * moderator; neither the normaliser nor any language model output reaches it.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { ELEMENTS, EMOTIONS, isElement, isEmotion, type Element, type Emotion } from '../emotions.ts';
import { ErrorCode, UserError } from '../errors.ts';
import { describeIntensity, INTENSITY } from '../intent.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { EditPlan } from '../planner/planner.ts';
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
export type { PictureRefusal };
import type { PictureSafety } from '../safety/picture-safety.ts';
import { MAX_WORD_LENGTH, policyOverrideSchema } from './policy-file.ts';
import {
  describeWhere,
  pictureScopesFor,
  resolvePolicy,
  scopeRefs,
  turnScope,
  type BlockedWordSource,
  type PictureScopes,
  type ResolvedPolicy,
  type ScopeRef,
} from './policy-resolution.ts';
import type { PolicyStore } from './policy-store.ts';
import type { WordMatcher } from './word-matcher.ts';
import { PICTURE_CLASSES, type Policy, type PolicyOverride } from './policy.ts';
import type { RateLimiter } from './rate-limiter.ts';

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

const ELEMENT_WORDS: Record<Element, string> = {
  facial: 'facial expression',
  action: 'action',
  object: 'object',
  scene: 'scene',
  color: 'colour and brightness',
};

/** Other words moderators may type for an element. */
const ELEMENT_ALIASES: Record<string, Element> = {
  face: 'facial',
  faces: 'facial',
  facial: 'facial',
  expression: 'facial',
  actions: 'action',
  objects: 'object',
  scenes: 'scene',
  colour: 'color',
  colours: 'color',
  colors: 'color',
  brightness: 'color',
};

const USAGE = {
  policy: '/policy',
  block: `/block <emotion or element> … [channel]  (emotions: ${EMOTIONS.join(', ')}; elements: ${ELEMENTS.join(', ')})`,
  unblock: '/unblock <emotion or element> … [channel]',
  maxintensity: '/maxintensity <low|medium|high|max|0.1 to 1> [channel]',
  words: '/words add|remove <word or "a phrase"> … [channel], or /words list',
  ratelimit: '/ratelimit <edits per person per minute> [edits per chat per minute] [channel]  (0 = no limit)',
  ban: '/ban <user id>',
  unban: '/unban <user id>',
  audit: '/audit [how many, 1 to 50]',
  pictures: '/pictures block|allow [channel]  (block: refuse pictures the safety classifier reads past a threshold; allow: no check)',
  picturethreshold: `/picturethreshold <${PICTURE_CLASSES.join('|')}> <0.05 to 1, or off> [channel]`,
} as const;

const MAX_WORDS_PER_SCOPE = 500;
const MAX_CACHED_POLICIES = 10_000;

interface CachedPolicy {
  resolved: ResolvedPolicy;
  expires: number;
}

/** What a turn's scopes look like, worked out once per call. */
interface TurnScopes {
  refs: ScopeRef[];
  /** Where the turn's audit entries, bans and (by default) policy changes go: the server, else the chat. */
  home: ScopeRef;
  channel?: ScopeRef;
  where: (scopeId: string | undefined) => string;
  /** What moderators may do to the picture rule in this place (a DM: nothing; Discord outside age-restricted channels: tighten). */
  pictureScopes: PictureScopes;
}

function fingerprint(word: string): string {
  return 'sha256:' + createHash('sha256').update(word.normalize('NFKC').toLowerCase()).digest('hex').slice(0, 12);
}

function cut(text: string, length: number): string {
  const characters = [...text.replace(/\s+/g, ' ').trim()];
  return characters.length <= length ? characters.join('') : characters.slice(0, length - 1).join('') + '…';
}

/** Splits command arguments into words, keeping "quoted phrases" together. */
function splitArguments(args: string[]): string[] {
  const text = args.join(' ');
  const parts: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|“([^”]*)”|'([^']*)'|(\S+)/g)) {
    const part = (match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').trim();
    if (part) parts.push(part);
  }
  return parts;
}

export class ModerationService implements Moderation {
  readonly #store: PolicyStore;
  readonly #audit: AuditLog;
  readonly #rateLimiter: RateLimiter;
  readonly #global: PolicyOverride;
  readonly #defaultWordList: boolean;
  readonly #cacheTtlMs: number;
  readonly #windowMs: number;
  readonly #auditChars: number;
  readonly #maxAuditShown: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #onClose?: () => Promise<void>;
  readonly #pictureSafety?: PictureSafety;
  readonly #cache = new Map<string, CachedPolicy>();
  /** Bumped by every invalidation, so a load that started before it does not fill the cache. */
  #generation = 0;
  /** Called with every refused picture (the `/metrics` counter hooks in here). */
  onPictureRefused?: (refusal: PictureRefusal) => void;
  #listening = false;
  #unsubscribe: (() => void) | undefined;
  readonly #ready: Promise<void>;

  constructor(options: ModerationServiceOptions) {
    for (const part of ['store', 'audit', 'rateLimiter'] as const) {
      if (!options?.[part]) throw new TypeError(`ModerationService needs options.${part}; createModeration() builds all three.`);
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
    this.#global = global.data;
    this.#defaultWordList = options.defaultWordList ?? true;
    this.#cacheTtlMs = options.cacheTtlMs ?? 30_000;
    this.#windowMs = options.rateLimitWindowMs ?? 60_000;
    this.#auditChars = options.auditRequestChars ?? 120;
    this.#maxAuditShown = options.maxAuditShown ?? 50;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#onClose = options.onClose;
    this.#pictureSafety = options.pictureSafety;
    this.onPictureRefused = options.onPictureRefused;
    if (!(this.#cacheTtlMs >= 0)) throw new TypeError(`ModerationService: cacheTtlMs must be 0 or more milliseconds; got ${this.#cacheTtlMs}.`);
    if (!(this.#windowMs >= 1)) throw new TypeError(`ModerationService: rateLimitWindowMs must be at least 1 ms; got ${this.#windowMs}.`);
    if (!Number.isInteger(this.#auditChars) || this.#auditChars < 10) {
      throw new TypeError(`ModerationService: auditRequestChars must be a whole number of at least 10; got ${this.#auditChars}.`);
    }
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
        this.#logger.warn({ err: error }, 'moderation: cannot listen for policy changes; policies are re-read every second');
      });
  }

  /** Resolves once the service listens for policy changes made by other processes. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Forgets every cached policy (called when any scope's policy changes). */
  invalidate(): void {
    this.#generation++;
    this.#cache.clear();
  }

  #scopes(context: ModerationContext): TurnScopes {
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

  async #resolve(scopes: TurnScopes): Promise<ResolvedPolicy> {
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
      const ttl = this.#listening ? this.#cacheTtlMs : Math.min(this.#cacheTtlMs, 1000);
      this.#cache.set(key, { resolved, expires: now + ttl });
    }
    return resolved;
  }

  async effectivePolicy(context: ModerationContext): Promise<Policy> {
    return structuredClone((await this.#resolve(this.#scopes(context))).policy);
  }

  async #record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    try {
      await this.#audit.append({ at: this.#now(), ...entry });
    } catch (error) {
      // A refusal still stands when the audit log cannot be written; the log line keeps the trace.
      this.#logger.warn({ err: error, scope: entry.scope, rule: entry.rule }, 'moderation: cannot write the audit log');
    }
  }

  async #refuse(
    context: ModerationContext,
    scopes: TurnScopes,
    error: UserError,
    audit: { request?: string; detail?: string; words?: WordMatcher<BlockedWordSource> },
  ): Promise<never> {
    // Blocked words never reach the log in clear, whatever the refusal (a banned person's request too).
    const request = audit.request === undefined ? undefined : cut(audit.words ? audit.words.redact(audit.request) : audit.request, this.#auditChars);
    await this.#record({
      scope: scopes.home.id,
      actor: { id: context.actor.id, name: context.actor.name },
      kind: 'refusal',
      rule: error.code,
      request,
      detail: audit.detail,
    });
    throw error;
  }

  #wordDetail(found: BlockedWordSource, where: string, scopes: TurnScopes): string {
    const list = found.category ? `the default list (${found.category})` : `${scopes.where(found.scopeId)}'s list`;
    return `${where}; on ${list}; ${fingerprint(found.word)}`;
  }

  /**
   * Before planning, and on every button press or refinement. In order: ban; rate limits (only
   * when `startsNewEdit`: every new request counts, refused or not, so refusals cannot flood the
   * audit log); blocked target; blocked elements; blocked words in the text; intensity.
   * A person's edits are counted per server or group (per chat where there is none), so one
   * community's limit is not used up in another; a chat's edits are counted per chat.
   *
   * Intensity: a new edit above the maximum is capped and the capped value returned. The Editor
   * signals a button press or refinement with `startsNewEdit: false` and should pass the refined
   * edit's intensity as `currentIntensity`. Such a request above the maximum is capped when
   * `currentIntensity` is below the maximum (More reaches the cap) or when it does not go up (Less
   * or Try again on an edit made before the cap was lowered); a request that goes up from the cap
   * or beyond, or any press without `currentIntensity`, is refused with `IntensityCapped` ("that
   * is as strong as edits go here").
   */
  /** Bans and blocked words for text that is no edit request. */
  async checkText(context: ModerationContext, text: string): Promise<void> {
    const scopes = this.#scopes(context);
    const resolved = await this.#resolve(scopes);
    await this.#refuseIfBanned(context, scopes, resolved, text);
    await this.#refuseIfWordsBlocked(context, scopes, resolved, text);
  }

  async checkRequest(context: ModerationContext, request: EditRequestCheck): Promise<number> {
    const scopes = this.#scopes(context);
    const resolved = await this.#resolve(scopes);
    const { policy } = resolved;
    const text = request.text ?? '';

    await this.#refuseIfBanned(context, scopes, resolved, text);
    if (request.startsNewEdit) {
      const verdict = await this.#rateLimiter.consume(
        [
          { key: `user:${scopes.home.id}:${context.actor.id}`, limit: policy.perUserPerMinute },
          { key: `chat:${context.platform}:${context.chat}`, limit: policy.perChatPerMinute },
        ],
        this.#windowMs,
      );
      if (!verdict.allowed) {
        const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
        await this.#refuse(context, scopes, new UserError(ErrorCode.RateLimited, { seconds }), {
          request: text,
          words: resolved.words,
          detail: verdict.key.startsWith('chat:') ? 'the chat limit' : 'the per-person limit',
        });
      }
    }
    const emotionScope = resolved.emotionSources.get(request.target);
    if (emotionScope !== undefined) {
      await this.#refuse(
        context,
        scopes,
        new UserError(ErrorCode.EmotionBlocked, { emotion: request.target, where: scopes.where(emotionScope) }),
        { request: text, words: resolved.words },
      );
    }
    await this.#checkElements(context, scopes, resolved, request.elements ?? [], text);
    await this.#refuseIfWordsBlocked(context, scopes, resolved, text);

    const max = policy.maxIntensity;
    if (!(request.intensity > max)) return request.intensity;
    if (request.startsNewEdit) return max;
    const current = request.currentIntensity;
    // A More press that can still go up to the cap goes there; a Less or Try-again press on an edit
    // made before the cap was lowered comes down to the cap.
    if (current !== undefined && (current < max || request.intensity <= current)) return max;
    return this.#refuse(
      context,
      scopes,
      new UserError(ErrorCode.IntensityCapped, { where: scopes.where(resolved.maxIntensitySource), max }),
      { request: text || 'more', words: resolved.words, detail: `asked for ${request.intensity}, the maximum is ${max}` },
    );
  }

  async #refuseIfBanned(context: ModerationContext, scopes: TurnScopes, resolved: ResolvedPolicy, text: string): Promise<void> {
    const banScope = resolved.bannedSources.get(context.actor.id);
    if (banScope !== undefined) {
      await this.#refuse(context, scopes, new UserError(ErrorCode.Banned, { where: scopes.where(banScope) }), { request: text, words: resolved.words });
    }
  }

  async #refuseIfWordsBlocked(context: ModerationContext, scopes: TurnScopes, resolved: ResolvedPolicy, text: string): Promise<void> {
    const found = resolved.words.find(text);
    if (found) {
      await this.#refuse(context, scopes, new UserError(ErrorCode.WordBlocked, { where: scopes.where(found.entry.scopeId) }), {
        request: resolved.words.redact(text),
        detail: this.#wordDetail(found.entry, 'in the request', scopes),
      });
    }
  }

  async #checkElements(
    context: ModerationContext,
    scopes: TurnScopes,
    resolved: ResolvedPolicy,
    elements: Element[],
    request: string,
  ): Promise<void> {
    for (const element of elements) {
      const elementScope = resolved.elementSources.get(element);
      if (elementScope === undefined) continue;
      await this.#refuse(
        context,
        scopes,
        new UserError(ErrorCode.ElementBlocked, { element: ELEMENT_WORDS[element] ?? element, where: scopes.where(elementScope) }),
        { request, words: resolved.words },
      );
    }
  }

  /**
   * After planning: the plan's target (a planner may choose another), its elements, and the words
   * of the edited caption, since a language model may write what the person did not.
   */
  async checkPlan(context: ModerationContext, plan: EditPlan): Promise<void> {
    const scopes = this.#scopes(context);
    const resolved = await this.#resolve(scopes);
    const emotionScope = resolved.emotionSources.get(plan.target);
    if (emotionScope !== undefined) {
      await this.#refuse(
        context,
        scopes,
        new UserError(ErrorCode.EmotionBlocked, { emotion: plan.target, where: scopes.where(emotionScope) }),
        { request: plan.instruction, words: resolved.words, detail: `the ${plan.planner} planner chose ${plan.target}` },
      );
    }
    await this.#checkElements(context, scopes, resolved, plan.elements ?? [], plan.instruction);
    const found = resolved.words.find(plan.editedCaption);
    if (found) {
      await this.#refuse(context, scopes, new UserError(ErrorCode.WordBlocked, { where: scopes.where(found.entry.scopeId) }), {
        request: resolved.words.redact(plan.editedCaption),
        detail: this.#wordDetail(found.entry, `in the edited caption (${plan.planner} planner)`, scopes),
      });
    }
  }

  /**
   * Picture safety, for an `incoming` picture before it is stored and an `outgoing` edit before
   * it is stored and sent. Under `block` the classifier reads it; a class at or above its threshold
   * refuses it (`PictureBlocked`), and a classifier that fails or times out refuses it too
   * (`PictureUnchecked`, fail closed). Under `allow` nothing is read. Refusals go to the audit log
   * with the stage and the class, never the picture, its name or its scores.
   */
  async checkPicture(context: ModerationContext, picture: Buffer, stage: PictureStage): Promise<void> {
    if (!this.#pictureSafety) return;
    const scopes = this.#scopes(context);
    const resolved = await this.#resolve(scopes);
    const verdict = await this.#pictureSafety.check(picture, resolved.policy);
    if (verdict.verdict === 'allowed') return;
    const levelOf = (scopeId: string) => scopes.refs.find((ref) => ref.id === scopeId)?.level ?? 'global';
    if (verdict.verdict === 'unchecked') {
      // The reason stays in the log line, which carries no picture, name or score.
      this.#logger.warn({ stage, reason: verdict.reason, platform: context.platform }, 'picture safety: the classifier could not check a picture; refused (fail closed)');
      this.onPictureRefused?.({ stage, class: 'unchecked', level: levelOf(resolved.pictureRuleSource), platform: context.platform });
      await this.#refuse(context, scopes, new UserError(ErrorCode.PictureUnchecked, { stage }), {
        detail: `${stage} picture; the classifier ${verdict.reason === 'timeout' ? 'ran out of time' : 'failed'}`,
      });
    }
    if (verdict.verdict !== 'refused') return;
    const source = resolved.pictureThresholdSources.get(verdict.class) ?? 'global';
    this.onPictureRefused?.({ stage, class: verdict.class, level: levelOf(source), platform: context.platform });
    await this.#refuse(context, scopes, new UserError(ErrorCode.PictureBlocked, { stage, where: scopes.where(source) }), {
      detail: `${stage} picture; ${verdict.class} past ${scopes.where(source)}'s threshold`,
    });
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
   * `ban`, `unban`, `audit`); returns the text to show, privately where the platform allows.
   * Changes apply to the turn's server or group, or to the chat where there is none; the word
   * `channel` (or `--channel`) among the arguments applies them to the channel instead.
   * Throws `UserError(NotModerator)` for anyone else, and `BadCommand` with the usage for a
   * wrong command. Only the strict command parser may call this, never free text.
   */
  async runCommand(context: ModerationContext, command: ModeratorCommand): Promise<string> {
    const scopes = this.#scopes(context);
    const name = command.name.toLowerCase();
    if (!context.actor.isModerator) {
      const { words } = await this.#resolve(scopes);
      await this.#refuse(context, scopes, new UserError(ErrorCode.NotModerator), {
        request: `/${name} ${command.args.join(' ')}`.trim(),
        words,
      });
    }
    const raw = splitArguments(command.args ?? []);
    const wantsChannel = raw.some((arg) => /^(--)?channel$/i.test(arg));
    const args = raw.filter((arg) => !/^(--)?channel$/i.test(arg));
    const usage = (key: keyof typeof USAGE) => new UserError(ErrorCode.BadCommand, { usage: USAGE[key] });
    let target = scopes.home;
    if (wantsChannel) {
      if (!scopes.channel) throw new UserError(ErrorCode.BadCommand, { usage: `"channel" works only in a channel of a server; ${USAGE.block}` });
      target = scopes.channel;
    }
    const targetWhere = scopes.where(target.id);

    switch (name) {
      case 'policy':
        return this.#describePolicy(await this.#resolve(scopes), scopes);
      case 'block':
      case 'unblock': {
        if (args.length < 1 || args.length > EMOTIONS.length + ELEMENTS.length) throw usage(name);
        // Every name is checked before anything changes.
        const subjects = args.map((arg) => this.#parseSubject(arg));
        const replies: string[] = [];
        for (const subject of subjects) {
          replies.push(
            name === 'block' ? await this.#block(context, scopes, target, subject) : await this.#unblock(context, scopes, target, subject),
          );
        }
        return replies.join('\n');
      }
      case 'maxintensity': {
        if (args.length !== 1) throw usage('maxintensity');
        const word = args[0]!.toLowerCase();
        const value = word in INTENSITY ? INTENSITY[word as keyof typeof INTENSITY] : Number(word.replace(',', '.'));
        if (!Number.isFinite(value) || value <= 0 || value > 1) throw usage('maxintensity');
        const rounded = Math.round(value * 100) / 100;
        await this.#change(context, scopes, target, `maxintensity ${rounded}`, (override) => {
          if (rounded >= 1) delete override.maxIntensity;
          else override.maxIntensity = rounded;
        });
        const effective = (await this.#resolve(scopes)).policy.maxIntensity;
        return (
          `Edits in ${targetWhere} now go up to ${rounded} (${describeIntensity(rounded)}).` +
          (effective < rounded ? ` A stricter limit of ${effective} still applies from ${scopes.where((await this.#resolve(scopes)).maxIntensitySource)}.` : '')
        );
      }
      case 'words':
        return this.#words(context, scopes, target, args);
      case 'ratelimit': {
        if (args.length < 1 || args.length > 2) throw usage('ratelimit');
        const numbers = args.map((arg) => Number(arg));
        if (numbers.some((n) => !Number.isInteger(n) || n < 0 || n > 10_000)) throw usage('ratelimit');
        const [perUser, perChat] = numbers as [number, number | undefined];
        await this.#change(context, scopes, target, `ratelimit ${perUser}${perChat === undefined ? '' : ` ${perChat}`}`, (override) => {
          override.perUserPerMinute = perUser;
          if (perChat !== undefined) override.perChatPerMinute = perChat;
        });
        const policy = (await this.#resolve(scopes)).policy;
        return `Rate limits in ${targetWhere}: ${this.#describeRates(policy)}.`;
      }
      case 'ban':
      case 'unban': {
        if (args.length !== 1) throw usage(name);
        const person = args[0]!.replace(/^<@!?(\d+)>$/, '$1');
        if (!/^[\w.:@-]{1,64}$/.test(person)) throw usage(name);
        await this.#change(context, scopes, target, `${name} ${person}`, (override) => {
          const banned = new Set(override.banned ?? []);
          if (name === 'ban') banned.add(person);
          else banned.delete(person);
          override.banned = [...banned].sort();
        });
        const stillBanned = (await this.#resolve(scopes)).bannedSources.get(person);
        if (name === 'ban') return `${person} can no longer use the bot in ${targetWhere}.`;
        return stillBanned === undefined
          ? `${person} can use the bot in ${targetWhere} again.`
          : `${person} is no longer banned by ${targetWhere}, but is still banned in ${scopes.where(stillBanned)}.`;
      }
      case 'audit': {
        if (args.length > 1) throw usage('audit');
        const count = args.length ? Number(args[0]) : 10;
        if (!Number.isInteger(count) || count < 1 || count > this.#maxAuditShown) throw usage('audit');
        const entries = await this.readAudit(scopes.home.id, count);
        if (entries.length === 0) return `The audit log of ${scopes.where(scopes.home.id)} is empty.`;
        return [
          `Latest ${entries.length} audit entries for ${scopes.where(scopes.home.id)}, newest first:`,
          ...entries.map((entry) => formatAuditEntry(entry)),
        ].join('\n');
      }
      case 'pictures':
        return this.#pictures(context, scopes, target, args);
      case 'picturethreshold':
        return this.#pictureThreshold(context, scopes, target, args);
      default:
        throw new UserError(ErrorCode.BadCommand, {});
    }
  }

  #pictureLimit(scopes: TurnScopes): string | undefined {
    if (scopes.pictureScopes === 'global') return "In a direct message the bot operator's picture rule applies; moderators cannot change it here.";
    return undefined;
  }

  async #pictures(context: ModerationContext, scopes: TurnScopes, target: ScopeRef, args: string[]): Promise<string> {
    if (args.length === 0) return this.#describePictures(await this.#resolve(scopes), scopes);
    const rule = args[0]!.toLowerCase();
    if (args.length !== 1 || (rule !== 'block' && rule !== 'allow')) throw new UserError(ErrorCode.BadCommand, { usage: USAGE.pictures });
    const limit = this.#pictureLimit(scopes);
    if (limit) throw new UserError(ErrorCode.BadCommand, { usage: `${USAGE.pictures}. ${limit}` });
    await this.#change(context, scopes, target, `pictures ${rule}`, (override) => {
      override.pictureRule = rule;
    });
    const resolved = await this.#resolve(scopes);
    const where = scopes.where(target.id);
    if (resolved.policy.pictureRule === rule) {
      return rule === 'block'
        ? `Pictures in ${where} are checked now; a picture past a threshold is refused and goes to /audit.`
        : `Pictures in ${where} are no longer checked.`;
    }
    if (scopes.pictureScopes === 'tighten') {
      return `Saved for ${where}, but pictures here are still checked: on Discord a moderator may allow them only in a channel marked age-restricted.`;
    }
    return `Saved for ${where}, but ${scopes.where(resolved.pictureRuleSource)} still sets the picture rule to ${resolved.policy.pictureRule}.`;
  }

  async #pictureThreshold(context: ModerationContext, scopes: TurnScopes, target: ScopeRef, args: string[]): Promise<string> {
    const usage = new UserError(ErrorCode.BadCommand, { usage: USAGE.picturethreshold });
    if (args.length !== 2) throw usage;
    const name = PICTURE_CLASSES.find((c) => c.toLowerCase() === args[0]!.toLowerCase());
    const word = args[1]!.toLowerCase();
    const value = word === 'off' ? 1 : Number(word.replace(',', '.'));
    if (!name || !Number.isFinite(value) || value < 0.05 || value > 1) throw usage;
    const limit = this.#pictureLimit(scopes);
    if (limit) throw new UserError(ErrorCode.BadCommand, { usage: `${USAGE.picturethreshold}. ${limit}` });
    const rounded = Math.round(value * 100) / 100;
    await this.#change(context, scopes, target, `picturethreshold ${name} ${rounded >= 1 ? 'off' : rounded}`, (override) => {
      override.pictureThresholds = { ...override.pictureThresholds, [name]: rounded };
    });
    const resolved = await this.#resolve(scopes);
    const effective = resolved.policy.pictureThresholds[name] ?? 1;
    const where = scopes.where(target.id);
    const said = rounded >= 1 ? `${name} no longer refuses pictures in ${where}` : `Pictures in ${where} reading ${name} at ${rounded} or more are refused`;
    if (effective === rounded) return `${said}.`;
    return `${said}, but ${effective >= 1 ? 'the class is off' : `a threshold of ${effective}`} from ${scopes.where(resolved.pictureThresholdSources.get(name))} applies here${scopes.pictureScopes === 'tighten' ? ' (on Discord only an age-restricted channel may relax it)' : ''}.`;
  }

  #describePictures(resolved: ResolvedPolicy, scopes: TurnScopes): string {
    const { policy } = resolved;
    const from = (scopeId: string | undefined) => (scopeId === 'global' || scopeId === undefined ? 'the bot' : scopes.where(scopeId));
    const model = this.#pictureSafety ? this.#pictureSafety.classifier.model : 'none (picture checks are off in this process)';
    if (policy.pictureRule === 'allow') return `Pictures: allowed, not checked (set by ${from(resolved.pictureRuleSource)}). Classifier: ${model}.`;
    const thresholds = PICTURE_CLASSES.filter((name) => (policy.pictureThresholds[name] ?? 1) < 1)
      .map((name) => `${name} ${policy.pictureThresholds[name]} (${from(resolved.pictureThresholdSources.get(name))})`)
      .join(', ');
    return `Pictures: checked (set by ${from(resolved.pictureRuleSource)}); refused at ${thresholds || 'no class (every threshold is off)'}. Classifier: ${model}.`;
  }

  #parseSubject(word: string): { emotion: Emotion } | { element: Element } {
    const lower = word.toLowerCase();
    if (isEmotion(lower)) return { emotion: lower };
    const element = isElement(lower) ? lower : ELEMENT_ALIASES[lower];
    if (element) return { element };
    throw new UserError(ErrorCode.UnknownEmotion, { word: cut(word, 40) });
  }

  async #change(
    context: ModerationContext,
    scopes: TurnScopes,
    target: ScopeRef,
    description: string,
    change: (override: PolicyOverride) => void,
  ): Promise<void> {
    await this.#store.update(target.id, change);
    // Our own change is visible at once here; other processes hear of it from the store.
    this.invalidate();
    await this.#record({
      scope: scopes.home.id,
      actor: { id: context.actor.id, name: context.actor.name },
      kind: 'policy_change',
      rule: description,
      detail: target.id === scopes.home.id ? undefined : `applied to ${target.id}`,
    });
  }

  async #block(
    context: ModerationContext,
    scopes: TurnScopes,
    target: ScopeRef,
    subject: { emotion: Emotion } | { element: Element },
  ): Promise<string> {
    const where = scopes.where(target.id);
    if ('emotion' in subject) {
      const { emotion } = subject;
      await this.#change(context, scopes, target, `block ${emotion}`, (override) => {
        override.blockedEmotions = [...new Set([...(override.blockedEmotions ?? []), emotion])].sort();
        override.unblockedEmotions = (override.unblockedEmotions ?? []).filter((e) => e !== emotion);
        if (!override.unblockedEmotions.length) delete override.unblockedEmotions;
      });
      return `Blocked ${emotion} in ${where}. People who ask for it are told a moderator blocked it.`;
    }
    const { element } = subject;
    await this.#change(context, scopes, target, `block ${element}`, (override) => {
      override.blockedElements = [...new Set([...(override.blockedElements ?? []), element])].sort();
    });
    return `Blocked ${ELEMENT_WORDS[element]} edits in ${where}.`;
  }

  async #unblock(
    context: ModerationContext,
    scopes: TurnScopes,
    target: ScopeRef,
    subject: { emotion: Emotion } | { element: Element },
  ): Promise<string> {
    const where = scopes.where(target.id);
    const outer = scopes.refs.slice(0, scopes.refs.indexOf(target));
    const stored = await this.#store.getMany(outer.slice(1).map((ref) => ref.id));
    const outerPolicy = resolvePolicy(outer, [this.#global, ...stored], { defaultWordList: false });
    if ('emotion' in subject) {
      const { emotion } = subject;
      const blockedOutside = outerPolicy.emotionSources.has(emotion);
      await this.#change(context, scopes, target, `unblock ${emotion}`, (override) => {
        override.blockedEmotions = (override.blockedEmotions ?? []).filter((e) => e !== emotion);
        if (!override.blockedEmotions.length) delete override.blockedEmotions;
        if (blockedOutside) override.unblockedEmotions = [...new Set([...(override.unblockedEmotions ?? []), emotion])].sort();
      });
      const still = (await this.#resolve(scopes)).emotionSources.get(emotion);
      return still === undefined
        ? `${emotion} is allowed again in ${where}.`
        : `${emotion} is allowed by ${where}, but still blocked in ${scopes.where(still)} by its own setting.`;
    }
    const { element } = subject;
    await this.#change(context, scopes, target, `unblock ${element}`, (override) => {
      override.blockedElements = (override.blockedElements ?? []).filter((e) => e !== element);
      if (!override.blockedElements.length) delete override.blockedElements;
    });
    const still = (await this.#resolve(scopes)).elementSources.get(element);
    return still === undefined
      ? `${ELEMENT_WORDS[element]} edits are allowed again in ${where}.`
      : `${where} no longer blocks ${ELEMENT_WORDS[element]} edits, but ${scopes.where(still)} still does (an element blocked further out can only be unblocked there).`;
  }

  async #words(context: ModerationContext, scopes: TurnScopes, target: ScopeRef, args: string[]): Promise<string> {
    const [action, ...words] = args;
    const where = scopes.where(target.id);
    if (action?.toLowerCase() === 'list' && words.length === 0) {
      const [override] = await this.#store.getMany([target.id]);
      const own = override?.blockedWords ?? [];
      return own.length ? `Blocked words of ${where} (${own.length}): ${own.map((w) => `"${w}"`).join(', ')}` : `${where} blocks no words of its own.`;
    }
    if ((action?.toLowerCase() !== 'add' && action?.toLowerCase() !== 'remove') || words.length === 0) throw new UserError(ErrorCode.BadCommand, { usage: USAGE.words });
    const cleaned = words.map((word) => word.trim().toLowerCase().normalize('NFKC')).filter(Boolean);
    if (cleaned.some((word) => word.length > MAX_WORD_LENGTH)) {
      throw new UserError(ErrorCode.BadCommand, { usage: `${USAGE.words} (each at most ${MAX_WORD_LENGTH} characters)` });
    }
    const adding = action.toLowerCase() === 'add';
    const [current] = await this.#store.getMany([target.id]);
    const after = new Set(current?.blockedWords ?? []);
    for (const word of cleaned) {
      if (adding) after.add(word);
      else after.delete(word);
    }
    if (after.size > MAX_WORDS_PER_SCOPE) {
      throw new UserError(ErrorCode.BadCommand, { usage: `${USAGE.words} (at most ${MAX_WORDS_PER_SCOPE} words per scope)` });
    }
    let total = 0;
    await this.#change(context, scopes, target, `words ${adding ? 'add' : 'remove'} (${cleaned.length})`, (override) => {
      const set = new Set(override.blockedWords ?? []);
      for (const word of cleaned) {
        if (adding) set.add(word);
        else set.delete(word);
      }
      override.blockedWords = [...set].sort();
      if (!override.blockedWords.length) delete override.blockedWords;
      total = set.size;
    });
    const plural = (n: number) => (n === 1 ? '1 word' : `${n} words`);
    return `${adding ? 'Added' : 'Removed'} ${plural(cleaned.length)} ${adding ? 'to' : 'from'} the list of ${where}; it now holds ${plural(total)}.`;
  }

  #describeRates(policy: Policy): string {
    const person = policy.perUserPerMinute ? `${policy.perUserPerMinute} new edits per person` : 'no limit per person';
    const chat = policy.perChatPerMinute ? `${policy.perChatPerMinute} per chat` : 'no limit per chat';
    const window = this.#windowMs === 60_000 ? 'minute' : `${this.#windowMs / 1000} s`;
    return `${person} and ${chat} per ${window}`;
  }

  #describePolicy(resolved: ResolvedPolicy, scopes: TurnScopes): string {
    const { policy } = resolved;
    const from = (scopeId: string | undefined) => (scopeId === 'global' || scopeId === undefined ? 'the bot' : scopes.where(scopeId));
    const listWithSources = <T extends string>(items: T[], sources: Map<T, string>, label: (item: T) => string) =>
      items.length ? items.map((item) => `${label(item)} (${from(sources.get(item))})`).join(', ') : 'none';
    const ownWords = policy.blockedWords.length;
    const lines = [
      `Moderation policy in ${scopes.where(scopes.home.id)}:`,
      `• Blocked feelings: ${listWithSources(policy.blockedEmotions, resolved.emotionSources, (e) => e)}`,
      `• Blocked elements: ${listWithSources(policy.blockedElements, resolved.elementSources, (e) => ELEMENT_WORDS[e])}`,
      `• Strongest edit: ${policy.maxIntensity} (${describeIntensity(policy.maxIntensity)})${resolved.maxIntensitySource ? `, set by ${from(resolved.maxIntensitySource)}` : ''}`,
      `• Blocked words: ${ownWords ? `${ownWords} added by moderators or the operator` : 'none added'}; built-in list ${resolved.defaultWordCount ? `on (${resolved.defaultWordCount} terms)` : 'off'}`,
      `• Rate limits: ${this.#describeRates(policy)}`,
      `• Banned people: ${policy.banned.length}`,
      `• ${this.#describePictures(resolved, scopes)}`,
      'Change it with /block, /unblock, /maxintensity, /words, /ratelimit, /ban, /unban, /pictures, /picturethreshold; add "channel" to change only this channel. Read refusals with /audit.',
    ];
    return lines.join('\n');
  }

  async close(): Promise<void> {
    await this.#ready;
    this.#unsubscribe?.();
    this.#cache.clear();
    await this.#store.close();
    await this.#audit.close();
    await this.#rateLimiter.close();
    await this.#onClose?.();
  }
}

/** One audit entry as a line a moderator reads. */
export function formatAuditEntry(entry: AuditEntry): string {
  const when = new Date(entry.at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const what = entry.kind === 'refusal' ? `refused (${entry.rule})` : `changed: ${entry.rule}`;
  const request = entry.request ? ` · "${entry.request}"` : '';
  const detail = entry.detail ? ` · ${entry.detail}` : '';
  return `${when} · ${entry.actor.name} (${entry.actor.id}) · ${what}${request}${detail}`;
}
