/**
 * @module The moderator commands: `/policy`, `/block`, `/unblock`, `/maxintensity`, `/words`,
 * `/ratelimit`, `/ban`, `/unban`, `/audit`, `/pictures`, `/picturethreshold`. Each checks its
 * arguments before anything changes, changes one scope's override in the store, writes the change
 * to the audit log, and answers with what now applies (saying so when another scope still
 * decides). The words of the answers live in `messages.ts`.
 *
 * Free text never reaches this module: only the strict command parser, for a moderator.
 */
import { commandText, splitArguments, type ModeratorCommandName } from '../commands.ts';
import { ELEMENTS, EMOTIONS, isElement, isEmotion, type Element, type Emotion } from '../emotions.ts';
import { ErrorCode, UserError } from '../errors.ts';
import { INTENSITY } from '../intent.ts';
import { AUDIT_DETAIL, formatAuditEntry, MODERATION_TEXT as TEXT, MODERATION_USAGE as USAGE } from '../messages.ts';
import type { PictureSafety } from '../safety/picture-safety.ts';
import type { AuditLog } from './audit-log.ts';
import type { ModerationContext, ModeratorCommand } from './moderation.ts';
import type { PolicyCache, TurnScopes } from './policy-cache.ts';
import { MAX_WORD_LENGTH } from './policy-file.ts';
import { describePictures, describePolicy, describeRates } from './policy-description.ts';
import type { ScopeRef } from './policy-resolution.ts';
import { PICTURE_CLASSES, type PolicyOverride } from './policy.ts';
import { cut, type AuditRecorder } from './refusals.ts';

/** Other words moderators may type for an element. */
const ELEMENT_ALIASES: Record<string, Element> = {
  ...{
    face: 'facial',
    faces: 'facial',
    facial: 'facial',
    expression: 'facial',
    actions: 'action',
    objects: 'object',
    scenes: 'scene',
  },
  ...{ colour: 'color', colours: 'color', colors: 'color', brightness: 'color' },
};

const MAX_WORDS_PER_SCOPE = 500;

type Subject = { emotion: Emotion } | { element: Element };

export interface PolicyCommandsOptions {
  policies: PolicyCache;
  recorder: AuditRecorder;
  audit: AuditLog;
  /** The rate limits' window in milliseconds (shown with the limits). */
  windowMs: number;
  /** Most entries `/audit` shows. */
  maxAuditShown: number;
  pictureSafety?: PictureSafety;
}

const badCommand = (usage: string) => new UserError(ErrorCode.BadCommand, { usage });
const roundedShare = (value: number) => Math.round(value * 100) / 100;

export class PolicyCommands {
  readonly #policies: PolicyCache;
  readonly #recorder: AuditRecorder;
  readonly #audit: AuditLog;
  readonly #windowMs: number;
  readonly #maxAuditShown: number;
  readonly #pictureSafety?: PictureSafety;

  constructor(options: PolicyCommandsOptions) {
    this.#policies = options.policies;
    this.#recorder = options.recorder;
    this.#audit = options.audit;
    this.#windowMs = options.windowMs;
    this.#maxAuditShown = options.maxAuditShown;
    this.#pictureSafety = options.pictureSafety;
  }

  /**
   * A moderator command; returns the text to show, privately where the platform allows.
   * Changes apply to the turn's server or group, or to the chat where there is none; the word
   * `channel` (or `--channel`) among the arguments applies them to the channel instead.
   * Throws `UserError(NotModerator)` for anyone else, and `BadCommand` with the usage for a
   * wrong command.
   */
  async run(context: ModerationContext, command: ModeratorCommand): Promise<string> {
    const scopes = this.#policies.scopes(context);
    const name = command.name.toLowerCase();
    if (!context.actor.isModerator) {
      const { words } = await this.#policies.resolve(scopes);
      await this.#recorder.refuse(context, scopes, new UserError(ErrorCode.NotModerator), {
        request:
          command.channelOnly === undefined
            ? `/${name} ${command.args.join(' ')}`.trim()
            : commandText({
                type: 'moderator',
                name: name as ModeratorCommandName,
                args: command.args,
                channelOnly: command.channelOnly,
              }),
        words,
      });
    }
    // Arguments a parser or a platform already split are taken as they are (a phrase stays whole).
    const raw = command.channelOnly === undefined ? splitArguments((command.args ?? []).join(' ')) : command.args;
    const wantsChannel = command.channelOnly ?? raw.some((arg) => /^(--)?channel$/i.test(arg));
    const args = command.channelOnly === undefined ? raw.filter((arg) => !/^(--)?channel$/i.test(arg)) : raw;
    const usage = (key: keyof typeof USAGE) => badCommand(USAGE[key]);
    let target = scopes.home;
    if (wantsChannel) {
      if (!scopes.channel) throw badCommand(TEXT.channelOutsideServer);
      target = scopes.channel;
    }
    const targetWhere = scopes.where(target.id);
    const change = (description: string, edit: (override: PolicyOverride) => void) =>
      this.#change(context, scopes, target, description, edit);

    switch (name) {
      case 'policy':
        return describePolicy(await this.#policies.resolve(scopes), scopes, this.#windowMs, this.#pictureSafety);
      case 'block':
      case 'unblock': {
        if (args.length < 1 || args.length > EMOTIONS.length + ELEMENTS.length) throw usage(name);
        // Every name is checked before anything changes.
        const subjects = args.map((arg) => parseSubject(arg));
        const replies: string[] = [];
        for (const subject of subjects) {
          replies.push(
            name === 'block'
              ? await this.#block(scopes, target, subject, change)
              : await this.#unblock(scopes, target, subject, change),
          );
        }
        return replies.join('\n');
      }
      case 'maxintensity': {
        if (args.length !== 1) throw usage('maxintensity');
        const word = args[0]!.toLowerCase();
        const value = word in INTENSITY ? INTENSITY[word as keyof typeof INTENSITY] : Number(word.replace(',', '.'));
        if (!Number.isFinite(value) || value <= 0 || value > 1) throw usage('maxintensity');
        const rounded = roundedShare(value);
        await change(`maxintensity ${rounded}`, (override) => {
          if (rounded >= 1) delete override.maxIntensity;
          else override.maxIntensity = rounded;
        });
        const resolved = await this.#policies.resolve(scopes);
        const effective = resolved.policy.maxIntensity;
        return TEXT.maxIntensity(
          targetWhere,
          rounded,
          effective < rounded ? { max: effective, from: scopes.where(resolved.maxIntensitySource) } : undefined,
        );
      }
      case 'words':
        return this.#words(scopes, target, args, change);
      case 'ratelimit': {
        if (args.length < 1 || args.length > 2) throw usage('ratelimit');
        const numbers = args.map((arg) => Number(arg));
        if (numbers.some((n) => !Number.isInteger(n) || n < 0 || n > 10_000)) throw usage('ratelimit');
        const [perUser, perChat] = numbers as [number, number | undefined];
        await change(`ratelimit ${perUser}${perChat === undefined ? '' : ` ${perChat}`}`, (override) => {
          override.perUserPerMinute = perUser;
          if (perChat !== undefined) override.perChatPerMinute = perChat;
        });
        return TEXT.rateLimits(
          targetWhere,
          describeRates((await this.#policies.resolve(scopes)).policy, this.#windowMs),
        );
      }
      case 'ban':
      case 'unban': {
        if (args.length !== 1) throw usage(name);
        const person = args[0]!.replace(/^<@!?(\d+)>$/, '$1');
        if (!/^[\w.:@-]{1,64}$/.test(person)) throw usage(name);
        await change(`${name} ${person}`, (override) => {
          const banned = new Set(override.banned ?? []);
          if (name === 'ban') banned.add(person);
          else banned.delete(person);
          override.banned = [...banned].sort();
        });
        if (name === 'ban') return TEXT.banned(person, targetWhere);
        const stillBanned = (await this.#policies.resolve(scopes)).bannedSources.get(person);
        return TEXT.unbanned(person, targetWhere, stillBanned === undefined ? undefined : scopes.where(stillBanned));
      }
      case 'audit': {
        if (args.length > 1) throw usage('audit');
        const count = args.length ? Number(args[0]) : 10;
        if (!Number.isInteger(count) || count < 1 || count > this.#maxAuditShown) throw usage('audit');
        const entries = await this.#audit.latest(scopes.home.id, count);
        const where = scopes.where(scopes.home.id);
        if (entries.length === 0) return TEXT.auditEmpty(where);
        return [TEXT.auditHeader(entries.length, where), ...entries.map((entry) => formatAuditEntry(entry))].join('\n');
      }
      case 'pictures':
        return this.#pictures(scopes, target, args, change);
      case 'picturethreshold':
        return this.#pictureThreshold(scopes, target, args, change);
      default:
        throw new UserError(ErrorCode.BadCommand, {});
    }
  }

  /** Changes the target scope's override and writes the change to the audit log. */
  async #change(
    context: ModerationContext,
    scopes: TurnScopes,
    target: ScopeRef,
    description: string,
    edit: (override: PolicyOverride) => void,
  ): Promise<void> {
    await this.#policies.update(target.id, edit);
    await this.#recorder.record({
      scope: scopes.home.id,
      actor: { id: context.actor.id, name: context.actor.name },
      kind: 'policy_change',
      rule: description,
      detail: target.id === scopes.home.id ? undefined : AUDIT_DETAIL.appliedTo(target.id),
    });
  }

  async #block(scopes: TurnScopes, target: ScopeRef, subject: Subject, change: Change): Promise<string> {
    const where = scopes.where(target.id);
    if ('emotion' in subject) {
      const { emotion } = subject;
      await change(`block ${emotion}`, (override) => {
        override.blockedEmotions = [...new Set([...(override.blockedEmotions ?? []), emotion])].sort();
        override.unblockedEmotions = (override.unblockedEmotions ?? []).filter((e) => e !== emotion);
        if (!override.unblockedEmotions.length) delete override.unblockedEmotions;
      });
      return TEXT.blockedEmotion(emotion, where);
    }
    const { element } = subject;
    await change(`block ${element}`, (override) => {
      override.blockedElements = [...new Set([...(override.blockedElements ?? []), element])].sort();
    });
    return TEXT.blockedElement(element, where);
  }

  async #unblock(scopes: TurnScopes, target: ScopeRef, subject: Subject, change: Change): Promise<string> {
    const where = scopes.where(target.id);
    const stillIn = (scopeId: string | undefined) => (scopeId === undefined ? undefined : scopes.where(scopeId));
    if ('emotion' in subject) {
      const { emotion } = subject;
      const blockedOutside = (await this.#policies.outside(scopes, target)).emotionSources.has(emotion);
      await change(`unblock ${emotion}`, (override) => {
        override.blockedEmotions = (override.blockedEmotions ?? []).filter((e) => e !== emotion);
        if (!override.blockedEmotions.length) delete override.blockedEmotions;
        if (blockedOutside)
          override.unblockedEmotions = [...new Set([...(override.unblockedEmotions ?? []), emotion])].sort();
      });
      return TEXT.unblockedEmotion(
        emotion,
        where,
        stillIn((await this.#policies.resolve(scopes)).emotionSources.get(emotion)),
      );
    }
    const { element } = subject;
    await change(`unblock ${element}`, (override) => {
      override.blockedElements = (override.blockedElements ?? []).filter((e) => e !== element);
      if (!override.blockedElements.length) delete override.blockedElements;
    });
    return TEXT.unblockedElement(
      element,
      where,
      stillIn((await this.#policies.resolve(scopes)).elementSources.get(element)),
    );
  }

  async #words(scopes: TurnScopes, target: ScopeRef, args: string[], change: Change): Promise<string> {
    const [action, ...words] = args;
    const where = scopes.where(target.id);
    if (action?.toLowerCase() === 'list' && words.length === 0)
      return TEXT.wordsList(where, (await this.#policies.stored(target.id))?.blockedWords ?? []);
    if ((action?.toLowerCase() !== 'add' && action?.toLowerCase() !== 'remove') || words.length === 0)
      throw badCommand(USAGE.words);
    const cleaned = words.map((word) => word.trim().toLowerCase().normalize('NFKC')).filter(Boolean);
    if (cleaned.some((word) => word.length > MAX_WORD_LENGTH)) throw badCommand(TEXT.wordsTooLong(MAX_WORD_LENGTH));
    const adding = action.toLowerCase() === 'add';
    const apply = (set: Set<string>) => {
      for (const word of cleaned) {
        if (adding) set.add(word);
        else set.delete(word);
      }
      return set;
    };
    if (apply(new Set((await this.#policies.stored(target.id))?.blockedWords ?? [])).size > MAX_WORDS_PER_SCOPE)
      throw badCommand(TEXT.wordsTooMany(MAX_WORDS_PER_SCOPE));
    let total = 0;
    await change(`words ${adding ? 'add' : 'remove'} (${cleaned.length})`, (override) => {
      const set = apply(new Set(override.blockedWords ?? []));
      override.blockedWords = [...set].sort();
      if (!override.blockedWords.length) delete override.blockedWords;
      total = set.size;
    });
    return TEXT.wordsChanged(adding, cleaned.length, where, total);
  }

  async #pictures(scopes: TurnScopes, target: ScopeRef, args: string[], change: Change): Promise<string> {
    if (args.length === 0) return describePictures(await this.#policies.resolve(scopes), scopes, this.#pictureSafety);
    const rule = args[0]!.toLowerCase();
    if (args.length !== 1 || (rule !== 'block' && rule !== 'allow')) throw badCommand(USAGE.pictures);
    if (scopes.pictureScopes === 'global') throw badCommand(`${USAGE.pictures}. ${TEXT.picturesFixedInDirectMessages}`);
    await change(`pictures ${rule}`, (override) => {
      override.pictureRule = rule;
    });
    const resolved = await this.#policies.resolve(scopes);
    const where = scopes.where(target.id);
    if (resolved.policy.pictureRule === rule) return TEXT.picturesSet(rule, where);
    if (scopes.pictureScopes === 'tighten') return TEXT.picturesStillCheckedOnDiscord(where);
    return TEXT.picturesRuleFromElsewhere(where, scopes.where(resolved.pictureRuleSource), resolved.policy.pictureRule);
  }

  async #pictureThreshold(scopes: TurnScopes, target: ScopeRef, args: string[], change: Change): Promise<string> {
    const usage = badCommand(USAGE.picturethreshold);
    if (args.length !== 2) throw usage;
    const name = PICTURE_CLASSES.find((c) => c.toLowerCase() === args[0]!.toLowerCase());
    const word = args[1]!.toLowerCase();
    const value = word === 'off' ? 1 : Number(word.replace(',', '.'));
    if (!name || !Number.isFinite(value) || value < 0.05 || value > 1) throw usage;
    if (scopes.pictureScopes === 'global')
      throw badCommand(`${USAGE.picturethreshold}. ${TEXT.picturesFixedInDirectMessages}`);
    const rounded = roundedShare(value);
    await change(`picturethreshold ${name} ${rounded >= 1 ? 'off' : rounded}`, (override) => {
      override.pictureThresholds = { ...override.pictureThresholds, [name]: rounded };
    });
    const resolved = await this.#policies.resolve(scopes);
    const effective = resolved.policy.pictureThresholds[name] ?? 1;
    const where = scopes.where(target.id);
    if (effective === rounded) return TEXT.pictureThreshold(name, where, rounded);
    return TEXT.pictureThreshold(name, where, rounded, {
      value: effective,
      from: scopes.where(resolved.pictureThresholdSources.get(name)),
      onlyAgeRestricted: scopes.pictureScopes === 'tighten',
    });
  }
}

type Change = (description: string, edit: (override: PolicyOverride) => void) => Promise<void>;

function parseSubject(word: string): Subject {
  const lower = word.toLowerCase();
  if (isEmotion(lower)) return { emotion: lower };
  const element = isElement(lower) ? lower : ELEMENT_ALIASES[lower];
  if (element) return { element };
  throw new UserError(ErrorCode.UnknownEmotion, { word: cut(word, 40) });
}
