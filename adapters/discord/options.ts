/**
 * @module The Discord adapter's options: read from the engine's configuration
 * (`DISCORD_*` variables) unless given, checked once at start.
 */
import { type AppConfig, ConfigError } from '../../src/index.ts';

/** Discord's own file hosts: the only hosts attachments are downloaded from by default. */
export const DISCORD_FILE_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'] as const;

export interface DiscordAdapterOptions {
  /** The bot token. @defaultValue `DISCORD_TOKEN` */
  token?: string;
  /** The application id from the developer portal. @defaultValue `DISCORD_APPLICATION_ID` */
  applicationId?: string;
  /**
   * The REST API root given to discord.js (`rest.api`); the gateway address then comes from
   * `GET /gateway/bot` on it. @defaultValue `DISCORD_API_ROOT`, else `https://discord.com/api`
   */
  apiRoot?: string;
  /**
   * Read messages that mention the bot or reply to it (needs the privileged Message Content
   * intent switched on in the developer portal). Slash commands and buttons work without it.
   * @defaultValue `DISCORD_MESSAGE_CONTENT`, else false
   */
  messageContent?: boolean;
  /** Hosts attachments may be downloaded from besides Discord's own. @defaultValue `DISCORD_ATTACHMENT_HOSTS`, else none */
  attachmentHosts?: string[];
  /** Run this many shards under discord.js `ShardingManager`. @defaultValue `DISCORD_SHARDS`, else one shard in this process */
  shards?: number;
  /** A role (name or id) whose members are moderators besides those with Manage Server. @defaultValue `DISCORD_MODERATOR_ROLE` */
  moderatorRole?: string;
  /**
   * How long an interaction token accepts edits and follow-ups. A result ready later is
   * posted in the channel as a normal message. @defaultValue 15 minutes minus 30 s of margin
   */
  interactionTokenLifetimeMs?: number;
  /** At most one progress edit per this many milliseconds. @defaultValue 1 000 */
  progressIntervalMs?: number;
  /** Upload limit when Discord does not say one (messages, old clients). @defaultValue 10 MiB, Discord's limit for bots */
  defaultUploadLimitBytes?: number;
  /** How long to wait for the gateway to be ready at start. @defaultValue `PLATFORM_START_TIMEOUT_S`, else 15 000 ms */
  readyTimeoutMs?: number;
}

export type ResolvedDiscordOptions = Required<Omit<DiscordAdapterOptions, 'shards' | 'moderatorRole'>> &
  Pick<DiscordAdapterOptions, 'shards' | 'moderatorRole'>;

/** The options with their defaults filled in from the configuration; throws a `ConfigError` that says what to change. */
export function resolveDiscordOptions(config: AppConfig, given: DiscordAdapterOptions = {}): ResolvedDiscordOptions {
  const options: ResolvedDiscordOptions = {
    token: given.token ?? config.discordToken ?? '',
    applicationId: given.applicationId ?? config.discordApplicationId ?? '',
    apiRoot: (given.apiRoot ?? config.discordApiRoot ?? 'https://discord.com/api').replace(/\/+$/, ''),
    messageContent: given.messageContent ?? config.discordMessageContent ?? false,
    attachmentHosts: (given.attachmentHosts ?? config.discordAttachmentHosts ?? [])
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    shards: given.shards ?? config.discordShards,
    moderatorRole: given.moderatorRole ?? config.discordModeratorRole,
    interactionTokenLifetimeMs: given.interactionTokenLifetimeMs ?? 15 * 60_000 - 30_000,
    progressIntervalMs: given.progressIntervalMs ?? 1_000,
    defaultUploadLimitBytes: given.defaultUploadLimitBytes ?? 10 * 1024 * 1024,
    readyTimeoutMs: given.readyTimeoutMs ?? (config.platformStartTimeoutSeconds ?? 15) * 1000,
  };
  if (!options.token)
    throw new ConfigError(
      'The Discord adapter needs a bot token: set DISCORD_TOKEN (Developer Portal → Bot → Reset Token).',
    );
  if (!/^\d{5,25}$/.test(options.applicationId)) {
    throw new ConfigError(
      'The Discord adapter needs the numeric application id: set DISCORD_APPLICATION_ID (Developer Portal → General Information).',
    );
  }
  try {
    const url = new URL(options.apiRoot);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
  } catch {
    throw new ConfigError(
      `DISCORD_API_ROOT="${options.apiRoot}" is not an http(s) URL; leave it unset for https://discord.com/api.`,
    );
  }
  if (options.shards !== undefined && (!Number.isInteger(options.shards) || options.shards < 1)) {
    throw new ConfigError(`DISCORD_SHARDS=${options.shards} must be a whole number of at least 1.`);
  }
  for (const [name, value] of [
    ['interactionTokenLifetimeMs', options.interactionTokenLifetimeMs],
    ['progressIntervalMs', options.progressIntervalMs],
    ['defaultUploadLimitBytes', options.defaultUploadLimitBytes],
    ['readyTimeoutMs', options.readyTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 0)
      throw new ConfigError(`Discord adapter option ${name} must be a number of at least 0 (got ${value}).`);
  }
  return options;
}

/** The hosts attachments may come from: Discord's own plus the configured ones. */
export function allowedAttachmentHosts(options: Pick<ResolvedDiscordOptions, 'attachmentHosts'>): string[] {
  return [...DISCORD_FILE_HOSTS, ...options.attachmentHosts];
}
