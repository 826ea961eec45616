/**
 * @module The Editor: turns a `Turn` into `Reply` values with the conversation semantics of
 * DESIGN.md. It is the one engine entry point every adapter calls.
 *
 * - A photo with text starts a new edit from that photo; a photo alone is kept and the bot
 *   asks what feeling the person wants.
 * - Text alone acts on the current edit; a reply to an earlier picture acts on that edit (a branch).
 * - `more` / `less` re-render the current edit's target at another intensity from the same
 *   original; `retry` changes only the seed; undo/redo walk the tree; reset returns to the original.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { commandIntent, editIntent, parseCommand, type ParsedCommand } from './commands.ts';
import { EMOTIONS, type Emotion } from './emotions.ts';
import { ErrorCode, UnavailableError, UserError } from './errors.ts';
import {
  FILE_EXTENSIONS,
  MIME_TYPES,
  DEFAULT_IMAGE_LIMITS,
  type CheckedImage,
  type ImageLimits,
} from './image/image.ts';
import type { DecodeGate } from './image/decode-gate.ts';
import { checkDeclaredSize, checkImage } from './image/input-checks.ts';
import {
  INTENSITY,
  INTENSITY_STEP,
  canonicalInstruction,
  clampIntensity,
  describeIntensity,
  type EditIntent,
  type Intent,
  type Normaliser,
} from './intent.ts';
import { silentLogger, type Logger } from './logger.ts';
import {
  captionTitle,
  SHOWN_AGAIN,
  localizedText,
  emotionListText,
  feelingMissingText,
  helpText,
  MODERATION_NOT_SET_UP,
  notARequestText,
  ORIGINAL_PHOTO_CAPTION,
  REFINE_LIMIT,
  userMessage,
  withFaceNote,
  type HelpAudience,
} from './messages.ts';
import type { Moderation, ModerationContext } from './moderation/moderation.ts';
import type { Planner } from './planner/planner.ts';
import type { Renderer } from './renderer/renderer.ts';
import { imageContentHash } from './store/image-hash.ts';
import {
  conversationId,
  type Conversation,
  type ConversationStore,
  type EditRecord,
} from './store/conversation-store.ts';
import type {
  ConversationKey,
  ProgressListener,
  Reply,
  ReplyAction,
  ReplyEdit,
  SendReply,
  Turn,
  TurnIO,
} from './turn.ts';

export interface EditorOptions {
  store: ConversationStore;
  normaliser: Normaliser;
  planner: Planner;
  renderer: Renderer;
  /** Policy checks and moderator commands. @defaultValue none: everything allowed, moderator commands answer that moderation is off */
  moderation?: Moderation;
  /** Limits on incoming pictures. @defaultValue 20 MB, 40 megapixels */
  imageLimits?: Partial<ImageLimits>;
  /**
   * Bounds picture checks running at once (one per person, a few overall); give the same gate to a
   * `GatedRenderer` so that local renders count too. @defaultValue the process-wide `sharedDecodeGate`
   */
  decodeGate?: DecodeGate;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** Seeds for new renders. @defaultValue a random 31-bit integer */
  newSeed?: () => number;
}

/** Outcome of one turn, for the log line and metrics. */
export type TurnOutcome = 'edited' | 'restored' | 'info' | 'asked' | 'refused' | 'unavailable' | 'failed';

export interface TurnReport {
  outcome: TurnOutcome;
  intent?: Intent['kind'] | 'command';
  code?: string;
  totalMs: number;
  planMs?: number;
  renderMs?: number;
}

interface WorkingTurn {
  turn: Turn;
  onProgress: ProgressListener;
  report: TurnReport;
  /**
   * The photo of this turn, checked and stored but its root edit not yet written: a photo with a
   * feeling writes its root together with the edit (one write of the conversation), and a turn
   * that fails before that writes the root alone, so the photo is kept either way.
   */
  photo?: { root: EditRecord; image: CheckedImage; saved: boolean };
  /** The conversation as this turn loaded it (before any change). */
  conversation?: Conversation;
}

/**
 * Undo, redo or reset on `conversation` (in place): the cursor moves from the edit a reply or
 * button names (else the cursor) to its parent, the last undone edit, or its photo's root.
 */
function moveCursor(
  conversation: Conversation,
  base: EditRecord | undefined,
  how: 'undo' | 'redo' | 'reset',
): { target: EditRecord; conversation: Conversation } {
  const from = base && conversation.edits[base.id] ? base.id : conversation.cursor;
  if (how === 'redo') {
    const next = conversation.redo.pop();
    const target = next === undefined ? undefined : conversation.edits[next];
    if (!target) throw new UserError(ErrorCode.NothingToRedo);
    conversation.cursor = target.id;
    return { target, conversation };
  }
  const current = from ? conversation.edits[from] : undefined;
  if (!current) throw new UserError(how === 'undo' ? ErrorCode.NothingToUndo : ErrorCode.NoImage);
  let target: EditRecord | undefined;
  if (how === 'undo') {
    target = current.parent ? conversation.edits[current.parent] : undefined;
    if (!target) throw new UserError(ErrorCode.NothingToUndo);
  } else {
    target = current;
    while (target.parent && conversation.edits[target.parent]) target = conversation.edits[target.parent]!;
  }
  if (target.id !== current.id) conversation.redo.push(current.id);
  conversation.cursor = target.id;
  return { target, conversation };
}

/** A new photo's root edit becomes the current picture, with nothing to redo. */
function addRoot(conversation: Conversation, root: EditRecord): void {
  conversation.edits[root.id] = root;
  conversation.cursor = root.id;
  conversation.redo = [];
}

export class Editor {
  readonly #store: ConversationStore;
  readonly #normaliser: Normaliser;
  readonly #planner: Planner;
  readonly #renderer: Renderer;
  readonly #moderation?: Moderation;
  readonly #limits: ImageLimits;
  readonly #decodeGate: DecodeGate | undefined;
  readonly #logger: Logger;
  readonly #newSeed: () => number;
  /** Called after every turn with its outcome and timings (metrics hook). */
  onTurn?: (report: TurnReport, turn: Turn) => void;

  constructor(options: EditorOptions) {
    for (const part of ['store', 'normaliser', 'planner', 'renderer'] as const) {
      if (!options[part]) throw new TypeError(`Editor needs options.${part}`);
    }
    this.#store = options.store;
    this.#normaliser = options.normaliser;
    this.#planner = options.planner;
    this.#renderer = options.renderer;
    this.#moderation = options.moderation;
    this.#limits = { ...DEFAULT_IMAGE_LIMITS, ...options.imageLimits };
    this.#decodeGate = options.decodeGate;
    this.#logger = options.logger ?? silentLogger;
    this.#newSeed = options.newSeed ?? (() => randomInt(0, 2 ** 31 - 1));
  }

  /**
   * Handles one turn and returns its replies; with `io.send`, sends each reply through it, in
   * order, and links the messages it resolves to the reply's edit (so that a reply to one, or a
   * button on it, finds that edit again, also after a restart). The turn itself never throws: a
   * person's mistake becomes a short `error` reply with its code, an unavailable dependency a
   * "temporarily unavailable" reply, and a bug an apology (logged with its details). What `send`
   * throws is passed on (the replies before it are sent and linked); a link that cannot be
   * written is only logged, as the message is out.
   */
  async handle(turn: Turn, io: TurnIO = {}): Promise<Reply[]> {
    const onProgress: ProgressListener = io.progress ?? (() => {});
    const started = performance.now();
    const working: WorkingTurn = { turn, onProgress, report: { outcome: 'failed', totalMs: 0 } };
    let replies: Reply[];
    try {
      replies = await this.#dispatch(working);
    } catch (error) {
      replies = [this.#errorReply(error, working)];
    }
    working.report.totalMs = Math.round((performance.now() - started) * 100) / 100;
    if (turn.notice && replies[0]) replies[0] = { ...replies[0], text: `${turn.notice}\n${replies[0].text}` };
    this.#logger.info(
      {
        platform: turn.key.platform,
        conversation: conversationId(turn.key),
        message: turn.messageId,
        images: turn.images.length,
        textLength: turn.text.length,
        action: turn.action?.kind,
        ...working.report,
      },
      'turn',
    );
    this.onTurn?.(working.report, turn);
    if (io.send) await this.#send(turn.key, replies, io.send);
    return replies;
  }

  /** Sends the replies in order; each message that shows a reply's edit is linked to it (one write each). */
  async #send(key: ConversationKey, replies: readonly Reply[], send: SendReply): Promise<void> {
    for (const reply of replies) {
      const sent = await send(reply);
      if (!reply.editId || sent === undefined) continue;
      for (const messageId of typeof sent === 'string' ? [sent] : sent) {
        try {
          // The store adds the id to the edit's messageIds, which its message index is written from.
          await this.#store.linkMessage(key, reply.editId, messageId);
        } catch (error) {
          // The message is out; only a reply to it will not find its edit. Not worth an apology.
          this.#logger.warn({ err: error, editId: reply.editId }, 'could not link a sent message to its edit');
        }
      }
    }
  }

  async #dispatch(working: WorkingTurn): Promise<Reply[]> {
    const { turn } = working;
    // A platform's typed command (Discord's options, Telegram's command entity) is taken as it is; typed text is parsed strictly.
    const command = turn.action ? undefined : (turn.command ?? parseCommand(turn.text));
    if (command?.type === 'moderator') return [await this.#moderatorCommand(working, command)];

    const conversation = await this.#store.load(turn.key);
    working.conversation = conversation;
    const base = await this.#findBase(turn, conversation);
    const hasImage = turn.images.length > 0 || base !== undefined;
    // A new photo has no emotion edit yet: "sadder" with a photo is a new edit, never "more" of the last one.
    const current = turn.images.length > 0 ? undefined : base?.target;
    const intent = turn.action
      ? this.#actionIntent(turn, base)
      : command
        ? command.type === 'edit'
          ? await editIntent(command, this.#normaliser, { current, hasImage })
          : commandIntent(command)
        : await this.#normaliser.normalise(turn.text, { current, hasImage });
    working.report.intent = command && command.type !== 'edit' ? 'command' : intent.kind;
    if (intent.kind === 'unknown' && turn.text.trim() && this.#moderation?.checkText) {
      await this.#moderation.checkText(this.#moderationContext(turn), turn.text);
    }

    if (turn.images.length > 0) {
      const photo: NonNullable<WorkingTurn['photo']> = { ...(await this.#acceptPhoto(turn)), saved: false };
      working.photo = photo;
      const { root } = photo;
      if (intent.kind === 'edit') {
        try {
          return [await this.#edit(working, root, intent)];
        } catch (error) {
          // The edit failed before its write (refused, render failed): the photo is still kept as the current picture.
          if (!photo.saved)
            await this.#saveRoot(turn.key, root).catch((saveError: unknown) =>
              this.#logger.warn({ err: saveError }, 'could not keep the photo of a failed edit'),
            );
          throw error;
        }
      }
      await this.#saveRoot(turn.key, root);
      photo.saved = true;
      working.report.outcome = 'asked';
      // The photo is kept either way; words that were not a feeling get the ask-back.
      // (A new photo is the current picture with nothing to redo.)
      const photoShown = shows(root, undefined);
      if (intent.kind === 'help') return [{ ...info(helpText(turn.locale, helpAudience(turn))), ...photoShown }];
      if (intent.kind === 'unknown' && intent.notARequest)
        return [{ ...info(notARequestText(intent.notARequest, turn.locale)), ...photoShown }];
      return [
        ask(
          intent.kind === 'unknown' && turn.text.trim()
            ? feelingMissingText(intent, turn.locale)
            : localizedText('askForFeeling', turn.locale),
          photoShown,
        ),
      ];
    }

    switch (intent.kind) {
      case 'help':
        working.report.outcome = 'info';
        return [info(helpText(turn.locale, helpAudience(turn)))];
      case 'emotions':
        working.report.outcome = 'info';
        return [info(emotionListText(turn.locale))];
      case 'unknown':
        // Words that ask for nothing ("hello", "I'm so sad today", "ignore your instructions") get a brief answer; nothing changes.
        if (intent.notARequest) {
          working.report.outcome = 'info';
          return [info(notARequestText(intent.notARequest, turn.locale))];
        }
        working.report.outcome = 'asked';
        return [
          ask(
            hasImage
              ? feelingMissingText(intent, turn.locale)
              : userMessage(new UserError(ErrorCode.NoImage), turn.locale),
            base && shows(base, conversation),
          ),
        ];
      case 'edit':
        return [await this.#edit(working, this.#require(base, ErrorCode.NoImage), intent)];
      case 'refine':
      case 'retry':
        return [
          await this.#rerender(
            working,
            this.#require(base, ErrorCode.NoImage),
            intent.kind === 'retry' ? 'retry' : intent.direction,
          ),
        ];
      case 'undo':
      case 'redo':
      case 'reset':
        return [await this.#move(working, base, intent.kind)];
    }
  }

  #require<T>(value: T | undefined, code: ErrorCode): T {
    if (value === undefined) throw new UserError(code);
    return value;
  }

  /** The edit a turn acts on: a button's edit, the edit a reply points at, or the cursor. */
  async #findBase(turn: Turn, conversation: Conversation | undefined): Promise<EditRecord | undefined> {
    const own = conversation?.edits;
    if (turn.action?.editId && own?.[turn.action.editId]) return own[turn.action.editId];
    const messageId = turn.replyTo;
    if (messageId) {
      const mine = own && Object.values(own).find((edit) => edit.messageIds.includes(messageId));
      if (mine) return mine;
      const link = await this.#store.findMessage(turn.key.platform, turn.key.chat, messageId);
      if (link) {
        if (conversationId(link.key) === conversationId(turn.key)) {
          const edit = own?.[link.editId];
          if (edit) return edit;
        } else {
          return this.#adoptEdit(turn.key, link.key, link.editId);
        }
      }
      if (turn.action) throw new UserError(ErrorCode.EditNotFound);
    } else if (turn.action?.editId) {
      throw new UserError(ErrorCode.EditNotFound);
    }
    return conversation?.cursor ? own?.[conversation.cursor] : undefined;
  }

  /** Someone replied to another person's picture: copy that edit into their own conversation. */
  async #adoptEdit(key: ConversationKey, ownerKey: ConversationKey, editId: string): Promise<EditRecord | undefined> {
    const owner = await this.#store.load(ownerKey);
    const source = owner?.edits[editId];
    if (!source) return undefined;
    const copy: EditRecord = { ...structuredClone(source), id: newEditId(), messageIds: [], createdAt: Date.now() };
    delete copy.parent;
    await this.#store.update(key, (conversation) => {
      conversation.edits[copy.id] = copy;
    });
    return copy;
  }

  #actionIntent(turn: Turn, base: EditRecord | undefined): Intent {
    const action = turn.action!;
    switch (action.kind) {
      case 'more':
      case 'less':
        return { kind: 'refine', direction: action.kind };
      case 'undo':
        return { kind: 'undo' };
      case 'redo':
        return { kind: 'redo' };
      case 'retry':
        return { kind: 'retry' };
      case 'emotion':
        return {
          kind: 'edit',
          target: action.emotion,
          intensity: base?.intensity ?? INTENSITY.medium,
          instruction: canonicalInstruction(action.emotion),
        };
    }
  }

  /** Checks and stores the photo of `turn`; its root edit (which shows it in `turn.messageId`) is written by the caller. */
  async #acceptPhoto(turn: Turn): Promise<{ root: EditRecord; image: CheckedImage }> {
    const attachment = turn.images[0]!;
    checkDeclaredSize(attachment.declaredBytes, this.#limits);
    const bytes = await attachment.fetch(this.#limits.maxBytes);
    const image = await checkImage(bytes, {
      limits: this.#limits,
      owner: `${turn.key.platform}:${turn.actor.id}`,
      ...(this.#decodeGate ? { gate: this.#decodeGate } : {}),
    });
    // Picture safety before anything is stored: a refused photo is never kept nor rendered.
    await this.#moderation?.checkPicture?.(this.#moderationContext(turn), image.bytes, 'incoming');
    const hash = await this.#store.pictures.put(image);
    const root: EditRecord = {
      id: newEditId(),
      originalHash: hash,
      imageHash: hash,
      messageIds: [turn.messageId],
      createdAt: Date.now(),
    };
    return { root, image };
  }

  /** Writes a new photo's root edit as the current picture (its message id, and so its link, with it). */
  async #saveRoot(key: ConversationKey, root: EditRecord): Promise<void> {
    await this.#store.update(key, (conversation) => addRoot(conversation, root));
  }

  #moderationContext(turn: Turn): ModerationContext {
    return { platform: turn.key.platform, scope: turn.scope, actor: turn.actor, chat: turn.key.chat };
  }

  async #loadImage(hash: string): Promise<CheckedImage> {
    const image = await this.#store.pictures.get(hash);
    // The conversation still lists the edit, but its picture was evicted or outlived its time to live.
    if (!image) throw new UserError(ErrorCode.PictureExpired);
    return image;
  }

  /**
   * Runs `work` on the original photo `hash`, held in the store until `work` is done, so that the
   * picture budget cannot drop it mid-render when no current edit pins it (a branch from an older
   * photo's edit) before the new edit that renders from it is saved.
   */
  async #withOriginal<T>(
    hash: string,
    work: (original: CheckedImage) => Promise<T>,
    inHand?: CheckedImage,
  ): Promise<T> {
    const release = await this.#store.pictures.hold([hash], PICTURE_HOLD_SECONDS);
    try {
      // The photo this turn brought is in hand already: it is not read back from the store.
      return await work(inHand ?? (await this.#loadImage(hash)));
    } finally {
      await release().catch((error: unknown) =>
        this.#logger.warn({ err: error }, 'could not release a picture hold; it ends with its lease'),
      );
    }
  }

  /** A new emotion edit, rendered from the base's original photo. */
  async #edit(working: WorkingTurn, base: EditRecord, intent: EditIntent): Promise<Reply> {
    const { turn } = working;
    let intensity = clampIntensity(intent.intensity);
    if (this.#moderation) {
      intensity = await this.#moderation.checkRequest(this.#moderationContext(turn), {
        text: turn.text,
        target: intent.target,
        elements: intent.elements,
        intensity,
        // Typed requests and emotion chips start new edits (and count against rate limits).
        startsNewEdit: !turn.action || turn.action.kind === 'emotion',
      });
    }
    return this.#withOriginal(
      base.originalHash,
      async (original) => {
        working.onProgress({ stage: 'planning' });
        const planStarted = performance.now();
        const plan = await this.#planner.plan({
          image: original,
          target: intent.target,
          source: intent.source,
          elements: intent.elements ?? (this.#renderer.elements ? [...this.#renderer.elements] : undefined),
          intensity,
        });
        working.report.planMs = ms(planStarted);
        if (this.#moderation) await this.#moderation.checkPlan(this.#moderationContext(turn), plan);
        const edit: EditRecord = {
          id: newEditId(),
          parent: base.id,
          originalHash: base.originalHash,
          imageHash: '',
          target: plan.target,
          source: plan.source,
          intensity,
          elements: plan.elements,
          instruction: plan.instruction,
          plan,
          seed: this.#newSeed(),
          messageIds: [],
          createdAt: Date.now(),
        };
        return this.#renderAndSave(working, edit, original, 'edited');
      },
      working.photo?.root.originalHash === base.originalHash ? working.photo.image : undefined,
    );
  }

  /** More, less or retry: the same target re-rendered from the same original. */
  async #rerender(working: WorkingTurn, base: EditRecord, how: 'more' | 'less' | 'retry'): Promise<Reply> {
    const { turn } = working;
    if (!base.target || !base.plan || base.intensity === undefined) throw new UserError(ErrorCode.NothingToRefine);
    let intensity = base.intensity;
    if (how === 'more') intensity = clampIntensity(base.intensity + INTENSITY_STEP);
    if (how === 'less') intensity = clampIntensity(base.intensity - INTENSITY_STEP);
    if (how !== 'retry' && intensity === base.intensity) {
      working.report.outcome = 'info';
      return {
        ...this.#editReply(base, await this.#loadImage(base.imageHash), await this.#store.load(turn.key)),
        kind: 'info',
        text: REFINE_LIMIT[how],
        image: undefined,
      };
    }
    if (this.#moderation) {
      const allowed = await this.#moderation.checkRequest(this.#moderationContext(turn), {
        text: turn.text,
        target: base.target,
        elements: base.elements,
        intensity,
        currentIntensity: base.intensity,
        startsNewEdit: false,
      });
      if (how === 'more' && allowed <= base.intensity) throw new UserError(ErrorCode.IntensityCapped);
      intensity = allowed;
    }
    const edit: EditRecord = {
      ...structuredClone(base),
      id: newEditId(),
      parent: base.id,
      imageHash: '',
      intensity,
      seed: how === 'retry' ? this.#newSeed() : base.seed,
      messageIds: [],
      createdAt: Date.now(),
    };
    return this.#withOriginal(base.originalHash, (original) => this.#renderAndSave(working, edit, original, 'edited'));
  }

  async #renderAndSave(
    working: WorkingTurn,
    edit: EditRecord,
    original: CheckedImage,
    outcome: TurnOutcome,
  ): Promise<Reply> {
    const renderStarted = performance.now();
    const result = await this.#renderer.render({
      image: original,
      plan: edit.plan!,
      intensity: edit.intensity!,
      seed: edit.seed!,
      onProgress: working.onProgress,
      imageHash: edit.originalHash,
      jobKey: `${conversationId(working.turn.key)}:${edit.id}`,
      owner: `${working.turn.key.platform}:${working.turn.key.user}`,
    });
    working.report.renderMs = ms(renderStarted);
    // The caption names what the picture shows: where the faces could not carry the feeling, it
    // says that light, colour and scene do (and drops a note an earlier render of this plan left).
    if (edit.plan?.editedCaption)
      edit.plan = { ...edit.plan, editedCaption: withFaceNote(edit.plan.editedCaption, result.faceNote) };
    // Picture safety before the edit is stored or sent: a refused edit never becomes the current picture.
    await this.#moderation?.checkPicture?.(this.#moderationContext(working.turn), result.bytes, 'outgoing');
    // The new picture is held too, until the edit that shows it (and pins it) is saved.
    const releaseResult = await this.#store.pictures.hold([imageContentHash(result.bytes)], PICTURE_HOLD_SECONDS);
    let conversation: Conversation;
    try {
      edit.imageHash = await this.#store.pictures.put(result);
      const photo = working.photo && !working.photo.saved ? working.photo : undefined;
      conversation = await this.#store.update(working.turn.key, (c) => {
        if (photo) addRoot(c, photo.root);
        c.edits[edit.id] = edit;
        c.cursor = edit.id;
        c.redo = [];
        return c;
      });
      if (photo) photo.saved = true;
    } finally {
      await releaseResult().catch((error: unknown) =>
        this.#logger.warn({ err: error }, 'could not release a picture hold; it ends with its lease'),
      );
    }
    working.onProgress({ stage: 'done' });
    working.report.outcome = outcome;
    return this.#editReply(edit, result, conversation);
  }

  async #move(working: WorkingTurn, base: EditRecord | undefined, how: 'undo' | 'redo' | 'reset'): Promise<Reply> {
    const { turn } = working;
    // A picture shown again passes today's picture rule first (a moderator may have tightened it
    // since it was made): worked out on the conversation as loaded, before the cursor moves.
    let checked: { hash: string; image: CheckedImage } | undefined;
    if (this.#moderation?.checkPicture) {
      const loaded: Conversation = working.conversation ?? { key: turn.key, edits: {}, redo: [], updatedAt: 0 };
      // (A base adopted from someone else's picture this turn is not in the conversation as loaded.)
      const edits = base && !loaded.edits[base.id] ? { ...loaded.edits, [base.id]: base } : loaded.edits;
      const ahead = moveCursor({ ...loaded, edits, redo: [...loaded.redo] }, base, how);
      checked = { hash: ahead.target.imageHash, image: await this.#loadImage(ahead.target.imageHash) };
      await this.#moderation.checkPicture(this.#moderationContext(turn), checked.image.bytes, 'outgoing');
    }
    const moved = await this.#store.update(turn.key, (conversation) => moveCursor(conversation, base, how));
    working.report.outcome = 'restored';
    const image =
      checked?.hash === moved.target.imageHash ? checked.image : await this.#loadImage(moved.target.imageHash);
    const reply = this.#editReply(moved.target, image, moved.conversation);
    // A picture shown again is said to be one, so that it is not taken for a new edit.
    return how === 'reset' ? reply : { ...reply, text: `${SHOWN_AGAIN[how]}\n${reply.text}` };
  }

  #editReply(edit: EditRecord, image: CheckedImage, conversation: Conversation | undefined): Reply {
    const actions: ReplyAction[] = [];
    const isEdit = edit.target !== undefined && edit.intensity !== undefined;
    if (isEdit && edit.intensity! < 1) actions.push('more');
    if (isEdit && edit.intensity! > 0.1) actions.push('less');
    if (edit.parent) actions.push('undo');
    if (conversation && conversation.redo.length > 0) actions.push('redo');
    if (isEdit) actions.push('retry');
    const caption = isEdit
      ? `${captionTitle(edit.source, edit.target!)} · ${describeIntensity(edit.intensity!)}` +
        (edit.plan?.editedCaption ? `\n${edit.plan.editedCaption}` : '')
      : ORIGINAL_PHOTO_CAPTION;
    return {
      kind: 'edit',
      text: caption,
      image: {
        bytes: image.bytes,
        type: MIME_TYPES[image.format],
        width: image.width,
        height: image.height,
        name: `moodshift-${edit.target ?? 'original'}.${FILE_EXTENSIONS[image.format]}`,
      },
      actions,
      emotions: EMOTIONS.filter((e: Emotion) => e !== edit.target),
      ...shows(edit, conversation),
    };
  }

  async #moderatorCommand(
    working: WorkingTurn,
    command: Extract<ParsedCommand, { type: 'moderator' }>,
  ): Promise<Reply> {
    working.report.intent = 'command';
    if (!this.#moderation) {
      working.report.outcome = 'info';
      return { ...info(MODERATION_NOT_SET_UP), private: true };
    }
    const text = await this.#moderation.runCommand(this.#moderationContext(working.turn), {
      name: command.name,
      args: command.args,
      channelOnly: command.channelOnly,
    });
    working.report.outcome = 'info';
    return { ...info(text), private: true };
  }

  #errorReply(error: unknown, working: WorkingTurn): Reply {
    if (error instanceof UserError) {
      working.report.outcome = 'refused';
      working.report.code = error.code;
      const canRetry = error.code === ErrorCode.RenderTimeout;
      return {
        kind: 'error',
        text: userMessage(error, working.turn.locale),
        actions: canRetry ? ['retry'] : [],
        emotions: [],
        code: error.code,
      };
    }
    if (error instanceof UnavailableError) {
      working.report.outcome = 'unavailable';
      working.report.code = ErrorCode.TemporarilyUnavailable;
      this.#logger.warn({ dependency: error.dependency, err: error }, 'dependency unavailable');
      return {
        kind: 'error',
        text: userMessage(new UserError(ErrorCode.TemporarilyUnavailable), working.turn.locale),
        actions: [],
        emotions: [],
        code: ErrorCode.TemporarilyUnavailable,
      };
    }
    working.report.outcome = 'failed';
    this.#logger.error({ err: error }, 'turn failed');
    return {
      kind: 'error',
      text: localizedText('apology', working.turn.locale),
      actions: [],
      emotions: [],
      code: 'internal',
    };
  }
}

/** The help lists the commands of the person's platform, the moderator ones only to a moderator. */
function helpAudience(turn: Turn): HelpAudience {
  return { platform: turn.key.platform, moderator: turn.actor.isModerator };
}

function info(text: string): Reply {
  return { kind: 'info', text, actions: [], emotions: [] };
}

function ask(text: string, shown?: Pick<Reply, 'editId' | 'edit'>): Reply {
  return {
    kind: 'ask',
    text,
    actions: [],
    emotions: [...EMOTIONS],
    editId: shown?.editId,
    ...(shown?.edit ? { edit: shown.edit } : {}),
  };
}

/**
 * The `editId` and `edit` of a reply that shows `edit`: what it is and where it sits in
 * `conversation` (as it is after the turn; undefined for a new photo's root, alone in its branch).
 */
function shows(edit: EditRecord, conversation: Conversation | undefined): { editId: string; edit: ReplyEdit } {
  const edits = conversation?.edits ?? {};
  let root = edit;
  let depth = 0;
  const seen = new Set([edit.id]);
  while (root.parent && edits[root.parent] && !seen.has(root.parent)) {
    root = edits[root.parent]!;
    seen.add(root.id);
    depth += 1;
  }
  const place: ReplyEdit = {
    id: edit.id,
    rootId: root.id,
    depth,
    canUndo: edit.parent !== undefined,
    canRedo: (conversation?.redo.length ?? 0) > 0,
  };
  if (edit.target !== undefined) place.target = edit.target;
  if (edit.source !== undefined) place.source = edit.source;
  if (edit.intensity !== undefined) place.intensity = edit.intensity;
  if (edit.parent !== undefined) place.parentId = edit.parent;
  return { editId: edit.id, edit: place };
}

/**
 * Longest a picture stays held for one turn's render if its release never comes (the process
 * died): longer than any render's time limit, short enough not to crowd the budget for long.
 */
const PICTURE_HOLD_SECONDS = 15 * 60;

function ms(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}

/** Edit ids are random and unguessable (they appear in buttons and web URLs). */
export function newEditId(): string {
  return randomBytes(9).toString('base64url');
}
