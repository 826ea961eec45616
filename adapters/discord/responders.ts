/**
 * @module How one turn's answer reaches Discord: progress edits while the edit runs, then
 * the replies, each resolving the message that shows its edit (which the Editor links to it,
 * so that replies and buttons find it again).
 *
 * A `Surface` is where the answer goes: the deferred reply of a slash command, follow-ups of
 * a button press, the bot's reply to a message, or (once an interaction token is too old, or
 * Discord says it is no longer valid) plain messages in the channel. `TurnResponder` drives a
 * surface: it throttles progress edits, never lets a late progress edit overwrite the final
 * reply, switches to the channel when the token expires, and sends the apology when
 * something breaks.
 */
import {
  DiscordAPIError,
  HTTPError,
  MessageFlags,
  type ChatInputCommandInteraction,
  type Client,
  type Message,
  type MessageComponentInteraction,
  type User,
} from 'discord.js';
import { APOLOGY, describeProgress, type Logger, type Progress, type Reply } from '../../src/index.ts';
import { replyMessage, textMessage, truncate, type DiscordMessageData } from './reply-payload.ts';

/** Where one turn's messages go. */
export interface Surface {
  /** Shows `data` in the turn's status message (the deferred reply, or a message made for this turn), creating it if needed. */
  showStatus(data: DiscordMessageData): Promise<Message>;
  /** Posts one more message. */
  post(data: DiscordMessageData): Promise<Message>;
  /** Shows `data` to the person only (ephemeral, else a DM). Resolves undefined when that is impossible. */
  postPrivately(data: DiscordMessageData): Promise<Message | undefined>;
}

/** Discord error codes that mean an interaction token can no longer be used. */
const EXPIRED_TOKEN_CODES = new Set([
  10015 /* unknown webhook */, 10062 /* unknown interaction */, 50027 /* invalid webhook token */,
]);

export function isExpiredToken(error: unknown): boolean {
  return error instanceof DiscordAPIError && typeof error.code === 'number' && EXPIRED_TOKEN_CODES.has(error.code);
}

/** Whether Discord refused an upload as too large (413, code 40005), whatever the body said. */
export function isUploadTooLarge(error: unknown): boolean {
  return (
    (error instanceof DiscordAPIError || error instanceof HTTPError) &&
    (error.status === 413 || (error instanceof DiscordAPIError && error.code === 40005))
  );
}

/** How many times a refused upload is re-encoded smaller before giving up. */
const UPLOAD_RETRIES = 3;

/** The deferred reply of a slash command, and its follow-ups. */
export function slashCommandSurface(interaction: ChatInputCommandInteraction, ephemeral: boolean): Surface {
  let originalIsPrivate = ephemeral;
  let originalGone = false;
  return {
    showStatus: async (data) => (originalGone ? interaction.followUp(data) : interaction.editReply(data)),
    post: (data) => interaction.followUp(data),
    postPrivately: async (data) => {
      if (originalIsPrivate && !originalGone) return interaction.editReply(data);
      // A public "thinking…" reply cannot turn private: remove it and answer privately.
      if (!originalGone) {
        await interaction.deleteReply().catch(() => {});
        originalGone = true;
        originalIsPrivate = false;
      }
      return interaction.followUp({ ...data, flags: MessageFlags.Ephemeral });
    },
  };
}

/**
 * A button press or menu pick, acknowledged with a deferred update (type 6): the message
 * that carried the component stays as it is, and the answer comes as a new follow-up
 * message (made at the first progress event), so every picture stays in the conversation.
 */
export function componentSurface(interaction: MessageComponentInteraction): Surface {
  let status: Message | undefined;
  return {
    showStatus: async (data) => {
      status = status ? await interaction.editReply({ ...data, message: status.id }) : await interaction.followUp(data);
      return status;
    },
    post: (data) => interaction.followUp(data),
    postPrivately: (data) => interaction.followUp({ ...data, flags: MessageFlags.Ephemeral }),
  };
}

/** A message for the bot: the answer is a reply to it, edited from progress to the result. */
export function messageSurface(message: Message): Surface {
  let status: Message | undefined;
  return {
    showStatus: async (data) => {
      status = status ? await status.edit(data) : await message.reply(data);
      return status;
    },
    post: async (data) => {
      if (!message.channel.isSendable()) throw new Error(`Channel ${message.channelId} does not take messages`);
      return message.channel.send(data);
    },
    postPrivately: (data) => sendDirect(message.author, data),
  };
}

/**
 * Plain messages in a channel, for results that arrive after the interaction token expired.
 * The first message mentions the person, so they notice it.
 */
export function channelSurface(client: Client, channelId: string, user: User): Surface {
  let status: Message | undefined;
  const mentioning = (data: DiscordMessageData): DiscordMessageData => ({
    ...data,
    content: truncate(`<@${user.id}> ${data.content}`),
    allowedMentions: { ...data.allowedMentions, users: [user.id] },
  });
  const send = async (data: DiscordMessageData): Promise<Message> => {
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error(`Channel ${channelId} does not take messages`);
    return channel.send(data);
  };
  return {
    showStatus: async (data) => {
      status = status ? await status.edit(mentioning(data)) : await send(mentioning(data));
      return status;
    },
    post: (data) => send(data),
    postPrivately: (data) => sendDirect(user, data),
  };
}

async function sendDirect(user: User, data: DiscordMessageData): Promise<Message | undefined> {
  try {
    return await user.send(data);
  } catch {
    return undefined;
  }
}

export interface TurnResponderOptions {
  surface: Surface;
  /** The surface to use once the first one's interaction token is too old or refused. */
  fallback?: () => Surface;
  /** Epoch ms after which the first surface is not tried any more. @defaultValue never */
  deadline?: number;
  /** At most one progress edit per this many ms. */
  progressIntervalMs: number;
  /** Largest upload, in bytes. */
  uploadLimitBytes: number;
  logger: Logger;
}

export class TurnResponder {
  readonly #options: TurnResponderOptions;
  #surface: Surface;
  #switched = false;
  #pending?: string;
  #lastSentAt = 0;
  #inFlight: Promise<void> = Promise.resolve();
  #sending = false;
  #timer?: NodeJS.Timeout;
  #closed = false;
  /** Whether a reply went into the status message already (the rest are new messages). */
  #statusUsed = false;

  constructor(options: TurnResponderOptions) {
    this.#options = options;
    this.#surface = options.surface;
  }

  /** Whether answers now go to the channel instead of the interaction. */
  get usedFallback(): boolean {
    return this.#switched;
  }

  /** A progress event from the engine: shown at once, then at most once per interval; the latest wins. */
  progress = (progress: Progress): void => {
    if (this.#closed || progress.stage === 'done') return;
    this.#pending = describeProgress(progress);
    this.#schedule();
  };

  #schedule(): void {
    if (this.#timer || this.#sending || this.#pending === undefined) return;
    const wait = this.#lastSentAt + this.#options.progressIntervalMs - Date.now();
    if (wait <= 0) this.#flush();
    else this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#timer = undefined;
    const text = this.#pending;
    this.#pending = undefined;
    if (this.#closed || text === undefined) return;
    this.#sending = true;
    this.#lastSentAt = Date.now();
    this.#inFlight = this.#run((surface) => surface.showStatus(textMessage(text)))
      .then(() => undefined)
      .catch((error: unknown) => this.#options.logger.warn({ err: error }, 'discord: progress edit failed'))
      .finally(() => {
        this.#sending = false;
        this.#schedule();
      });
  }

  /** Stops progress edits and waits for one in flight, so it cannot overwrite what follows. */
  async #stopProgress(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** Runs a send on the current surface; an expired token moves everything to the fallback once. */
  async #run<T>(send: (surface: Surface) => Promise<T>): Promise<T> {
    const { fallback, deadline } = this.#options;
    if (fallback && !this.#switched && deadline !== undefined && Date.now() > deadline)
      this.#switchToFallback('deadline');
    try {
      return await send(this.#surface);
    } catch (error) {
      if (!fallback || this.#switched || !isExpiredToken(error)) throw error;
      this.#switchToFallback('refused');
      return send(this.#surface);
    }
  }

  #switchToFallback(why: 'deadline' | 'refused'): void {
    this.#options.logger.info({ why }, 'discord: interaction token expired, answering in the channel');
    this.#surface = this.#options.fallback!();
    this.#switched = true;
  }

  /**
   * Sends one of the engine's replies (`TurnIO.send`): the first into the status message, the
   * rest as new messages; resolves the id of the message that shows the reply's edit. Progress
   * edits stop first. An upload Discord refuses as too large (the limit of a message in a server
   * is not known in advance) is re-encoded at half the size and sent again, a few times.
   */
  send = async (reply: Reply): Promise<string | undefined> => {
    await this.#stopProgress();
    let limit = this.#options.uploadLimitBytes;
    let message: Message | undefined;
    for (let attempt = 0; ; attempt += 1) {
      const data = await replyMessage(reply, limit);
      try {
        message = await this.#sendReply(reply, data, this.#statusUsed);
        break;
      } catch (error) {
        if (!reply.image || data.files.length === 0 || attempt >= UPLOAD_RETRIES || !isUploadTooLarge(error))
          throw error;
        limit = Math.min(limit, data.files[0]!.attachment.length) / 2;
        this.#options.logger.info({ limit }, 'discord: upload refused as too large, re-encoding smaller');
      }
    }
    this.#statusUsed = true;
    return message && reply.editId ? message.id : undefined;
  };

  /** Stops progress edits once the turn is done (also when it had nothing to send). */
  async finish(): Promise<void> {
    await this.#stopProgress();
  }

  async #sendReply(reply: Reply, data: DiscordMessageData, statusUsed: boolean): Promise<Message | undefined> {
    const inPlace = (surface: Surface) => (statusUsed ? surface.post(data) : surface.showStatus(data));
    if (!reply.private) return this.#run(inPlace);
    return (await this.#run((surface) => surface.postPrivately(data))) ?? this.#run(inPlace);
  }

  /** The short apology after something broke; never throws. */
  async apologise(): Promise<void> {
    await this.#stopProgress().catch(() => {});
    await this.#run((surface) => surface.showStatus(textMessage(APOLOGY))).catch((error: unknown) =>
      this.#options.logger.warn({ err: error }, 'discord: could not even send the apology'),
    );
  }
}
