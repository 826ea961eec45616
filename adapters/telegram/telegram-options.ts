/**
 * @module The Telegram adapter's options, their defaults (most from the engine's
 * configuration) and their validation.
 */
import { type AppConfig, ConfigError } from '../../src/index.ts';
import { MIN_EDIT_INTERVAL_MS, WEBHOOK_SECRET_PATTERN } from './telegram-limits.ts';

export interface TelegramAdapterOptions {
  /** The bot token from @BotFather. @defaultValue `TELEGRAM_BOT_TOKEN` */
  token?: string;
  /** Where the Bot API lives (a self-hosted Bot API server, or a test's fake). @defaultValue `TELEGRAM_API_ROOT`, else `https://api.telegram.org` */
  apiRoot?: string;
  /** Receive updates through this public HTTPS URL instead of long polling. @defaultValue `TELEGRAM_WEBHOOK_URL`, else long polling */
  webhookUrl?: string;
  /** The secret Telegram sends with every webhook call (1–256 of A-Z a-z 0-9 _ -). @defaultValue `TELEGRAM_WEBHOOK_SECRET`, else a random one per start */
  webhookSecret?: string;
  /** The local port the webhook server listens on (0 picks a free one). @defaultValue `TELEGRAM_WEBHOOK_PORT`, else 8443 */
  webhookPort?: number;
  /** The local address the webhook server listens on. @defaultValue `0.0.0.0` */
  webhookHost?: string;
  /** Seconds one getUpdates long poll waits for updates. @defaultValue 30 */
  pollingTimeoutSeconds?: number;
  /** Updates handled at once (turns of one conversation always run one after another). @defaultValue 100 */
  maxConcurrentUpdates?: number;
  /** The status message appears only when an edit still runs after this long (raise it to spare quick edits the extra message). @defaultValue 0 ms: every edit shows one */
  statusMessageDelayMs?: number;
  /** Least time between two edits of the status message (Telegram allows about one message per second per chat). @defaultValue 1000 ms */
  statusEditIntervalMs?: number;
  /** How often the `upload_photo` chat action is repeated while an edit runs (it fades after 5 s). @defaultValue 4000 ms */
  chatActionIntervalMs?: number;
  /** How long a getChatMember answer (moderator or not) is trusted. @defaultValue 60 000 ms */
  moderatorCacheMs?: number;
  /** Retries of a Bot API call after 429, 5xx or a network error. @defaultValue 5 */
  maxRetryAttempts?: number;
  /** A 429 asking to wait longer than this fails the call instead of waiting. @defaultValue 60 s */
  maxRetryDelaySeconds?: number;
  /** Register the command list with setMyCommands at start. @defaultValue true */
  registerCommands?: boolean;
  /** How long getMe (and deleteWebhook/setWebhook) may take at start before it fails with what to check. @defaultValue `PLATFORM_START_TIMEOUT_S`, else 15 000 ms */
  startTimeoutMs?: number;
}

export type ResolvedTelegramOptions = Required<Omit<TelegramAdapterOptions, 'webhookUrl'>> & { webhookUrl?: string };

/** Spreads the defaults over the options and checks them; throws a ConfigError that says what to change. */
export function resolveTelegramOptions(
  config: AppConfig,
  options: TelegramAdapterOptions = {},
): ResolvedTelegramOptions {
  const resolved: ResolvedTelegramOptions = {
    token: options.token ?? config.telegramBotToken ?? '',
    apiRoot: (options.apiRoot ?? config.telegramApiRoot ?? 'https://api.telegram.org').replace(/\/+$/, ''),
    webhookUrl: options.webhookUrl ?? config.telegramWebhookUrl,
    webhookSecret: options.webhookSecret ?? config.telegramWebhookSecret ?? '',
    webhookPort: options.webhookPort ?? config.telegramWebhookPort ?? 8443,
    webhookHost: options.webhookHost ?? '0.0.0.0',
    pollingTimeoutSeconds: options.pollingTimeoutSeconds ?? 30,
    maxConcurrentUpdates: options.maxConcurrentUpdates ?? 100,
    statusMessageDelayMs: options.statusMessageDelayMs ?? 0,
    statusEditIntervalMs: options.statusEditIntervalMs ?? MIN_EDIT_INTERVAL_MS,
    chatActionIntervalMs: options.chatActionIntervalMs ?? 4000,
    moderatorCacheMs: options.moderatorCacheMs ?? 60_000,
    maxRetryAttempts: options.maxRetryAttempts ?? 5,
    maxRetryDelaySeconds: options.maxRetryDelaySeconds ?? 60,
    registerCommands: options.registerCommands ?? true,
    startTimeoutMs: options.startTimeoutMs ?? (config.platformStartTimeoutSeconds ?? 15) * 1000,
  };
  const problems: string[] = [];
  if (!/^\d+:[\w-]{10,}$/.test(resolved.token))
    problems.push(
      'The Telegram bot token is missing or malformed: set TELEGRAM_BOT_TOKEN to the token @BotFather gave you.',
    );
  try {
    const root = new URL(resolved.apiRoot);
    if (root.protocol !== 'http:' && root.protocol !== 'https:') throw new Error('protocol');
  } catch {
    problems.push(
      `TELEGRAM_API_ROOT="${resolved.apiRoot}" is not an http(s) URL; leave it unset for https://api.telegram.org.`,
    );
  }
  if (resolved.webhookUrl !== undefined) {
    try {
      new URL(resolved.webhookUrl);
    } catch {
      problems.push(
        `TELEGRAM_WEBHOOK_URL="${resolved.webhookUrl}" is not a URL; set the public https address Telegram should call.`,
      );
    }
  }
  if (resolved.webhookSecret !== '' && !WEBHOOK_SECRET_PATTERN.test(resolved.webhookSecret))
    problems.push('TELEGRAM_WEBHOOK_SECRET may only hold 1–256 of A-Z, a-z, 0-9, _ and -.');
  if (!Number.isInteger(resolved.webhookPort) || resolved.webhookPort < 0 || resolved.webhookPort > 65535)
    problems.push(
      `The webhook port ${resolved.webhookPort} must be a whole number from 0 to 65535 (TELEGRAM_WEBHOOK_PORT).`,
    );
  if (!(resolved.pollingTimeoutSeconds >= 0 && resolved.pollingTimeoutSeconds <= 50))
    problems.push('pollingTimeoutSeconds must be from 0 to 50 (Telegram closes longer polls).');
  if (!(resolved.maxConcurrentUpdates >= 1)) problems.push('maxConcurrentUpdates must be at least 1.');
  for (const name of [
    'statusMessageDelayMs',
    'statusEditIntervalMs',
    'chatActionIntervalMs',
    'moderatorCacheMs',
    'maxRetryAttempts',
    'maxRetryDelaySeconds',
    'startTimeoutMs',
  ] as const) {
    if (!(resolved[name] >= 0)) problems.push(`${name} must be a number of at least 0.`);
  }
  if (problems.length > 0) throw new ConfigError(`The Telegram adapter can't start:\n- ${problems.join('\n- ')}`);
  return resolved;
}
