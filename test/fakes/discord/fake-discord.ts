/**
 * @module A fake Discord for end-to-end tests: the REST API under `/api/v10` and a JSON
 * WebSocket gateway (see `fake-gateway.ts`) on one port of 127.0.0.1, so the real
 * discord.js client runs against it with `rest.api = fake.apiRoot`.
 *
 * REST: `GET /gateway/bot`, `/users/@me`, application command registration, interaction
 * callbacks (with Discord's 3-second acknowledgement window and one answer per
 * interaction), `/webhooks/{app}/{token}/messages/@original` and follow-ups (15-minute token
 * lifetime), channel messages, multipart uploads (`payload_json` + `files[n]`) with the
 * upload size limit, and the attachment files themselves. Payloads are checked against
 * Discord's limits (2 000 characters, 5 rows, 5 buttons a row, 25 select options,
 * 100-character custom ids) and refused with Discord's error codes, so a client that would
 * fail on Discord fails here. Tests can make any route answer 429 for a while.
 *
 * Guilds have text channels and threads in them (`addThread`): a thread is announced with
 * THREAD_CREATE and listed in GUILD_CREATE's `threads`, as on Discord, and an interaction in
 * a thread carries the partial thread (with `parent_id`) as its `channel`.
 *
 * Tests drive it with `slashCommand`, `pressButton`, `pickFromMenu` and `postMessage`, and
 * read what the bot did from `messages`, `interactions` and `requests`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { FakeGateway, Intent, type GatewaySession } from './fake-gateway.ts';
import { newSnowflake, snowflakeTime } from './snowflake.ts';

export const BOT_TOKEN = 'fake-bot-token.abcdefghijklmnopqrstuvwxyz';
/** Permission bits the tests use. */
export const Permission = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  AttachFiles: 1n << 15n,
  ManageGuild: 1n << 5n,
  Administrator: 1n << 3n,
} as const;
const MEMBER_PERMISSIONS = Permission.ViewChannel | Permission.SendMessages | Permission.AttachFiles;

/** Channel types (Discord API v10). */
export const ChannelType = {
  GuildText: 0,
  DM: 1,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
} as const;
export type ThreadType =
  typeof ChannelType.AnnouncementThread | typeof ChannelType.PublicThread | typeof ChannelType.PrivateThread;
const THREAD_TYPES: readonly number[] = [
  ChannelType.AnnouncementThread,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
];

/** Interaction and component types (Discord API v10). */
const InteractionType = { ApplicationCommand: 2, MessageComponent: 3 } as const;
const Callback = { ChannelMessage: 4, DeferredChannelMessage: 5, DeferredUpdate: 6, UpdateMessage: 7 } as const;
const MessageFlag = { Ephemeral: 1 << 6, Loading: 1 << 7 } as const;

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

export interface FakeRole {
  id: string;
  name: string;
  permissions: string;
  position: number;
}

export interface FakeChannel {
  id: string;
  type: typeof ChannelType.GuildText | typeof ChannelType.DM | ThreadType;
  guild_id?: string;
  name?: string;
  /** For DMs: the person. */
  recipient?: FakeUser;
  /** For threads: the channel the thread was started in. */
  parent_id?: string;
  /** For threads: who started it. */
  owner_id?: string;
  /** For threads: when it was started (ISO 8601). */
  created_at?: string;
  /** For threads: false when the bot was never told of the thread (no THREAD_CREATE, not in GUILD_CREATE). */
  announced?: boolean;
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  channels: FakeChannel[];
  /** Active threads, sent in GUILD_CREATE's `threads` (those announced to the bot). */
  threads: FakeChannel[];
  roles: FakeRole[];
  /** Role ids per member. */
  members: Map<string, string[]>;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  bytes: Buffer;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: FakeUser;
  content: string;
  attachments: FakeAttachment[];
  components: ActionRow[];
  flags: number;
  /** The message this one replies to. */
  replyTo?: string;
  /** The interaction whose response (original or follow-up) this is. */
  interactionId?: string;
  /** Every state the message had, oldest first (content and attachment names). */
  history: Array<{ content: string; attachments: string[]; flags: number }>;
  mentions: FakeUser[];
  deleted?: boolean;
}

export interface FakeInteraction {
  id: string;
  token: string;
  type: number;
  channelId: string;
  guildId?: string;
  user: FakeUser;
  createdAt: number;
  attachmentSizeLimit: number;
  /** The callback type the bot answered with, once it did. */
  callbackType?: number;
  /** The message of the original response (or, for components, the message that carried them). */
  originalMessageId?: string;
  /** The message that carried the component, for component interactions. */
  componentMessageId?: string;
  /** How many states that message had when the component was used (its later edits are responses). */
  componentMessageStates?: number;
  followUpIds: string[];
}

export interface ButtonComponent {
  type: 2;
  style: number;
  label?: string;
  custom_id?: string;
  url?: string;
  disabled?: boolean;
}

export interface SelectComponent {
  type: 3;
  custom_id: string;
  options: Array<{ label: string; value: string; description?: string }>;
  placeholder?: string;
  min_values?: number;
  max_values?: number;
}

export interface ActionRow {
  type: 1;
  components: Array<ButtonComponent | SelectComponent>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
  /** True when the fake answered 429 on purpose. */
  rateLimited?: boolean;
}

interface RateLimitRule {
  method: string;
  path: RegExp;
  remaining: number;
  retryAfterSeconds: number;
  global: boolean;
}

export interface FakeDiscordOptions {
  /** How long after an interaction the bot may acknowledge it. @defaultValue 3 000 ms, as Discord */
  ackWindowMs?: number;
  /** How long an interaction token accepts follow-ups and edits. @defaultValue 15 minutes, as Discord */
  tokenLifetimeMs?: number;
  /** Upload limit for channel messages. @defaultValue 10 MiB */
  channelUploadLimit?: number;
  /** Gateway heartbeat interval sent in HELLO. @defaultValue 41 250 ms */
  heartbeatIntervalMs?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const unknown = (what: string, code: number) => new HttpError(404, { message: `Unknown ${what}`, code });
const invalidForm = (problem: string) =>
  new HttpError(400, { message: 'Invalid Form Body', code: 50035, errors: { _problem: problem } });

export class FakeDiscord {
  readonly applicationId = newSnowflake();
  readonly bot: FakeUser = {
    id: this.applicationId,
    username: 'moodshift',
    global_name: null,
    discriminator: '0',
    avatar: null,
    bot: true,
  };
  readonly guilds = new Map<string, FakeGuild>();
  readonly channels = new Map<string, FakeChannel>();
  readonly users = new Map<string, FakeUser>();
  readonly messages = new Map<string, FakeMessage>();
  readonly interactions = new Map<string, FakeInteraction>();
  /** Every REST request, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Registered commands: key `global` or a guild id. */
  readonly commands = new Map<string, Array<Record<string, unknown>>>();
  /** REST requests the fake had no route for (a test asserts this stays empty). */
  readonly unhandled: string[] = [];
  /** While true, REST requests are recorded but never answered (an API that hangs); `close()` still ends them. */
  hangRest = false;
  /** The gateway address `GET /gateway/bot` gives out. @defaultValue this fake's own gateway */
  gatewayUrl?: string;
  readonly gateway: FakeGateway;
  readonly options: Required<FakeDiscordOptions>;
  readonly #files = new Map<string, FakeAttachment>();
  readonly #rateLimits: RateLimitRule[] = [];
  readonly #server: Server;
  readonly #listeners = new Set<() => void>();
  #port = 0;

  constructor(options: FakeDiscordOptions = {}) {
    this.options = {
      ackWindowMs: 3_000,
      tokenLifetimeMs: 15 * 60_000,
      channelUploadLimit: 10 * 1024 * 1024,
      heartbeatIntervalMs: 41_250,
      ...options,
    };
    this.gateway = new FakeGateway(
      {
        token: BOT_TOKEN,
        readyData: () => ({ user: this.bot, application: { id: this.applicationId, flags: 0 } }),
        guildIds: () => [...this.guilds.keys()],
        guildCreate: (id) => this.#guildPayload(this.guilds.get(id)!),
        baseUrl: () => `ws://127.0.0.1:${this.#port}`,
      },
      { heartbeatIntervalMs: this.options.heartbeatIntervalMs },
    );
    this.gateway.onChange(() => this.#changed());
    this.#server = createServer((request, response) => void this.#handle(request, response));
    this.#server.on('upgrade', (request, socket, head) => {
      if (!this.gateway.handleUpgrade(request, socket, head)) socket.destroy();
    });
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  get port(): number {
    return this.#port;
  }

  /** What to give the bot as `DISCORD_API_ROOT`. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  /** The host the fake serves attachments from (what to list in `DISCORD_ATTACHMENT_HOSTS`). */
  get attachmentHost(): string {
    return `127.0.0.1:${this.#port}`;
  }

  // ─── World building ──────────────────────────────────────────────────────────────

  addUser(username: string): FakeUser {
    const user: FakeUser = { id: newSnowflake(), username, global_name: username, discriminator: '0', avatar: null };
    this.users.set(user.id, user);
    return user;
  }

  /** A guild with one text channel `#general` and an `@everyone` role members get by default. */
  addGuild(name = 'Test server'): { guild: FakeGuild; channel: FakeChannel } {
    const id = newSnowflake();
    const owner = this.addUser(`${name} owner`);
    const channel: FakeChannel = { id: newSnowflake(), type: 0, guild_id: id, name: 'general' };
    const guild: FakeGuild = {
      id,
      name,
      ownerId: owner.id,
      channels: [channel],
      threads: [],
      roles: [{ id, name: '@everyone', permissions: String(MEMBER_PERMISSIONS), position: 0 }],
      members: new Map([[this.bot.id, []]]),
    };
    this.guilds.set(id, guild);
    this.channels.set(channel.id, channel);
    return { guild, channel };
  }

  /** Another text channel in a guild (announced with CHANNEL_CREATE). */
  addChannel(guild: FakeGuild, name: string): FakeChannel {
    const channel: FakeChannel = { id: newSnowflake(), type: 0, guild_id: guild.id, name };
    guild.channels.push(channel);
    this.channels.set(channel.id, channel);
    this.gateway.dispatch('CHANNEL_CREATE', this.#channelPayload(channel), { guildId: guild.id });
    return channel;
  }

  /**
   * A thread started in a guild channel by `owner` (a public thread unless `type` says
   * otherwise). As on Discord it is announced with THREAD_CREATE (`newly_created`) and listed
   * in GUILD_CREATE's `threads` from then on. With `announce: false` the bot is never told,
   * like a private thread it was not added to: it learns of the thread only from the
   * interactions sent in it.
   */
  addThread(
    parent: FakeChannel,
    name: string,
    options: { owner?: FakeUser; type?: ThreadType; announce?: boolean } = {},
  ): FakeChannel {
    const guild = parent.guild_id ? this.guilds.get(parent.guild_id) : undefined;
    if (!guild || parent.type !== ChannelType.GuildText)
      throw new Error(`Threads start in a guild text channel; channel ${parent.id} is of type ${parent.type}`);
    const thread: FakeChannel = {
      id: newSnowflake(),
      type: options.type ?? ChannelType.PublicThread,
      guild_id: guild.id,
      name,
      parent_id: parent.id,
      owner_id: (options.owner ?? this.users.get(guild.ownerId))?.id,
      created_at: new Date().toISOString(),
      announced: options.announce ?? true,
    };
    this.channels.set(thread.id, thread);
    if (thread.announced) {
      guild.threads.push(thread);
      this.gateway.dispatch(
        'THREAD_CREATE',
        { ...this.#channelPayload(thread), newly_created: true },
        { guildId: guild.id, requiredIntents: Intent.Guilds },
      );
    }
    return thread;
  }

  addRole(guild: FakeGuild, name: string, permissions = 0n): FakeRole {
    const role: FakeRole = { id: newSnowflake(), name, permissions: String(permissions), position: guild.roles.length };
    guild.roles.push(role);
    this.gateway.dispatch(
      'GUILD_ROLE_CREATE',
      { guild_id: guild.id, role: this.#rolePayload(role) },
      { guildId: guild.id },
    );
    return role;
  }

  /** Makes a user a member of a guild with the given roles. */
  addMember(guild: FakeGuild, user: FakeUser, roleIds: string[] = []): void {
    guild.members.set(user.id, roleIds);
  }

  /** The DM channel between the bot and a person. */
  dmChannel(user: FakeUser): FakeChannel {
    const existing = [...this.channels.values()].find((c) => c.type === ChannelType.DM && c.recipient?.id === user.id);
    if (existing) return existing;
    const channel: FakeChannel = { id: newSnowflake(), type: ChannelType.DM, recipient: user };
    this.channels.set(channel.id, channel);
    return channel;
  }

  /**
   * Stores a file as if a person had uploaded it to Discord, and returns its attachment
   * object. `host` serves it from another host name (`localhost:port`) for host-check tests.
   */
  uploadFile(bytes: Buffer, filename: string, contentType?: string, host?: string): FakeAttachment {
    const id = newSnowflake();
    const path = `/attachments/${id}/${randomBytes(4).toString('hex')}/${encodeURIComponent(filename)}`;
    const url = `http://${host ?? `127.0.0.1:${this.#port}`}${path}`;
    const attachment: FakeAttachment = {
      id,
      filename,
      size: bytes.length,
      url,
      proxy_url: url,
      content_type: contentType,
      bytes,
    };
    this.#files.set(path, attachment);
    return attachment;
  }

  // ─── What people do ──────────────────────────────────────────────────────────────

  /**
   * A person runs a slash command, e.g. `/mood edit image:<file> feeling:sadder`. Options of
   * a subcommand are name/value pairs; a Buffer value is uploaded as an attachment option.
   */
  slashCommand(input: {
    user: FakeUser;
    channel: FakeChannel;
    command: string;
    subcommand?: string;
    /** Strings, integers, booleans, attachments (`{ attachment }`) and users (`{ user }`), by option name. */
    options?: Record<string, string | number | boolean | { attachment: FakeAttachment } | { user: FakeUser }>;
    /** Permissions of the member in the channel. @defaultValue @everyone's plus the member's roles */
    permissions?: bigint;
    attachmentSizeLimit?: number;
    /** The gateway session to deliver it on. @defaultValue the first session of the guild's shard */
    via?: GatewaySession;
  }): FakeInteraction {
    const resolvedAttachments: Record<string, unknown> = {};
    const resolvedUsers: Record<string, unknown> = {};
    const resolvedMembers: Record<string, unknown> = {};
    const guild = input.channel.guild_id ? this.guilds.get(input.channel.guild_id) : undefined;
    const options = Object.entries(input.options ?? {}).map(([name, value]) => {
      if (typeof value === 'string') return { type: 3, name, value };
      if (typeof value === 'number') {
        if (!Number.isInteger(value))
          throw new Error(`option ${name}: Discord integer options take whole numbers, not ${value}`);
        return { type: 4, name, value };
      }
      if (typeof value === 'boolean') return { type: 5, name, value };
      if ('user' in value) {
        // Discord resolves a user option to the user, and to the member when they are in the server.
        this.users.set(value.user.id, value.user);
        resolvedUsers[value.user.id] = value.user;
        const roles = guild?.members.get(value.user.id);
        if (roles)
          resolvedMembers[value.user.id] = {
            roles,
            joined_at: new Date(0).toISOString(),
            deaf: false,
            mute: false,
            flags: 0,
            pending: false,
            permissions: String(this.memberPermissions(guild!, value.user)),
          };
        return { type: 6, name, value: value.user.id };
      }
      resolvedAttachments[value.attachment.id] = this.#attachmentPayload(value.attachment);
      return { type: 11, name, value: value.attachment.id };
    });
    const resolved: Record<string, unknown> = {};
    if (Object.keys(resolvedAttachments).length) resolved.attachments = resolvedAttachments;
    if (Object.keys(resolvedUsers).length) resolved.users = resolvedUsers;
    if (Object.keys(resolvedMembers).length) resolved.members = resolvedMembers;
    const data = {
      id: newSnowflake(),
      name: input.command,
      type: 1,
      options: input.subcommand ? [{ type: 1, name: input.subcommand, options }] : options,
      resolved: Object.keys(resolved).length ? resolved : undefined,
      guild_id: input.channel.guild_id,
    };
    return this.#interact(InteractionType.ApplicationCommand, data, input);
  }

  /** A person presses a button on one of the bot's messages. */
  pressButton(input: {
    user: FakeUser;
    message: FakeMessage;
    label: string;
    permissions?: bigint;
    via?: GatewaySession;
  }): FakeInteraction {
    const button = input.message.components
      .flatMap((row) => row.components)
      .find((c): c is ButtonComponent => c.type === 2 && c.label === input.label);
    if (!button?.custom_id) {
      const labels = input.message.components
        .flatMap((r) => r.components)
        .map((c) => (c.type === 2 ? c.label : `menu ${c.custom_id}`));
      throw new Error(`The message has no "${input.label}" button; it has: ${labels.join(', ') || 'no components'}`);
    }
    const channel = this.channels.get(input.message.channel_id)!;
    return this.#interact(
      InteractionType.MessageComponent,
      { custom_id: button.custom_id, component_type: 2 },
      { ...input, channel, message: input.message },
    );
  }

  /** A person picks an option (by its label) from the message's select menu. */
  pickFromMenu(input: {
    user: FakeUser;
    message: FakeMessage;
    option: string;
    permissions?: bigint;
    via?: GatewaySession;
  }): FakeInteraction {
    const menu = input.message.components
      .flatMap((row) => row.components)
      .find((c): c is SelectComponent => c.type === 3);
    const picked = menu?.options.find((o) => o.label.toLowerCase().includes(input.option.toLowerCase()));
    if (!menu || !picked) throw new Error(`The message has no menu option "${input.option}"`);
    const channel = this.channels.get(input.message.channel_id)!;
    return this.#interact(
      InteractionType.MessageComponent,
      { custom_id: menu.custom_id, component_type: 3, values: [picked.value] },
      { ...input, channel, message: input.message },
    );
  }

  /**
   * A person posts a message in a channel (MESSAGE_CREATE). Delivered only to sessions with
   * the intents Discord requires; without MESSAGE_CONTENT the text is blanked unless the
   * message mentions the bot or is a DM, as on Discord.
   */
  postMessage(input: {
    user: FakeUser;
    channel: FakeChannel;
    content: string;
    attachments?: FakeAttachment[];
    mentionBot?: boolean;
    replyTo?: FakeMessage;
    /** The gateway session to deliver it on. @defaultValue the first session of the guild's shard with the intents it needs */
    via?: GatewaySession;
  }): FakeMessage {
    const mentions = input.mentionBot ? [this.bot] : [];
    const content = input.mentionBot ? `<@${this.bot.id}> ${input.content}` : input.content;
    const message = this.#storeMessage({
      channel_id: input.channel.id,
      guild_id: input.channel.guild_id,
      author: input.user,
      content,
      attachments: input.attachments ?? [],
      components: [],
      flags: 0,
      replyTo: input.replyTo?.id,
      mentions,
    });
    const isDm = input.channel.type === ChannelType.DM;
    // Discord sends the channel's type with MESSAGE_CREATE; discord.js needs it to know a DM it has not cached.
    const payload: Record<string, unknown> = { ...this.#messagePayload(message), channel_type: input.channel.type };
    if (input.channel.guild_id) {
      const roles = this.guilds.get(input.channel.guild_id)?.members.get(input.user.id) ?? [];
      payload.member = { roles, joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 };
    }
    if (input.replyTo) {
      payload.referenced_message = this.#messagePayload(input.replyTo);
      if (input.replyTo.author.id === this.bot.id) payload.mentions = [...mentions, this.bot];
    }
    const required = isDm ? Intent.DirectMessages : Intent.GuildMessages;
    const session = input.via ?? this.gateway.sessions.find((s) => (s.intents & required) === required);
    if (session) {
      const visible =
        isDm || input.mentionBot || input.replyTo?.author.id === this.bot.id || session.intents & Intent.MessageContent;
      this.gateway.dispatch('MESSAGE_CREATE', visible ? payload : { ...payload, content: '', attachments: [] }, {
        guildId: input.channel.guild_id,
        requiredIntents: required,
        sessionId: input.via?.id,
      });
    }
    return message;
  }

  #interact(
    type: number,
    data: Record<string, unknown>,
    input: {
      user: FakeUser;
      channel: FakeChannel;
      permissions?: bigint;
      attachmentSizeLimit?: number;
      message?: FakeMessage;
      via?: GatewaySession;
    },
  ): FakeInteraction {
    this.users.set(input.user.id, input.user);
    const guild = input.channel.guild_id ? this.guilds.get(input.channel.guild_id) : undefined;
    const interaction: FakeInteraction = {
      id: newSnowflake(),
      token: `aW50ZXJhY3Rpb24${randomBytes(24).toString('base64url')}`,
      type,
      channelId: input.channel.id,
      guildId: guild?.id,
      user: input.user,
      createdAt: Date.now(),
      attachmentSizeLimit: input.attachmentSizeLimit ?? 10 * 1024 * 1024,
      componentMessageId: input.message?.id,
      componentMessageStates: input.message?.history.length,
      followUpIds: [],
    };
    this.interactions.set(interaction.id, interaction);
    const payload: Record<string, unknown> = {
      id: interaction.id,
      application_id: this.applicationId,
      type,
      token: interaction.token,
      version: 1,
      data,
      channel_id: input.channel.id,
      channel: this.#interactionChannelPayload(
        input.channel,
        guild ? String(input.permissions ?? this.memberPermissions(guild, input.user)) : undefined,
      ),
      locale: 'en-GB',
      app_permissions: String(MEMBER_PERMISSIONS),
      entitlements: [],
      attachment_size_limit: interaction.attachmentSizeLimit,
      authorizing_integration_owners: guild ? { '0': guild.id } : { '1': input.user.id },
      context: guild ? 0 : 1,
    };
    if (input.message) payload.message = this.#messagePayload(input.message);
    if (guild) {
      if (!guild.members.has(input.user.id)) guild.members.set(input.user.id, []);
      payload.guild_id = guild.id;
      payload.guild_locale = 'en-US';
      payload.guild = { id: guild.id, locale: 'en-US', features: [] };
      payload.member = {
        user: input.user,
        roles: guild.members.get(input.user.id),
        permissions: String(input.permissions ?? this.memberPermissions(guild, input.user)),
        joined_at: new Date(0).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
      };
    } else {
      payload.user = input.user;
    }
    this.gateway.dispatch('INTERACTION_CREATE', payload, { guildId: guild?.id, sessionId: input.via?.id });
    return interaction;
  }

  /** The permissions a member has from @everyone and their roles. */
  memberPermissions(guild: FakeGuild, user: FakeUser): bigint {
    if (user.id === guild.ownerId) return Permission.Administrator | Permission.ManageGuild | MEMBER_PERMISSIONS;
    const roles = new Set([guild.id, ...(guild.members.get(user.id) ?? [])]);
    return guild.roles.filter((r) => roles.has(r.id)).reduce((all, r) => all | BigInt(r.permissions), 0n);
  }

  // ─── What the bot did ────────────────────────────────────────────────────────────

  /**
   * Messages of an interaction: the original response first, then follow-ups. For a button
   * press, the message that carried the button counts only once it was edited after the press.
   */
  responsesOf(interaction: FakeInteraction): FakeMessage[] {
    const ids = [interaction.originalMessageId, ...interaction.followUpIds].filter((id): id is string => Boolean(id));
    return ids
      .map((id) => this.messages.get(id)!)
      .filter((m) => m && !m.deleted)
      .filter((m) => m.id !== interaction.componentMessageId || m.history.length > interaction.componentMessageStates!);
  }

  /** Messages the bot posted in a channel (not interaction responses), oldest first. */
  botMessagesIn(channel: FakeChannel): FakeMessage[] {
    return [...this.messages.values()].filter(
      (m) => m.channel_id === channel.id && m.author.id === this.bot.id && !m.interactionId && !m.deleted,
    );
  }

  /** Resolves when `check` returns a value (re-checked after every change), or rejects after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 20_000, what = 'the condition'): Promise<T> {
    const first = check();
    if (first) return first;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const listener = () => {
        let value: T | undefined | false;
        try {
          value = check();
        } catch (error) {
          clearTimeout(timer);
          this.#listeners.delete(listener);
          reject(error);
          return;
        }
        if (value) {
          clearTimeout(timer);
          this.#listeners.delete(listener);
          resolve(value);
        }
      };
      this.#listeners.add(listener);
    });
  }

  /** Waits for an interaction's first response message that carries a picture. */
  waitForPicture(interaction: FakeInteraction, timeoutMs?: number): Promise<FakeMessage> {
    return this.waitFor(
      () => this.responsesOf(interaction).find((m) => m.attachments.length > 0 && !(m.flags & MessageFlag.Loading)),
      timeoutMs,
      `a picture in answer to interaction ${interaction.id}`,
    );
  }

  /** Waits for an interaction's response whose text matches. */
  waitForText(interaction: FakeInteraction, pattern: RegExp, timeoutMs?: number): Promise<FakeMessage> {
    return this.waitFor(
      () => this.responsesOf(interaction).find((m) => pattern.test(m.content)),
      timeoutMs,
      `a response matching ${pattern} to interaction ${interaction.id}`,
    );
  }

  /**
   * Makes the next `count` requests matching `method` and `path` answer 429 with
   * `Retry-After: retryAfterSeconds`.
   */
  rateLimit(rule: {
    method: string;
    path: RegExp;
    count?: number;
    retryAfterSeconds?: number;
    global?: boolean;
  }): void {
    this.#rateLimits.push({
      method: rule.method.toUpperCase(),
      path: rule.path,
      remaining: rule.count ?? 1,
      retryAfterSeconds: rule.retryAfterSeconds ?? 0.5,
      global: rule.global ?? false,
    });
  }

  /** Waits until a session is connected and READY (or RESUMED). */
  waitForSession(
    predicate: (session: GatewaySession) => boolean = () => true,
    timeoutMs?: number,
  ): Promise<GatewaySession> {
    return this.waitFor(
      () => this.gateway.sessions.find((s) => this.gateway.isConnected(s) && predicate(s)),
      timeoutMs,
      'a connected gateway session',
    );
  }

  // ─── HTTP ─────────────────────────────────────────────────────────────────────────

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://fake');
    const record: RecordedRequest = { method, path: url.pathname, status: 0, at: Date.now() };
    this.requests.push(record);
    if (this.hangRest) {
      this.#changed();
      return;
    }
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (body === undefined) {
        response.writeHead(status, headers).end();
      } else if (Buffer.isBuffer(body)) {
        response.writeHead(status, { 'content-length': String(body.length), ...headers }).end(body);
      } else {
        const text = JSON.stringify(body);
        response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
      }
      this.#changed();
    };
    try {
      const file = this.#files.get(url.pathname);
      if (file && method === 'GET') {
        send(200, file.bytes, { 'content-type': file.content_type ?? 'application/octet-stream' });
        return;
      }
      const match = /^\/api(?:\/v(\d+))?(\/.*)$/.exec(decodeURIComponent(url.pathname));
      if (!match) throw unknown('route', 0);
      const path = match[2]!;
      const body = await readBody(request);
      const limited = this.#rateLimits.find((r) => r.remaining > 0 && r.method === method && r.path.test(path));
      if (limited) {
        limited.remaining -= 1;
        record.rateLimited = true;
        const headers: Record<string, string> = {
          'retry-after': String(limited.retryAfterSeconds),
          'x-ratelimit-scope': limited.global ? 'global' : 'user',
        };
        if (limited.global) headers['x-ratelimit-global'] = 'true';
        else {
          headers['x-ratelimit-limit'] = '5';
          headers['x-ratelimit-remaining'] = '0';
          headers['x-ratelimit-reset-after'] = String(limited.retryAfterSeconds);
          headers['x-ratelimit-bucket'] = 'fakebucket';
        }
        send(
          429,
          { message: 'You are being rate limited.', retry_after: limited.retryAfterSeconds, global: limited.global },
          headers,
        );
        return;
      }
      const result = await this.#route(method, path, url.searchParams, request, body);
      if (result === undefined) send(204);
      else send(200, result);
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 404 && error.body.code === 0) this.unhandled.push(`${method} ${url.pathname}`);
        send(error.status, error.body);
      } else {
        send(500, { message: String(error), code: 0 });
      }
    }
  }

  #requireBot(request: IncomingMessage): void {
    if (request.headers.authorization !== `Bot ${BOT_TOKEN}`)
      throw new HttpError(401, { message: '401: Unauthorized', code: 0 });
  }

  async #route(
    method: string,
    path: string,
    query: URLSearchParams,
    request: IncomingMessage,
    body: RequestBody,
  ): Promise<unknown> {
    let m: RegExpExecArray | null;
    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      if (path === '/gateway/bot') this.#requireBot(request);
      return {
        url: this.gatewayUrl ?? `ws://127.0.0.1:${this.#port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      };
    }
    if (method === 'GET' && path === '/users/@me') {
      this.#requireBot(request);
      return this.bot;
    }
    if (method === 'GET' && (path === '/applications/@me' || path === '/oauth2/applications/@me')) {
      this.#requireBot(request);
      return { id: this.applicationId, name: 'moodshift', flags: 0, bot_public: true, owner: this.bot };
    }
    if ((m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path))) {
      this.#requireBot(request);
      if (m[1] !== this.applicationId) throw unknown('Application', 10002);
      const key = m[2] ?? 'global';
      if (method === 'GET') return this.commands.get(key) ?? [];
      if (method === 'PUT') {
        const list = body.json as Array<Record<string, unknown>>;
        if (!Array.isArray(list)) throw invalidForm('the body must be a list of commands');
        const stored = list.map((command) => ({
          ...command,
          id: newSnowflake(),
          application_id: this.applicationId,
          version: newSnowflake(),
        }));
        this.commands.set(key, stored);
        return stored;
      }
    }
    if (method === 'POST' && (m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path))) {
      return this.#callback(m[1]!, m[2]!, body, query);
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/.exec(path))) {
      return this.#webhook(method, m[1]!, m[2]!, m[3], body);
    }
    if ((m = /^\/channels\/(\d+)$/.exec(path)) && method === 'GET') {
      this.#requireBot(request);
      const channel = this.channels.get(m[1]!);
      if (!channel) throw unknown('Channel', 10003);
      return this.#channelPayload(channel);
    }
    if ((m = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/.exec(path))) {
      this.#requireBot(request);
      return this.#channelMessages(method, m[1]!, m[2], body);
    }
    if ((m = /^\/guilds\/(\d+)\/roles$/.exec(path)) && method === 'GET') {
      this.#requireBot(request);
      const guild = this.guilds.get(m[1]!);
      if (!guild) throw unknown('Guild', 10004);
      return guild.roles.map((r) => this.#rolePayload(r));
    }
    if ((m = /^\/guilds\/(\d+)\/members\/(\d+)$/.exec(path)) && method === 'GET') {
      this.#requireBot(request);
      const guild = this.guilds.get(m[1]!);
      const roles = guild?.members.get(m[2]!);
      if (!guild || !roles) throw unknown('Member', 10007);
      return {
        user: this.users.get(m[2]!) ?? this.bot,
        roles,
        joined_at: new Date(0).toISOString(),
        deaf: false,
        mute: false,
        flags: 0,
      };
    }
    if (method === 'POST' && path === '/users/@me/channels') {
      this.#requireBot(request);
      const user = this.users.get(String((body.json as { recipient_id?: string }).recipient_id));
      if (!user) throw unknown('User', 10013);
      return this.#channelPayload(this.dmChannel(user));
    }
    throw unknown('route', 0);
  }

  #callback(id: string, token: string, body: RequestBody, query: URLSearchParams): unknown {
    const interaction = this.interactions.get(id);
    if (!interaction || interaction.token !== token || Date.now() - interaction.createdAt > this.options.ackWindowMs) {
      throw unknown('interaction', 10062);
    }
    if (interaction.callbackType !== undefined) {
      throw new HttpError(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
    }
    const { type, data } = body.json as { type: number; data?: Record<string, unknown> };
    const isComponent = interaction.type === InteractionType.MessageComponent;
    switch (type) {
      case Callback.ChannelMessage:
      case Callback.DeferredChannelMessage: {
        const flags = Number(data?.flags ?? 0) & MessageFlag.Ephemeral;
        const message =
          type === Callback.ChannelMessage
            ? this.#createFromPayload(
                interaction.channelId,
                data ?? {},
                body.files,
                interaction.attachmentSizeLimit,
                interaction.id,
                flags,
              )
            : this.#storeMessage({
                channel_id: interaction.channelId,
                guild_id: interaction.guildId,
                author: this.bot,
                content: '',
                attachments: [],
                components: [],
                flags: flags | MessageFlag.Loading,
                interactionId: interaction.id,
                mentions: [],
              });
        interaction.originalMessageId = message.id;
        break;
      }
      case Callback.DeferredUpdate:
      case Callback.UpdateMessage: {
        if (!isComponent)
          throw new HttpError(400, {
            message: 'Interaction callback type is not valid for this interaction',
            code: 40_000,
          });
        interaction.originalMessageId = interaction.componentMessageId;
        if (type === Callback.UpdateMessage) {
          this.#editFromPayload(
            this.messages.get(interaction.componentMessageId!)!,
            data ?? {},
            body.files,
            interaction.attachmentSizeLimit,
          );
        }
        break;
      }
      default:
        throw new HttpError(400, { message: `Unsupported callback type ${type}`, code: 50035 });
    }
    interaction.callbackType = type;
    if (query.get('with_response') === 'true') {
      const message = interaction.originalMessageId ? this.messages.get(interaction.originalMessageId) : undefined;
      return {
        interaction: {
          id: interaction.id,
          type: interaction.type,
          response_message_id: message?.id,
          response_message_loading: type === 5,
          response_message_ephemeral: false,
        },
        resource: message ? { type, message: this.#messagePayload(message) } : { type },
      };
    }
    return undefined;
  }

  #webhook(
    method: string,
    applicationId: string,
    token: string,
    messageRef: string | undefined,
    body: RequestBody,
  ): unknown {
    const interaction = [...this.interactions.values()].find((i) => i.token === token);
    if (applicationId !== this.applicationId || !interaction) throw unknown('Webhook', 10015);
    if (Date.now() - interaction.createdAt > this.options.tokenLifetimeMs) {
      throw new HttpError(401, { message: 'Invalid Webhook Token', code: 50027 });
    }
    if (interaction.callbackType === undefined) throw unknown('Webhook', 10015);
    const limit = interaction.attachmentSizeLimit;
    if (messageRef === undefined) {
      if (method !== 'POST') throw unknown('route', 0);
      const data = body.json as Record<string, unknown>;
      const message = this.#createFromPayload(
        interaction.channelId,
        data,
        body.files,
        limit,
        interaction.id,
        Number(data.flags ?? 0) & MessageFlag.Ephemeral,
      );
      interaction.followUpIds.push(message.id);
      return this.#messagePayload(message);
    }
    const messageId = messageRef === '@original' ? interaction.originalMessageId : messageRef;
    const message = messageId ? this.messages.get(messageId) : undefined;
    const belongs =
      message && (messageId === interaction.originalMessageId || interaction.followUpIds.includes(messageId!));
    if (!message || !belongs || message.deleted) throw unknown('Message', 10008);
    if (method === 'GET') return this.#messagePayload(message);
    if (method === 'DELETE') {
      message.deleted = true;
      return undefined;
    }
    if (method === 'PATCH') {
      this.#editFromPayload(message, body.json as Record<string, unknown>, body.files, limit);
      return this.#messagePayload(message);
    }
    throw unknown('route', 0);
  }

  #channelMessages(method: string, channelId: string, messageId: string | undefined, body: RequestBody): unknown {
    const channel = this.channels.get(channelId);
    if (!channel) throw unknown('Channel', 10003);
    if (messageId === undefined && method === 'POST') {
      const data = body.json as Record<string, unknown>;
      const reference = data.message_reference as { message_id?: string } | undefined;
      const message = this.#createFromPayload(
        channelId,
        data,
        body.files,
        this.options.channelUploadLimit,
        undefined,
        0,
      );
      if (reference?.message_id) message.replyTo = reference.message_id;
      return this.#messagePayload(message);
    }
    const message = messageId ? this.messages.get(messageId) : undefined;
    if (!message || message.channel_id !== channelId || message.deleted) throw unknown('Message', 10008);
    if (method === 'GET') return this.#messagePayload(message);
    if (method === 'PATCH') {
      if (message.author.id !== this.bot.id)
        throw new HttpError(403, { message: 'Cannot edit a message authored by another user', code: 50005 });
      this.#editFromPayload(message, body.json as Record<string, unknown>, body.files, this.options.channelUploadLimit);
      return this.#messagePayload(message);
    }
    if (method === 'DELETE') {
      message.deleted = true;
      return undefined;
    }
    throw unknown('route', 0);
  }

  // ─── Messages ─────────────────────────────────────────────────────────────────────

  #storeMessage(fields: Omit<FakeMessage, 'id' | 'history'>): FakeMessage {
    const message: FakeMessage = { ...fields, id: newSnowflake(), history: [] };
    message.history.push(snapshot(message));
    this.messages.set(message.id, message);
    return message;
  }

  #createFromPayload(
    channelId: string,
    data: Record<string, unknown>,
    files: UploadedFile[],
    limit: number,
    interactionId: string | undefined,
    flags: number,
  ): FakeMessage {
    const channel = this.channels.get(channelId);
    if (!channel) throw unknown('Channel', 10003);
    const uploads = this.#acceptUploads(data, files, limit);
    const message = this.#storeMessage({
      channel_id: channelId,
      guild_id: channel.guild_id,
      author: this.bot,
      content: '',
      attachments: [],
      components: [],
      flags,
      interactionId,
      mentions: [],
    });
    this.#applyPayload(message, data, uploads, true);
    return message;
  }

  #editFromPayload(message: FakeMessage, data: Record<string, unknown>, files: UploadedFile[], limit: number): void {
    const uploads = this.#acceptUploads(data, files, limit);
    this.#applyPayload(message, data, uploads, false);
  }

  #acceptUploads(data: Record<string, unknown>, files: UploadedFile[], limit: number): Map<string, FakeAttachment> {
    const total = files.reduce((sum, f) => sum + f.bytes.length, 0);
    if (total > limit) throw new HttpError(413, { message: 'Request entity too large', code: 40005 });
    const uploads = new Map<string, FakeAttachment>();
    for (const file of files) {
      const index = /^files\[(\d+)\]$/.exec(file.field)?.[1];
      if (index === undefined) throw invalidForm(`unexpected multipart field ${file.field}`);
      uploads.set(index, this.uploadFile(file.bytes, file.filename, file.contentType));
    }
    const described = (data.attachments as Array<{ id: string | number }> | undefined) ?? [];
    for (const index of uploads.keys()) {
      if (described.length > 0 && !described.some((a) => String(a.id) === index)) {
        throw invalidForm(`files[${index}] is not listed in attachments`);
      }
    }
    return uploads;
  }

  #applyPayload(
    message: FakeMessage,
    data: Record<string, unknown>,
    uploads: Map<string, FakeAttachment>,
    creating: boolean,
  ): void {
    if (data.content !== undefined && data.content !== null) {
      const content = String(data.content);
      if (content.length > 2000) throw invalidForm('content: must be 2000 or fewer in length');
      message.content = content;
    }
    if (data.components !== undefined && data.components !== null) {
      message.components = validateComponents(data.components);
    }
    if (Array.isArray(data.attachments)) {
      const kept = (data.attachments as Array<{ id: string | number }>)
        .map((a) => String(a.id))
        .filter((id) => !uploads.has(id))
        .map((id) => message.attachments.find((a) => a.id === id))
        .filter((a): a is FakeAttachment => a !== undefined);
      message.attachments = [...kept, ...uploads.values()];
    } else if (uploads.size > 0) {
      message.attachments = [...message.attachments, ...uploads.values()];
    }
    const empty =
      !message.content &&
      message.attachments.length === 0 &&
      message.components.length === 0 &&
      !(data.embeds as unknown[] | undefined)?.length;
    if (empty && (creating || !(message.flags & MessageFlag.Loading))) {
      throw new HttpError(400, { message: 'Cannot send an empty message', code: 50006 });
    }
    if (!creating) message.flags &= ~MessageFlag.Loading;
    if (creating) message.history[message.history.length - 1] = snapshot(message);
    else message.history.push(snapshot(message));
  }

  #attachmentPayload(a: FakeAttachment): Record<string, unknown> {
    return {
      id: a.id,
      filename: a.filename,
      size: a.size,
      url: a.url,
      proxy_url: a.proxy_url,
      content_type: a.content_type,
    };
  }

  #messagePayload(message: FakeMessage): Record<string, unknown> {
    const interaction = message.interactionId ? this.interactions.get(message.interactionId) : undefined;
    return {
      id: message.id,
      type: message.replyTo ? 19 : interaction?.type === InteractionType.ApplicationCommand ? 20 : 0,
      channel_id: message.channel_id,
      ...(message.guild_id ? { guild_id: message.guild_id } : {}),
      author: message.author,
      content: message.content,
      timestamp: new Date(snowflakeTime(message.id)).toISOString(),
      edited_timestamp: message.history.length > 1 ? new Date().toISOString() : null,
      tts: false,
      mention_everyone: false,
      mentions: message.mentions,
      mention_roles: [],
      attachments: message.attachments.map((a) => this.#attachmentPayload(a)),
      embeds: [],
      pinned: false,
      flags: message.flags,
      components: message.components,
      ...(message.replyTo
        ? {
            message_reference: {
              type: 0,
              message_id: message.replyTo,
              channel_id: message.channel_id,
              guild_id: message.guild_id,
            },
          }
        : {}),
      ...(interaction
        ? {
            webhook_id: this.applicationId,
            application_id: this.applicationId,
            interaction_metadata: {
              id: interaction.id,
              type: interaction.type,
              user: interaction.user,
              authorizing_integration_owners: {},
            },
          }
        : {}),
    };
  }

  #channelPayload(channel: FakeChannel): Record<string, unknown> {
    if (channel.type === ChannelType.DM)
      return {
        id: channel.id,
        type: 1,
        recipients: channel.recipient ? [channel.recipient] : [],
        last_message_id: null,
      };
    if (THREAD_TYPES.includes(channel.type)) {
      return {
        id: channel.id,
        type: channel.type,
        guild_id: channel.guild_id,
        name: channel.name,
        parent_id: channel.parent_id,
        owner_id: channel.owner_id,
        last_message_id: null,
        message_count: 0,
        member_count: 1,
        total_message_sent: 0,
        rate_limit_per_user: 0,
        flags: 0,
        thread_metadata: this.#threadMetadata(channel),
      };
    }
    return {
      id: channel.id,
      type: 0,
      guild_id: channel.guild_id,
      name: channel.name,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
    };
  }

  #threadMetadata(thread: FakeChannel): Record<string, unknown> {
    return {
      archived: false,
      auto_archive_duration: 4320,
      archive_timestamp: thread.created_at,
      locked: false,
      create_timestamp: thread.created_at,
      ...(thread.type === ChannelType.PrivateThread ? { invitable: true } : {}),
    };
  }

  /**
   * The partial channel an interaction carries as `channel`: for guild channels the fields
   * Discord documents (`id`, `name`, `type`, `permissions`, `guild_id`, `parent_id`, …), with
   * `thread_metadata` for threads; for DMs the channel with its recipient.
   */
  #interactionChannelPayload(channel: FakeChannel, permissions: string | undefined): Record<string, unknown> {
    if (channel.type === ChannelType.DM) return this.#channelPayload(channel);
    const thread = THREAD_TYPES.includes(channel.type);
    return {
      id: channel.id,
      name: channel.name,
      type: channel.type,
      permissions,
      guild_id: channel.guild_id,
      parent_id: channel.parent_id ?? null,
      last_message_id: null,
      flags: 0,
      rate_limit_per_user: 0,
      ...(thread ? { thread_metadata: this.#threadMetadata(channel) } : { nsfw: false, topic: null, position: 0 }),
    };
  }

  #rolePayload(role: FakeRole): Record<string, unknown> {
    return {
      id: role.id,
      name: role.name,
      permissions: role.permissions,
      position: role.position,
      color: 0,
      hoist: false,
      managed: false,
      mentionable: false,
      flags: 0,
    };
  }

  #guildPayload(guild: FakeGuild): Record<string, unknown> {
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      owner_id: guild.ownerId,
      unavailable: false,
      member_count: guild.members.size,
      large: false,
      features: [],
      joined_at: new Date(0).toISOString(),
      roles: guild.roles.map((r) => this.#rolePayload(r)),
      channels: guild.channels.map((c) => this.#channelPayload(c)),
      members: [
        { user: this.bot, roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 },
      ],
      threads: guild.threads.map((t) => this.#channelPayload(t)),
      presences: [],
      voice_states: [],
      emojis: [],
      stickers: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      preferred_locale: 'en-US',
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      system_channel_flags: 0,
    };
  }
}

function snapshot(message: FakeMessage): { content: string; attachments: string[]; flags: number } {
  return { content: message.content, attachments: message.attachments.map((a) => a.filename), flags: message.flags };
}

interface UploadedFile {
  field: string;
  filename: string;
  contentType?: string;
  bytes: Buffer;
}

interface RequestBody {
  json: unknown;
  files: UploadedFile[];
}

async function readBody(request: IncomingMessage): Promise<RequestBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const type = request.headers['content-type'] ?? '';
  if (raw.length === 0) return { json: {}, files: [] };
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    const files: UploadedFile[] = [];
    let json: unknown = {};
    const entries: Array<[string, string | (Blob & { name: string })]> = [];
    form.forEach((value, field) => entries.push([field, value as string | (Blob & { name: string })]));
    for (const [field, value] of entries) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = JSON.parse(value);
        else throw invalidForm(`unexpected multipart field ${field}`);
      } else {
        files.push({
          field,
          filename: value.name,
          contentType: value.type || undefined,
          bytes: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
    return { json, files };
  }
  try {
    return { json: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    throw new HttpError(400, { message: '400: Bad Request', code: 50109 });
  }
}

/** Checks components against Discord's limits and returns them typed. */
function validateComponents(value: unknown): ActionRow[] {
  if (!Array.isArray(value)) throw invalidForm('components: must be a list');
  if (value.length > 5) throw invalidForm('components: must be 5 or fewer in length');
  const ids = new Set<string>();
  const rows = value as ActionRow[];
  for (const row of rows) {
    if (row.type !== 1 || !Array.isArray(row.components) || row.components.length === 0)
      throw invalidForm('components: each must be an action row with components');
    const selects = row.components.filter((c) => c.type === 3).length;
    if (selects > 0 && row.components.length > 1)
      throw invalidForm('components: a select menu must be alone in its row');
    if (row.components.length > 5) throw invalidForm('components: a row holds at most 5 buttons');
    for (const component of row.components) {
      const customId = component.custom_id;
      if (customId !== undefined) {
        if (customId.length === 0 || customId.length > 100) throw invalidForm('custom_id: must be 1 to 100 characters');
        if (ids.has(customId)) throw invalidForm('custom_id: must be unique in a message');
        ids.add(customId);
      }
      if (component.type === 2) {
        if (!customId && !component.url) throw invalidForm('button: needs a custom_id or url');
        if (!component.label || component.label.length > 80)
          throw invalidForm('button label: must be 1 to 80 characters');
        if (component.style < 1 || component.style > 5) throw invalidForm('button style: must be 1 to 5');
      } else if (component.type === 3) {
        const options = component.options ?? [];
        if (options.length < 1 || options.length > 25) throw invalidForm('select options: must be 1 to 25');
        const values = new Set(options.map((o) => o.value));
        if (values.size !== options.length) throw invalidForm('select options: values must be unique');
        for (const option of options) {
          if (!option.label || option.label.length > 100 || !option.value || option.value.length > 100) {
            throw invalidForm('select option: label and value must be 1 to 100 characters');
          }
        }
      } else {
        throw invalidForm(`components: unsupported component type ${(component as { type: number }).type}`);
      }
    }
  }
  return rows;
}
