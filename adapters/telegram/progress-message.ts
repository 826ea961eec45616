/**
 * @module Shows a person that an edit is under way: the `upload_photo` chat action (sent again
 * before its 5 s run out) and one status message edited with the engine's progress ("Queued: 2
 * ahead of you…", "Rendering: step 3 of 20…"), at most about once per second because Telegram
 * limits how fast a bot may write to one chat. The status message appears once work has run
 * for `delayMs` (at once by default), and is deleted once the picture has arrived.
 */
import type { Api } from 'grammy';
import { describeProgress, type Logger, type Progress, type ProgressListener } from '../../src/index.ts';

export interface ProgressMessageOptions {
  chatId: number;
  /** The person's message the status message replies to. */
  replyTo?: number;
  /** The forum topic, if any. */
  threadId?: number;
  /** Show the status message only when work is still running after this long. */
  delayMs: number;
  /** Least time between two writes of the status message. */
  editIntervalMs: number;
  /** How often the chat action is sent again while work runs. */
  chatActionIntervalMs: number;
  logger: Logger;
}

export class ProgressMessage {
  readonly #api: Api;
  readonly #options: ProgressMessageOptions;
  #wanted?: string;
  #shown?: string;
  #messageId?: number;
  #firstProgressAt?: number;
  #lastWriteAt = 0;
  #timer?: NodeJS.Timeout;
  #chatActionTimer?: NodeJS.Timeout;
  #writing?: Promise<void>;
  #finished = false;

  constructor(api: Api, options: ProgressMessageOptions) {
    this.#api = api;
    this.#options = options;
  }

  /** The listener to hand to the engine. */
  readonly onProgress: ProgressListener = (progress: Progress) => {
    if (this.#finished || progress.stage === 'done') return;
    this.#wanted = describeProgress(progress);
    this.startChatAction();
    this.#firstProgressAt ??= Date.now();
    this.#schedule();
  };

  /** Starts the `upload_photo` chat action, if not started yet. */
  startChatAction(): void {
    if (this.#chatActionTimer || this.#finished) return;
    const send = () => {
      this.#api
        .sendChatAction(this.#options.chatId, 'upload_photo', this.#threadParams())
        .catch((error: unknown) => this.#options.logger.debug({ err: error }, 'telegram: chat action failed'));
    };
    send();
    this.#chatActionTimer = setInterval(send, this.#options.chatActionIntervalMs);
  }

  /** Stops the chat action and deletes the status message, if one was shown. */
  async finish(): Promise<void> {
    this.#finished = true;
    clearTimeout(this.#timer);
    clearInterval(this.#chatActionTimer);
    await this.#writing;
    if (this.#messageId !== undefined) {
      await this.#api
        .deleteMessage(this.#options.chatId, this.#messageId)
        .catch((error: unknown) =>
          this.#options.logger.debug({ err: error }, 'telegram: could not delete the status message'),
        );
    }
  }

  #schedule(): void {
    if (this.#timer || this.#writing || this.#finished) return;
    const now = Date.now();
    const due =
      this.#messageId === undefined
        ? this.#firstProgressAt! + this.#options.delayMs
        : this.#lastWriteAt + this.#options.editIntervalMs;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#writing = this.#write().finally(() => {
          this.#writing = undefined;
          if (this.#wanted !== this.#shown) this.#schedule();
        });
      },
      Math.max(0, due - now),
    );
  }

  async #write(): Promise<void> {
    const text = this.#wanted;
    if (this.#finished || text === undefined || text === this.#shown) return;
    try {
      if (this.#messageId === undefined) {
        const sent = await this.#api.sendMessage(this.#options.chatId, text, {
          ...this.#threadParams(),
          disable_notification: true,
          ...(this.#options.replyTo !== undefined
            ? { reply_parameters: { message_id: this.#options.replyTo, allow_sending_without_reply: true } }
            : {}),
        });
        this.#messageId = sent.message_id;
      } else {
        await this.#api.editMessageText(this.#options.chatId, this.#messageId, text);
      }
      this.#shown = text;
    } catch (error) {
      // A failed status update is not worth bothering the person about; the picture still comes.
      this.#options.logger.debug({ err: error }, 'telegram: status message update failed');
      this.#shown = text;
    } finally {
      this.#lastWriteAt = Date.now();
    }
  }

  #threadParams(): { message_thread_id?: number } {
    return this.#options.threadId !== undefined ? { message_thread_id: this.#options.threadId } : {};
  }
}
