/**
 * @module How the policies of the scopes a turn happens in combine into one effective policy,
 * remembering which scope set each rule (so a refusal can say "in this server").
 *
 * Scopes are read from the outside in: the operator's global policy, then the server or group,
 * then the channel. At each scope:
 * - `blockedEmotions`: its `unblockedEmotions` are removed from what the outer scopes block, then
 *   its own `blockedEmotions` are added. So a channel can allow again what its server blocks.
 * - `blockedElements`, `blockedWords`, `banned`: added (union); an inner scope cannot remove them.
 * - `maxIntensity`: the lowest of all scopes that set one.
 * - `perUserPerMinute`, `perChatPerMinute`: the innermost scope that sets one wins (0 = no limit).
 * - `pictureRule`, `pictureThresholds` (per class): the innermost scope that sets one wins, within
 *   what `pictureScopes` lets the inner scopes do: `all` (a Telegram group, the web chat, an
 *   age-restricted Discord channel), `tighten` (a Discord channel that is not age-restricted:
 *   inner scopes may switch the rule on and lower thresholds, never allow more), `global` (a
 *   direct message: the operator's global rule alone decides).
 * The built-in default word list, when on, belongs to the global scope.
 */
import type { Element, Emotion } from '../emotions.ts';
import { placeText } from '../messages.ts';
import type { TurnScope } from '../turn.ts';
import { defaultBlockedWords, type DefaultWordCategory } from './default-word-list.ts';
import {
  DEFAULT_POLICY,
  PICTURE_CLASSES,
  policyScopeIds,
  type PictureClass,
  type Policy,
  type PolicyOverride,
} from './policy.ts';
import { WordMatcher } from './word-matcher.ts';

export type ScopeLevel = 'global' | 'server' | 'channel';

/** One scope a turn happens in. */
export interface ScopeRef {
  id: string;
  level: ScopeLevel;
}

/** A blocked word with where it comes from. */
export interface BlockedWordSource {
  word: string;
  scopeId: string;
  /** Set for words of the built-in default list. */
  category?: DefaultWordCategory;
}

export interface ResolvedPolicy {
  policy: Policy;
  /** The scopes it was resolved from, outermost first. */
  scopes: ScopeRef[];
  /** For each blocked emotion, the scope id that blocks it (the innermost one). */
  emotionSources: Map<Emotion, string>;
  elementSources: Map<Element, string>;
  bannedSources: Map<string, string>;
  /** The scope that set the lowest `maxIntensity`; undefined when none set one. */
  maxIntensitySource?: string;
  perUserSource?: string;
  perChatSource?: string;
  /** Every blocked word (default list included), compiled for matching. */
  words: WordMatcher<BlockedWordSource>;
  /** How many words the built-in default list contributes (0 when it is off). */
  defaultWordCount: number;
  /** The scope that set the picture rule in force (`global` when none did). */
  pictureRuleSource: string;
  /** For each picture threshold in force, the scope that set it (`global` for the defaults). */
  pictureThresholdSources: Map<PictureClass, string>;
  /** What the inner scopes could do to the picture rule here. */
  pictureScopes: PictureScopes;
}

/** How far server and channel picture settings count in a turn's place (see the module notes). */
export type PictureScopes = 'all' | 'tighten' | 'global';

/**
 * What a turn's place lets moderators do to the picture rule: nothing in a direct message (no
 * server or group), only tighten it in a Discord channel that is not age-restricted, anything
 * elsewhere.
 */
export function pictureScopesFor(platform: string, scope: TurnScope | undefined): PictureScopes {
  if (!scope?.server) return 'global';
  if (platform === 'discord' && !scope.ageRestricted) return 'tighten';
  return 'all';
}

/**
 * The scope a turn's policy is read in. A turn with neither server nor channel (a private chat
 * on a platform that sets no scope, the web chat) is treated as the channel `chat`, so that its
 * moderators have a scope of their own.
 */
export function turnScope(scope: TurnScope | undefined, chat: string): TurnScope {
  if (scope?.server || scope?.channel) return scope;
  return { channel: chat };
}

/** The scopes a turn happens in, outermost first: global, then server, then channel. */
export function scopeRefs(platform: string, scope: TurnScope): ScopeRef[] {
  const ids = policyScopeIds(platform, scope);
  const levels: ScopeLevel[] = ['global'];
  if (scope.server) levels.push('server');
  if (scope.channel) levels.push('channel');
  return ids.map((id, index) => ({ id, level: levels[index]! }));
}

/**
 * The words a person reads for a scope: "this server" (Discord) or "this group" (Telegram) for a
 * server ("this chat" in the web chat, whose one scope is a server); "this channel" for a
 * channel of a server, "this chat" for a chat of its own; "this chat" for the operator's global
 * policy too, since it applies wherever the person is.
 */
export function describeWhere(platform: string, level: ScopeLevel, scope: TurnScope): string {
  return placeText(platform, level, Boolean(scope.server));
}

const uniqueSorted = <T extends string>(values: Iterable<T>): T[] => [...new Set(values)].sort();

/** Combines the overrides of `scopes` (outermost first; `undefined` where a scope sets nothing). */
export function resolvePolicy(
  scopes: ScopeRef[],
  overrides: Array<PolicyOverride | undefined>,
  options: { defaultWordList: boolean; pictureScopes?: PictureScopes },
): ResolvedPolicy {
  const pictureScopes = options.pictureScopes ?? 'all';
  let pictureRule = DEFAULT_POLICY.pictureRule;
  let pictureRuleSource = 'global';
  const pictureThresholds = { ...DEFAULT_POLICY.pictureThresholds };
  const pictureThresholdSources = new Map<PictureClass, string>(
    (Object.keys(pictureThresholds) as PictureClass[]).map((name) => [name, 'global']),
  );
  const emotionSources = new Map<Emotion, string>();
  const elementSources = new Map<Element, string>();
  const bannedSources = new Map<string, string>();
  const wordSources: BlockedWordSource[] = [];
  let maxIntensity = DEFAULT_POLICY.maxIntensity;
  let maxIntensitySource: string | undefined;
  let perUserPerMinute = DEFAULT_POLICY.perUserPerMinute;
  let perChatPerMinute = DEFAULT_POLICY.perChatPerMinute;
  let perUserSource: string | undefined;
  let perChatSource: string | undefined;
  let defaultWordCount = 0;

  scopes.forEach((scope, index) => {
    if (scope.level === 'global' && options.defaultWordList) {
      for (const { word, category } of defaultBlockedWords()) {
        wordSources.push({ word, scopeId: scope.id, category });
        defaultWordCount++;
      }
    }
    const override = overrides[index];
    if (!override) return;
    for (const emotion of override.unblockedEmotions ?? []) emotionSources.delete(emotion);
    for (const emotion of override.blockedEmotions ?? []) emotionSources.set(emotion, scope.id);
    for (const element of override.blockedElements ?? []) elementSources.set(element, scope.id);
    for (const person of override.banned ?? []) bannedSources.set(person, scope.id);
    for (const word of override.blockedWords ?? []) wordSources.push({ word, scopeId: scope.id });
    if (override.maxIntensity !== undefined && override.maxIntensity <= maxIntensity) {
      maxIntensity = override.maxIntensity;
      maxIntensitySource = scope.id;
    }
    if (override.perUserPerMinute !== undefined) {
      perUserPerMinute = override.perUserPerMinute;
      perUserSource = scope.id;
    }
    if (override.perChatPerMinute !== undefined) {
      perChatPerMinute = override.perChatPerMinute;
      perChatSource = scope.id;
    }
    const inner = scope.level !== 'global';
    if (inner && pictureScopes === 'global') return;
    const tightenOnly = inner && pictureScopes === 'tighten';
    if (override.pictureRule !== undefined && !(tightenOnly && override.pictureRule === 'allow')) {
      pictureRule = override.pictureRule;
      pictureRuleSource = scope.id;
    }
    for (const name of PICTURE_CLASSES) {
      const value = override.pictureThresholds?.[name];
      if (value === undefined) continue;
      if (tightenOnly && value >= (pictureThresholds[name] ?? 1)) continue;
      pictureThresholds[name] = value;
      pictureThresholdSources.set(name, scope.id);
    }
  });

  // Inner scopes first, so that a word both the server and the channel block reads "this channel".
  const words = new WordMatcher([...wordSources].reverse().map((source) => ({ word: source.word, entry: source })));
  return {
    policy: {
      blockedEmotions: uniqueSorted(emotionSources.keys()),
      blockedElements: uniqueSorted(elementSources.keys()),
      maxIntensity,
      blockedWords: uniqueSorted(wordSources.filter((source) => !source.category).map((source) => source.word)),
      perUserPerMinute,
      perChatPerMinute,
      banned: uniqueSorted(bannedSources.keys()),
      pictureRule,
      pictureThresholds,
    },
    scopes,
    emotionSources,
    elementSources,
    bannedSources,
    maxIntensitySource,
    perUserSource,
    perChatSource,
    words,
    defaultWordCount,
    pictureRuleSource,
    pictureThresholdSources,
    pictureScopes,
  };
}
