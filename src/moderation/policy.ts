/**
 * @module Moderation policy: what a community allows the bot to do. Scopes resolve from the
 * operator's global default, then the server/group, then the channel; a later scope adds to
 * (never silently removes) what an earlier one blocks, except where it explicitly unblocks.
 */
import type { Element, Emotion } from '../emotions.ts';
import type { TurnScope } from '../turn.ts';

export interface Policy {
  /** Target emotions refused. @defaultValue [] */
  blockedEmotions: Emotion[];
  /** Visual elements that may not be edited (for example `facial`). @defaultValue [] */
  blockedElements: Element[];
  /** The strongest intensity allowed, in (0, 1]. @defaultValue 1 */
  maxIntensity: number;
  /** Words and phrases refused in requests and in edited captions. @defaultValue [] */
  blockedWords: string[];
  /** Edits one person may start per minute; 0 means no limit. @defaultValue 10 */
  perUserPerMinute: number;
  /** Edits one chat may start per minute; 0 means no limit. @defaultValue 60 */
  perChatPerMinute: number;
  /** People (platform user ids) who may not use the bot here. @defaultValue [] */
  banned: string[];
  /**
   * Picture safety: `block` refuses pictures the classifier reads at or above a threshold (and,
   * when it cannot read one, refuses it too); `allow` lets every picture through. @defaultValue `block`
   */
  pictureRule: PictureRule;
  /** The class scores, 0–1, at which a picture is refused under `block`; 1 switches a class off. @defaultValue Porn 0.7, Hentai 0.7, Sexy 0.9 */
  pictureThresholds: PictureThresholds;
}

export type PictureRule = 'block' | 'allow';

/** The classifier's classes a threshold may be set for (Neutral never refuses). */
export const PICTURE_CLASSES = ['Porn', 'Hentai', 'Sexy', 'Drawing'] as const;
export type PictureClass = (typeof PICTURE_CLASSES)[number];
export type PictureThresholds = Partial<Record<PictureClass, number>>;

/** The default thresholds: every shared test photo reads well under them (README, "Picture safety"). */
export const DEFAULT_PICTURE_THRESHOLDS: Readonly<PictureThresholds> = { Porn: 0.7, Hentai: 0.7, Sexy: 0.9 };

/** A change a scope makes to the policy it inherits. */
export type PolicyOverride = Partial<Policy> & {
  /** Emotions this scope allows again although an outer scope blocks them. */
  unblockedEmotions?: Emotion[];
};

export const DEFAULT_POLICY: Policy = {
  blockedEmotions: [],
  blockedElements: [],
  maxIntensity: 1,
  blockedWords: [],
  perUserPerMinute: 10,
  perChatPerMinute: 60,
  banned: [],
  pictureRule: 'block',
  pictureThresholds: { ...DEFAULT_PICTURE_THRESHOLDS },
};

/** Where a policy applies: `global`, `platform:server`, or `platform:server:channel`. */
export function policyScopeIds(platform: string, scope: TurnScope | undefined): string[] {
  const ids = ['global'];
  if (scope?.server) ids.push(`${platform}:${scope.server}`);
  if (scope?.channel) ids.push(`${platform}:${scope.server ?? ''}:${scope.channel}`);
  return ids;
}
