/**
 * @module The checks the Editor runs on a turn: bans and blocked words on any text; before
 * planning, rate limits, blocked feelings and elements and the intensity cap; after planning,
 * the plan's target, elements and edited caption; picture safety on the way in and out. Each
 * refusal throws a `UserError` after it is written to the audit log.
 */
import type { Element } from '../emotions.ts';
import { ErrorCode, UserError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { AUDIT_DETAIL, MODERATION_ELEMENT_WORDS } from '../messages.ts';
import type { EditPlan } from '../planner/planner.ts';
import type { PictureSafety } from '../safety/picture-safety.ts';
import type { EditRequestCheck, ModerationContext, PictureRefusal, PictureStage } from './moderation.ts';
import type { PolicyCache, TurnScopes } from './policy-cache.ts';
import type { ResolvedPolicy } from './policy-resolution.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { AuditRecorder } from './refusals.ts';

export interface TurnChecksOptions {
  policies: PolicyCache;
  recorder: AuditRecorder;
  rateLimiter: RateLimiter;
  /** The rate limits' window in milliseconds. */
  windowMs: number;
  logger: Logger;
  pictureSafety?: PictureSafety;
  /** Called with every refused picture (metrics). */
  onPictureRefused: (refusal: PictureRefusal) => void;
}

export class TurnChecks {
  readonly #policies: PolicyCache;
  readonly #recorder: AuditRecorder;
  readonly #rateLimiter: RateLimiter;
  readonly #windowMs: number;
  readonly #logger: Logger;
  readonly #pictureSafety?: PictureSafety;
  readonly #onPictureRefused: (refusal: PictureRefusal) => void;

  constructor(options: TurnChecksOptions) {
    this.#policies = options.policies;
    this.#recorder = options.recorder;
    this.#rateLimiter = options.rateLimiter;
    this.#windowMs = options.windowMs;
    this.#logger = options.logger;
    this.#pictureSafety = options.pictureSafety;
    this.#onPictureRefused = options.onPictureRefused;
  }

  /** Bans and blocked words for text that is no edit request. */
  async checkText(context: ModerationContext, text: string): Promise<void> {
    const scopes = this.#policies.scopes(context);
    const resolved = await this.#policies.resolve(scopes);
    await this.#refuseIfBanned(context, scopes, resolved, text);
    await this.#refuseIfWordsBlocked(context, scopes, resolved, text);
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
  async checkRequest(context: ModerationContext, request: EditRequestCheck): Promise<number> {
    const scopes = this.#policies.scopes(context);
    const resolved = await this.#policies.resolve(scopes);
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
        await this.#recorder.refuse(context, scopes, new UserError(ErrorCode.RateLimited, { seconds }), {
          request: text,
          words: resolved.words,
          detail: AUDIT_DETAIL.rateLimit(verdict.key.startsWith('chat:')),
        });
      }
    }
    const emotionScope = resolved.emotionSources.get(request.target);
    if (emotionScope !== undefined) {
      await this.#recorder.refuse(
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
    return this.#recorder.refuse(
      context,
      scopes,
      new UserError(ErrorCode.IntensityCapped, { where: scopes.where(resolved.maxIntensitySource), max }),
      { request: text || 'more', words: resolved.words, detail: AUDIT_DETAIL.intensity(request.intensity, max) },
    );
  }

  /**
   * After planning: the plan's target (a planner may choose another), its elements, and the words
   * of the edited caption, since a language model may write what the person did not.
   */
  async checkPlan(context: ModerationContext, plan: EditPlan): Promise<void> {
    const scopes = this.#policies.scopes(context);
    const resolved = await this.#policies.resolve(scopes);
    const emotionScope = resolved.emotionSources.get(plan.target);
    if (emotionScope !== undefined) {
      await this.#recorder.refuse(
        context,
        scopes,
        new UserError(ErrorCode.EmotionBlocked, { emotion: plan.target, where: scopes.where(emotionScope) }),
        {
          request: plan.instruction,
          words: resolved.words,
          detail: AUDIT_DETAIL.plannerChose(plan.planner, plan.target),
        },
      );
    }
    await this.#checkElements(context, scopes, resolved, plan.elements ?? [], plan.instruction);
    const found = resolved.words.find(plan.editedCaption);
    if (found) {
      await this.#recorder.refuse(
        context,
        scopes,
        new UserError(ErrorCode.WordBlocked, { where: scopes.where(found.entry.scopeId) }),
        {
          request: resolved.words.redact(plan.editedCaption),
          detail: this.#recorder.wordDetail(found.entry, AUDIT_DETAIL.inEditedCaption(plan.planner), scopes),
        },
      );
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
    const scopes = this.#policies.scopes(context);
    const resolved = await this.#policies.resolve(scopes);
    const verdict = await this.#pictureSafety.check(picture, resolved.policy);
    if (verdict.verdict === 'allowed') return;
    const levelOf = (scopeId: string) => scopes.refs.find((ref) => ref.id === scopeId)?.level ?? 'global';
    if (verdict.verdict === 'unchecked') {
      // The reason stays in the log line, which carries no picture, name or score.
      this.#logger.warn(
        { stage, reason: verdict.reason, platform: context.platform },
        'picture safety: the classifier could not check a picture; refused (fail closed)',
      );
      this.#onPictureRefused({
        stage,
        class: 'unchecked',
        level: levelOf(resolved.pictureRuleSource),
        platform: context.platform,
      });
      await this.#recorder.refuse(context, scopes, new UserError(ErrorCode.PictureUnchecked, { stage }), {
        detail: AUDIT_DETAIL.pictureUnchecked(stage, verdict.reason === 'timeout'),
      });
    }
    if (verdict.verdict !== 'refused') return;
    const source = resolved.pictureThresholdSources.get(verdict.class) ?? 'global';
    this.#onPictureRefused({ stage, class: verdict.class, level: levelOf(source), platform: context.platform });
    await this.#recorder.refuse(
      context,
      scopes,
      new UserError(ErrorCode.PictureBlocked, { stage, where: scopes.where(source) }),
      {
        detail: AUDIT_DETAIL.pictureRefused(stage, verdict.class, scopes.where(source)),
      },
    );
  }

  async #refuseIfBanned(
    context: ModerationContext,
    scopes: TurnScopes,
    resolved: ResolvedPolicy,
    text: string,
  ): Promise<void> {
    const banScope = resolved.bannedSources.get(context.actor.id);
    if (banScope !== undefined) {
      await this.#recorder.refuse(context, scopes, new UserError(ErrorCode.Banned, { where: scopes.where(banScope) }), {
        request: text,
        words: resolved.words,
      });
    }
  }

  async #refuseIfWordsBlocked(
    context: ModerationContext,
    scopes: TurnScopes,
    resolved: ResolvedPolicy,
    text: string,
  ): Promise<void> {
    const found = resolved.words.find(text);
    if (found) {
      await this.#recorder.refuse(
        context,
        scopes,
        new UserError(ErrorCode.WordBlocked, { where: scopes.where(found.entry.scopeId) }),
        {
          request: resolved.words.redact(text),
          detail: this.#recorder.wordDetail(found.entry, AUDIT_DETAIL.inRequest, scopes),
        },
      );
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
      await this.#recorder.refuse(
        context,
        scopes,
        new UserError(ErrorCode.ElementBlocked, {
          element: MODERATION_ELEMENT_WORDS[element] ?? element,
          where: scopes.where(elementScope),
        }),
        { request, words: resolved.words },
      );
    }
  }
}
