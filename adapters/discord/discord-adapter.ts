/**
 * @module The Discord adapter on discord.js: slash commands, buttons and menus (and, with
 * the Message Content intent, messages that mention the bot or reply to it) become engine
 * turns; the engine's replies become Discord messages.
 *
 * Every interaction is acknowledged at once (Discord allows 3 s), then answered by editing
 * that acknowledgement: progress first, the picture last. REST 429s are left to discord.js's
 * own queue; gateway drops are resumed by discord.js; an error in one interaction is logged,
 * the person gets a short apology, and the bot keeps serving everyone else.
 */
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type MessageComponentInteraction,
} from 'discord.js';
import { ConfigError, type Engine, type Logger, type RunningAdapter, type Turn } from '../../src/index.ts';
import { allowedAttachmentHosts, type ResolvedDiscordOptions } from './options.ts';
import {
  TurnResponder,
  channelSurface,
  componentSurface,
  messageSurface,
  slashCommandSurface,
  type Surface,
} from './responders.ts';
import { MODERATOR_COMMAND, PERSON_COMMAND, isModeratorSubcommand } from './slash-commands.ts';
import { componentTurn, isForBot, messageTurn, slashCommandTurn, type TurnContext } from './to-turn.ts';

const RESTARTING = 'The bot is restarting. Please try again in a minute.';
/** How long a failed start waits for discord.js to close its connections before giving up on them. */
const DESTROY_GRACE_MS = 2000;

/** The gateway intents the bot asks for: guilds always; messages only with the Message Content option. */
export function discordIntents(messageContent: boolean): GatewayIntentBits[] {
  return messageContent
    ? [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.DirectMessages,
        GatewayIntentBits.MessageContent,
      ]
    : [GatewayIntentBits.Guilds];
}

/** An expected start failure (refused token, missing intent, no network) as one ConfigError sentence; anything else unchanged. */
export function explainStartError(error: unknown, options: Pick<ResolvedDiscordOptions, 'apiRoot'>): unknown {
  if (error instanceof ConfigError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (
    code === 'TokenInvalid' ||
    code === 4004 ||
    /401|unauthori[sz]ed|invalid token|authentication failed/i.test(message)
  )
    return new ConfigError(
      'Discord refused the bot token: copy DISCORD_TOKEN again (Developer Portal → your application → Bot → Reset Token).',
    );
  if (code === 'DisallowedIntents' || code === 4014 || /disallowed intent/i.test(message))
    return new ConfigError(
      'Discord refused the Message Content intent (close code 4014): switch on "Message Content Intent" in the Developer Portal → your application → Bot → Privileged Gateway Intents, or unset DISCORD_MESSAGE_CONTENT.',
    );
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|fetch failed|connect/i.test(
      message + String((error as { cause?: unknown })?.cause ?? ''),
    )
  )
    return new ConfigError(
      `Could not reach Discord at ${options.apiRoot} (${message}): check the network, DNS, proxy and firewall, and DISCORD_API_ROOT (leave it unset for https://discord.com/api).`,
    );
  return error;
}

export class DiscordAdapter implements RunningAdapter {
  readonly name = 'discord';
  readonly client: Client;
  readonly #engine: Engine;
  readonly #options: ResolvedDiscordOptions;
  readonly #logger: Logger;
  readonly #context: TurnContext;
  readonly #inFlight = new Set<Promise<void>>();
  #stopping = false;
  #started = false;

  constructor(engine: Engine, options: ResolvedDiscordOptions) {
    this.#engine = engine;
    this.#options = options;
    this.#logger = engine.logger.child({ adapter: 'discord' });
    this.#context = { allowedHosts: allowedAttachmentHosts(options), moderatorRole: options.moderatorRole };
    this.client = new Client({
      intents: discordIntents(options.messageContent),
      // DMs arrive on channels discord.js has not cached.
      partials: [Partials.Channel],
      rest: { api: options.apiRoot },
      allowedMentions: { parse: [], repliedUser: false },
    });
    this.client.on(Events.InteractionCreate, (interaction) => this.#track(this.#onInteraction(interaction)));
    if (options.messageContent)
      this.client.on(Events.MessageCreate, (message) => this.#track(this.#onMessage(message)));
    this.client.on(Events.Error, (error) => this.#logger.error({ err: error }, 'discord: client error'));
    this.client.on(Events.ShardError, (error, shardId) => {
      // While starting, start() explains a failure in one sentence: no stack trace for it here.
      if (!this.#started)
        this.#logger.debug({ reason: error.message, shardId }, 'discord: gateway error while starting');
      else this.#logger.warn({ err: error, shardId }, 'discord: gateway error');
    });
    this.client.on(Events.ShardReconnecting, (shardId) =>
      this.#logger.info({ shardId }, 'discord: gateway reconnecting'),
    );
    this.client.on(Events.ShardResume, (shardId, replayed) =>
      this.#logger.info({ shardId, replayed }, 'discord: gateway resumed'),
    );
    this.client.rest.on('rateLimited', (info) =>
      this.#logger.info(
        { route: info.route, retryAfter: info.retryAfter, global: info.global },
        'discord: rate limited, waiting',
      ),
    );
  }

  /** Logs in and resolves once the gateway is ready (all guilds received). */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onReady: (() => void) | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ConfigError(
              `Could not reach Discord at ${this.#options.apiRoot} within ${this.#options.readyTimeoutMs / 1000} s: check the network, DNS, proxy and firewall, and DISCORD_API_ROOT (leave it unset for https://discord.com/api); PLATFORM_START_TIMEOUT_S sets how long to wait.`,
            ),
          ),
        this.#options.readyTimeoutMs,
      );
      onReady = () => resolve();
      this.client.once(Events.ClientReady, onReady);
    });
    try {
      // Raced, so that the time limit also ends a login whose REST call hangs (and its rejection is never left unhandled).
      await Promise.race([this.client.login(this.#options.token).then(() => ready), ready]);
    } catch (error) {
      await this.#destroyClient();
      throw explainStartError(error, this.#options);
    } finally {
      clearTimeout(timer);
      this.client.off(Events.ClientReady, onReady!);
    }
    this.#started = true;
    this.#logger.info(
      {
        user: this.client.user?.tag,
        guilds: this.client.guilds.cache.size,
        messageContent: this.#options.messageContent,
      },
      'discord: ready',
    );
  }

  isReady(): boolean {
    return !this.#stopping && this.client.isReady();
  }

  /** Stops taking new work, lets the turns in flight finish, then closes the gateway. */
  async stop(): Promise<void> {
    this.#stopping = true;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    await this.#destroyClient();
  }

  /** Closes the client, waiting at most DESTROY_GRACE_MS: discord.js can wait for ever on a gateway connection that never said hello. */
  async #destroyClient(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, DESTROY_GRACE_MS)));
    await Promise.race([this.client.destroy().catch(() => {}), grace]);
    clearTimeout(timer);
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.#logger.error({ err: error }, 'discord: unhandled error in a turn'),
    );
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  async #onInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isChatInputCommand()) {
      if (interaction.commandName !== PERSON_COMMAND && interaction.commandName !== MODERATOR_COMMAND) return;
      await this.#onSlashCommand(interaction);
    } else if (interaction.isButton() || interaction.isStringSelectMenu()) {
      if (!interaction.customId.startsWith('ms:')) return;
      await this.#onComponent(interaction);
    }
  }

  async #onSlashCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    if (this.#stopping) {
      await interaction.reply({ content: RESTARTING, flags: MessageFlags.Ephemeral }).catch(() => {});
      return;
    }
    const subcommand = interaction.options.getSubcommand(false) ?? 'help';
    const ephemeral = isModeratorSubcommand(subcommand) || subcommand === 'help' || subcommand === 'emotions';
    // First thing, before any other await: Discord drops interactions not acknowledged within 3 s.
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    await this.#answer(() => slashCommandTurn(interaction, this.#context), {
      surface: slashCommandSurface(interaction, ephemeral),
      fallback: () => channelSurface(this.client, interaction.channelId, interaction.user),
      deadline: interaction.createdTimestamp + this.#options.interactionTokenLifetimeMs,
      uploadLimitBytes: interaction.attachmentSizeLimit || this.#options.defaultUploadLimitBytes,
    });
  }

  async #onComponent(interaction: MessageComponentInteraction): Promise<void> {
    if (this.#stopping) {
      await interaction.reply({ content: RESTARTING, flags: MessageFlags.Ephemeral }).catch(() => {});
      return;
    }
    await interaction.deferUpdate();
    await this.#answer(() => componentTurn(interaction, this.#context), {
      surface: componentSurface(interaction),
      fallback: () => channelSurface(this.client, interaction.channelId, interaction.user),
      deadline: interaction.createdTimestamp + this.#options.interactionTokenLifetimeMs,
      uploadLimitBytes: interaction.attachmentSizeLimit || this.#options.defaultUploadLimitBytes,
    });
  }

  async #onMessage(message: Message): Promise<void> {
    const botId = this.client.user?.id;
    if (!botId || this.#stopping || !isForBot(message, botId)) return;
    if (!message.content.trim() && message.attachments.size === 0) return;
    // A thread discord.js was never told of comes without its parent, whose channel rules apply
    // in it (`moderationChannelId`): ask Discord once; the answer stays in discord.js's cache.
    const channel = message.channel;
    if (channel.isThread() && !channel.parentId)
      await channel
        .fetch()
        .catch((error: unknown) =>
          this.#logger.warn({ err: error, channel: channel.id }, 'could not look up the parent of a thread'),
        );
    await this.#answer(() => messageTurn(message, botId, this.#context), {
      surface: messageSurface(message),
      uploadLimitBytes: this.#options.defaultUploadLimitBytes,
    });
  }

  /** Runs the turn through the engine and sends what it says; apologises when sending fails. */
  async #answer(
    makeTurn: () => Turn | undefined,
    where: { surface: Surface; fallback?: () => Surface; deadline?: number; uploadLimitBytes: number },
  ): Promise<void> {
    let turn: Turn | undefined;
    const responder = new TurnResponder({
      ...where,
      progressIntervalMs: this.#options.progressIntervalMs,
      logger: this.#logger,
    });
    try {
      turn = makeTurn();
      if (!turn) return;
      await this.#engine.editor.handle(turn, { progress: responder.progress, send: responder.send });
      await responder.finish();
    } catch (error) {
      this.#logger.error({ err: error, message: turn?.messageId }, 'discord: could not answer a turn');
      await responder.apologise();
    }
  }
}
