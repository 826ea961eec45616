/**
 * @module The Moderation contract the Editor calls at three points: before planning, after
 * planning, and on button presses; plus the moderator commands. Refusals throw `UserError`
 * and are written to the audit log. Free text never reaches `runCommand`: only the command
 * parser does, for a moderator.
 */
import type { Element, Emotion } from '../emotions.ts';
import type { EditPlan } from '../planner/planner.ts';
import type { Actor, TurnScope } from '../turn.ts';
import type { PictureClass, Policy } from './policy.ts';

export interface ModerationContext {
  platform: string;
  scope?: TurnScope;
  actor: Actor;
  /** The chat the turn happens in (for per-chat rate limits). */
  chat: string;
}

export interface EditRequestCheck {
  text: string;
  target: Emotion;
  elements?: Element[];
  intensity: number;
  /** False for button presses and refinements, which do not count against the rate limit. */
  startsNewEdit: boolean;
  /**
   * For a refinement (`startsNewEdit: false`): the intensity of the edit being refined. With it, a
   * More press from below the maximum, and a Less or Try-again press on an edit above a lowered
   * maximum, are capped to the maximum instead of refused. Without it, any press past the maximum
   * is refused with `IntensityCapped`.
   */
  currentIntensity?: number;
}

export interface AuditEntry {
  /** Milliseconds since the epoch. */
  at: number;
  /** The policy scope id (`global`, `telegram:-100123`, …). */
  scope: string;
  /** Who: the person refused, or the moderator who changed the policy. */
  actor: { id: string; name: string };
  kind: 'refusal' | 'policy_change';
  /** The rule (`emotion_blocked`, `word_blocked`, …) or the change (`block fear`). */
  rule: string;
  /** The request, cut to a safe length; never the harmful words themselves in refusals for words. */
  request?: string;
  /**
   * Extra facts a moderator needs, never harmful text: the scope a change applied to when it is
   * not `scope` (a channel of the server), or for a word refusal where the word was found, which
   * list it is on, and a short fingerprint of it (`sha256:…`) instead of the word.
   */
  detail?: string;
}

/** Where a picture is checked: on its way in (a person's photo) or out (an edit). */
export type PictureStage = 'incoming' | 'outgoing';

/** One refused picture, for metrics (never the picture, its name or its scores). */
export interface PictureRefusal {
  stage: PictureStage;
  /** The class past its threshold, or `unchecked` when the classifier failed or timed out (fail closed). */
  class: PictureClass | 'unchecked';
  /** The level of the scope whose picture rule refused it. */
  level: 'global' | 'server' | 'channel';
  platform: string;
}

export interface ModeratorCommand {
  name: 'policy' | 'block' | 'unblock' | 'audit' | string;
  args: string[];
  /**
   * Set by the strict command parser and by a platform's typed command (`ParsedCommand`): then
   * `args` holds one argument per item (a phrase whole, no quotes) and this says whether the change
   * is for the channel. Unset, `args` are words as typed, quoted phrases and `channel` read from them.
   */
  channelOnly?: boolean;
}

export interface Moderation {
  /** The effective policy for a scope. */
  effectivePolicy(context: ModerationContext): Promise<Policy>;
  /** Before planning: ban, rate limit, target, elements, words, intensity. Returns the allowed intensity. */
  checkRequest(context: ModerationContext, request: EditRequestCheck): Promise<number>;
  /**
   * Words that are no edit request (the normaliser found no feeling in them): bans and blocked
   * words still apply, so "make it g o r y" is refused and audited rather than asked back.
   */
  checkText?(context: ModerationContext, text: string): Promise<void>;
  /** After planning: the edited caption and the chosen elements. */
  checkPlan(context: ModerationContext, plan: EditPlan): Promise<void>;
  /**
   * Picture safety: an `incoming` picture before it is stored, an `outgoing` edit before it is
   * stored and sent. Throws `UserError(PictureBlocked)`, or `PictureUnchecked` when the rule
   * blocks and the classifier failed or ran out of time; the refusal is audited without the picture.
   */
  checkPicture?(context: ModerationContext, picture: Buffer, stage: PictureStage): Promise<void>;
  /** Called with every refused picture, where the moderation checks pictures (the `/metrics` counter). */
  onPictureRefused?: (refusal: PictureRefusal) => void;
  /** A moderator command; returns the text to show. Throws UserError(NotModerator) for others. */
  runCommand(context: ModerationContext, command: ModeratorCommand): Promise<string>;
  readAudit(scopeId: string, limit: number): Promise<AuditEntry[]>;
  close?(): Promise<void>;
}
