/**
 * @module What `/policy`, `/pictures` and `/ratelimit` show: the effective policy of a turn's
 * place with the place that sets each rule (`the bot` for the operator's), in the words of
 * `messages.ts`.
 */
import { MODERATION_TEXT as TEXT } from '../messages.ts';
import type { PictureSafety } from '../safety/picture-safety.ts';
import type { TurnScopes } from './policy-cache.ts';
import type { ResolvedPolicy } from './policy-resolution.ts';
import { PICTURE_CLASSES, type Policy } from './policy.ts';

/** The place that set a rule, as a moderator reads it. */
function sourceOf(scopes: TurnScopes): (scopeId: string | undefined) => string {
  return (scopeId) => (scopeId === 'global' || scopeId === undefined ? 'the bot' : scopes.where(scopeId));
}

/** The rate limits, counted per `windowMs`. */
export function describeRates(policy: Policy, windowMs: number): string {
  return TEXT.rates(policy.perUserPerMinute, policy.perChatPerMinute, windowMs);
}

/** The picture rule, its thresholds and the classifier (none where picture checks are off in this process). */
export function describePictures(
  resolved: ResolvedPolicy,
  scopes: TurnScopes,
  pictureSafety: PictureSafety | undefined,
): string {
  const { policy } = resolved;
  const from = sourceOf(scopes);
  return TEXT.pictures({
    rule: policy.pictureRule,
    ruleFrom: from(resolved.pictureRuleSource),
    thresholds: PICTURE_CLASSES.filter((name) => (policy.pictureThresholds[name] ?? 1) < 1).map((name) => ({
      item: name,
      value: policy.pictureThresholds[name]!,
      from: from(resolved.pictureThresholdSources.get(name)),
    })),
    model: pictureSafety?.classifier.model,
  });
}

/** Everything that applies in the turn's place, with where each rule comes from. */
export function describePolicy(
  resolved: ResolvedPolicy,
  scopes: TurnScopes,
  windowMs: number,
  pictureSafety: PictureSafety | undefined,
): string {
  const { policy } = resolved;
  const from = sourceOf(scopes);
  const withSources = <T extends string>(items: T[], sources: Map<T, string>) =>
    items.map((item) => ({ item, from: from(sources.get(item)) }));
  return TEXT.policy({
    where: scopes.where(scopes.home.id),
    emotions: withSources(policy.blockedEmotions, resolved.emotionSources),
    elements: withSources(policy.blockedElements, resolved.elementSources),
    maxIntensity: policy.maxIntensity,
    maxIntensityFrom: resolved.maxIntensitySource ? from(resolved.maxIntensitySource) : undefined,
    ownWords: policy.blockedWords.length,
    defaultWords: resolved.defaultWordCount,
    rates: describeRates(policy, windowMs),
    banned: policy.banned.length,
    pictures: describePictures(resolved, scopes, pictureSafety),
  });
}
