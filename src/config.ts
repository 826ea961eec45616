/**
 * @module The operator's configuration: environment variables (also read from a `.env`
 * file by the entry points), validated once at start. Every bad value is reported in one
 * `ConfigError` whose lines each name the variable and what to change.
 */
import { ConfigError } from './errors.ts';
import { readLlmSettings, type LlmSettings } from './llm/llm-options.ts';
import { REDIS_URL_HINT, isRedisUrl } from './redis/redis-url.ts';

export type RendererBackend = 'tone' | 'diffusion' | 'queue';
export type PlannerBackend = 'knowledge' | 'onnx' | 'llm';
export type NormaliserBackend = 'rules' | 'llm';
export type ExecutionProviderName = 'cpu' | 'cuda' | 'webgpu';

export interface AppConfig {
  /** `TELEGRAM_BOT_TOKEN`: starts the Telegram adapter. */
  telegramBotToken?: string;
  /** `TELEGRAM_API_ROOT`. @defaultValue `https://api.telegram.org` */
  telegramApiRoot: string;
  /** `TELEGRAM_WEBHOOK_URL`: webhook mode instead of long polling. */
  telegramWebhookUrl?: string;
  /** `TELEGRAM_WEBHOOK_SECRET`: the secret token Telegram sends with each webhook call. */
  telegramWebhookSecret?: string;
  /** `TELEGRAM_WEBHOOK_PORT`. @defaultValue 8443 */
  telegramWebhookPort: number;
  /** `DISCORD_TOKEN` and `DISCORD_APPLICATION_ID`: start the Discord adapter (both needed). */
  discordToken?: string;
  discordApplicationId?: string;
  /** `DISCORD_API_ROOT`. @defaultValue `https://discord.com/api` */
  discordApiRoot: string;
  /** `DISCORD_GUILD_ID`: where `npm run discord:commands` registers the commands (globally when unset). */
  discordGuildId?: string;
  /** `DISCORD_MESSAGE_CONTENT=true`: read messages that mention the bot (needs the privileged intent). @defaultValue false */
  discordMessageContent: boolean;
  /** `DISCORD_ATTACHMENT_HOSTS`: extra hosts attachments may be downloaded from, comma-separated. @defaultValue [] */
  discordAttachmentHosts: string[];
  /** `DISCORD_SHARDS`: run under discord.js ShardingManager with this many shards. */
  discordShards?: number;
  /**
   * `SHARDING_MANAGER`: set to `true` by discord.js `ShardingManager` in the shard processes it
   * starts (never by an operator), so that a shard runs the adapter instead of starting shards itself.
   */
  discordShardProcess: boolean;
  /** `DISCORD_MODERATOR_ROLE`: a role name whose members are moderators besides ManageGuild. */
  discordModeratorRole?: string;
  /**
   * `REDIS_URL`: conversation state, policies, audit log, rate limits and the render queue in Redis:
   * `redis://` (`rediss://` for TLS), or `redis+cluster://host1:7000,host2:7000` for a Redis Cluster.
   */
  redisUrl?: string;
  /** `MOODSHIFT_RENDERER`. @defaultValue `tone` */
  renderer: RendererBackend;
  /** `MOODSHIFT_PLANNER`. @defaultValue `knowledge` */
  planner: PlannerBackend;
  /** `MOODSHIFT_NORMALISER`. @defaultValue `rules` */
  normaliser: NormaliserBackend;
  /** `MOODSHIFT_POLICY`: the operator's global moderation policy file (JSON or YAML). */
  policyFile?: string;
  /** `MOODSHIFT_PICTURE_MODEL`: the picture-safety classifier, `MobileNetV2` (fast) or `InceptionV3`. @defaultValue `MobileNetV2` */
  pictureModel: 'MobileNetV2' | 'InceptionV3';
  /** `MOODSHIFT_PICTURE_CHECK_TIMEOUT_S`: longest one picture-safety check may take; past it the picture is refused where the rule blocks. @defaultValue 15 */
  pictureCheckTimeoutSeconds: number;
  /** `MOODSHIFT_STATE_TTL_DAYS`: how long a conversation lives after its last activity. @defaultValue 7 */
  stateTtlDays: number;
  /** `MOODSHIFT_MAX_IMAGE_MB`. @defaultValue 20 */
  maxImageMegabytes: number;
  /** `MOODSHIFT_PICTURE_BUDGET_MB`: most megabytes of stored pictures (memory or Redis); keep it below Redis `maxmemory`. @defaultValue 512 */
  pictureBudgetMegabytes: number;
  /** `MOODSHIFT_PICTURES_PER_CONVERSATION`: pictures one conversation keeps ahead of others' when space runs short. @defaultValue 20 */
  picturesPerConversation: number;
  /** `MOODSHIFT_MAX_MEGAPIXELS`. @defaultValue 40 */
  maxMegapixels: number;
  /** `MOODSHIFT_MAX_SIDE`: longest side of a picture, in pixels. @defaultValue 16384 */
  maxSide: number;
  /** `MOODSHIFT_MAX_JPEG_MEGAPIXELS`: largest JPEG, decoded shrunk on load to within `MOODSHIFT_MAX_MEGAPIXELS`. @defaultValue 120 */
  maxJpegMegapixels: number;
  /** `MOODSHIFT_DECODE_TIMEOUT_S`: time limit of one picture decode, whole seconds. @defaultValue 5 */
  decodeTimeoutSeconds: number;
  /**
   * `MOODSHIFT_MAX_CONCURRENT_DECODES`: picture checks and local tone renders running at once, everyone
   * together (one per person); more wait their turn. Keep it below `UV_THREADPOOL_SIZE` (4). @defaultValue 2
   */
  maxConcurrentDecodes: number;
  /** `MODELS_DIR`: where ONNX models live. @defaultValue `models/weights` */
  modelsDir: string;
  /** `ORT_EXECUTION_PROVIDER`. @defaultValue `cpu` */
  executionProvider: ExecutionProviderName;
  /** `LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`: an OpenAI-compatible chat model. */
  llmBaseUrl?: string;
  llmApiKey?: string;
  llmModel?: string;
  /** The other `LLM_*` settings and `MOODSHIFT_LLM_MODE` (README: Language models); unset ones take each component's default. */
  llm: LlmSettings;
  /** `MODELS_BASE_URL`: where `moodshift models fetch` downloads from instead of each file's listed source. */
  modelsBaseUrl?: string;
  /** `WEB_HOST`. @defaultValue `127.0.0.1` */
  webHost: string;
  /** `WEB_PORT`. @defaultValue 8080 */
  webPort: number;
  /** Whether `WEB_PORT` was set explicitly (then the web chat runs beside the platform adapters). */
  webPortSet: boolean;
  /**
   * `WEB_ALLOWED_HOSTS`: host names (optionally `name:port`) the web chat answers to besides the
   * loopback names and `WEB_HOST`, comma-separated; requests for any other `Host` get 421. @defaultValue []
   */
  webAllowedHosts: string[];
  /**
   * `WEB_SESSION_SECRET`: the key that signs web session cookies (at least 16 characters). Unset, a
   * random key per process is used; cookies it did not sign are still accepted for conversations that exist.
   */
  webSessionSecret?: string;
  /** `WEB_NEW_SESSIONS_PER_MINUTE`: new web conversations one network address may start per minute. @defaultValue 10 */
  webNewSessionsPerMinute: number;
  /** `METRICS_PORT`: serve /metrics, /healthz and /readyz on this port. */
  metricsPort?: number;
  /** `MOODSHIFT_MAX_JOBS_PER_PERSON`: renders one person may have running at once. @defaultValue 2 */
  maxJobsPerPerson: number;
  /** `MOODSHIFT_RENDER_TIMEOUT_S`: how long one render may take. @defaultValue 120 */
  renderTimeoutSeconds: number;
  /** `PLATFORM_START_TIMEOUT_S`: how long the bot waits for Telegram's getMe or Discord's login before giving up with exit code 1. @defaultValue 15 */
  platformStartTimeoutSeconds: number;
  /** `SHUTDOWN_TIMEOUT_S`: after SIGTERM, how long the bot waits for the work in hand before it exits anyway. @defaultValue 10 */
  shutdownTimeoutSeconds: number;
  /** `WORKER_CONCURRENCY`: renders one worker process runs at once. @defaultValue 1 */
  workerConcurrency: number;
  /** `WORKER_RENDERER`: the local backend a queue worker renders with. @defaultValue `tone` */
  workerRenderer: Exclude<RendererBackend, 'queue'>;
  /** `WORKER_LOCK_DURATION_MS`: how long a worker's lock on a job lasts without renewal; a dead worker's job is taken over after it. @defaultValue 30000 */
  workerLockDurationMs: number;
  /** `WORKER_STALLED_INTERVAL_MS`: how often workers look for the stalled jobs of dead workers. @defaultValue 30000 */
  workerStalledIntervalMs: number;
  /** `MOODSHIFT_TEST_RENDER_DELAY_MS`: for the queue's failure tests only, every worker render takes this long. @defaultValue 0 */
  testRenderDelayMs: number;
  /** `LOG_LEVEL`. @defaultValue `info` */
  logLevel: string;
  /** Whether `LOG_LEVEL` was set explicitly (the command line is quieter otherwise: `warn`). */
  logLevelSet: boolean;
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, problems: string[]): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = raw.toLowerCase();
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name}="${raw}" is not one of ${allowed.join(', ')}; leave it unset for ${fallback}.`);
  return fallback;
}

function number(
  env: Env,
  name: string,
  fallback: number,
  problems: string[],
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
  integer = true,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    problems.push(`${name}="${raw}" must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`);
    return fallback;
  }
  return value;
}

function url(
  env: Env,
  name: string,
  fallback: string | undefined,
  problems: string[],
  protocols = ['http:', 'https:'],
): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  try {
    const parsed = new URL(raw);
    if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    problems.push(`${name}="${raw}" is not a valid ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL.`);
    return fallback;
  }
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function flag(env: Env, name: string, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  problems.push(`${name}="${env[name]}" must be true or false.`);
  return false;
}

/** Reads and validates the configuration. Throws one ConfigError listing every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const discordToken = text(env, 'DISCORD_TOKEN');
  const discordApplicationId = text(env, 'DISCORD_APPLICATION_ID');
  if (discordToken && !discordApplicationId)
    problems.push('DISCORD_TOKEN is set but DISCORD_APPLICATION_ID is not: set both to start the Discord adapter.');
  if (discordApplicationId && !/^\d{5,25}$/.test(discordApplicationId))
    problems.push(
      `DISCORD_APPLICATION_ID="${discordApplicationId}" must be the numeric Application ID from https://discord.com/developers/applications.`,
    );
  const telegramBotToken = text(env, 'TELEGRAM_BOT_TOKEN');
  if (telegramBotToken && !/^\d+:[\w-]{10,}$/.test(telegramBotToken))
    problems.push(
      'TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters); copy it again from @BotFather.',
    );
  const shards = text(env, 'DISCORD_SHARDS');
  const renderer = oneOf(env, 'MOODSHIFT_RENDERER', ['tone', 'diffusion', 'queue'] as const, 'tone', problems);
  const planner = oneOf(env, 'MOODSHIFT_PLANNER', ['knowledge', 'onnx', 'llm'] as const, 'knowledge', problems);
  const normaliser = oneOf(env, 'MOODSHIFT_NORMALISER', ['rules', 'llm'] as const, 'rules', problems);
  const redisUrl = text(env, 'REDIS_URL');
  // The value is not repeated: it may hold a password.
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) problems.push(`REDIS_URL ${REDIS_URL_HINT}.`);
  const llmBaseUrl = url(env, 'LLM_BASE_URL', undefined, problems);
  if (renderer === 'queue' && !redisUrl)
    problems.push('MOODSHIFT_RENDERER=queue needs REDIS_URL (the queue lives in Redis).');
  if ((planner === 'llm' || normaliser === 'llm') && !llmBaseUrl)
    problems.push(
      'MOODSHIFT_PLANNER=llm or MOODSHIFT_NORMALISER=llm needs LLM_BASE_URL (an OpenAI-compatible server).',
    );

  const config: AppConfig = {
    telegramBotToken,
    telegramApiRoot: url(env, 'TELEGRAM_API_ROOT', 'https://api.telegram.org', problems)!,
    telegramWebhookUrl: url(env, 'TELEGRAM_WEBHOOK_URL', undefined, problems, ['https:', 'http:']),
    telegramWebhookSecret: text(env, 'TELEGRAM_WEBHOOK_SECRET'),
    telegramWebhookPort: number(env, 'TELEGRAM_WEBHOOK_PORT', 8443, problems, 1, 65535),
    discordToken,
    discordApplicationId,
    discordApiRoot: url(env, 'DISCORD_API_ROOT', 'https://discord.com/api', problems)!,
    discordGuildId: text(env, 'DISCORD_GUILD_ID'),
    discordMessageContent: flag(env, 'DISCORD_MESSAGE_CONTENT', problems),
    discordAttachmentHosts: (text(env, 'DISCORD_ATTACHMENT_HOSTS') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    discordShards: shards === undefined ? undefined : number(env, 'DISCORD_SHARDS', 1, problems, 1, 4096),
    discordShardProcess: flag(env, 'SHARDING_MANAGER', problems),
    discordModeratorRole: text(env, 'DISCORD_MODERATOR_ROLE'),
    redisUrl,
    renderer,
    planner,
    normaliser,
    policyFile: text(env, 'MOODSHIFT_POLICY'),
    pictureModel:
      oneOf(env, 'MOODSHIFT_PICTURE_MODEL', ['mobilenetv2', 'inceptionv3'] as const, 'mobilenetv2', problems) ===
      'inceptionv3'
        ? 'InceptionV3'
        : 'MobileNetV2',
    pictureCheckTimeoutSeconds: number(env, 'MOODSHIFT_PICTURE_CHECK_TIMEOUT_S', 15, problems, 0.1, 600, false),
    stateTtlDays: number(env, 'MOODSHIFT_STATE_TTL_DAYS', 7, problems, 0.001, 3650, false),
    maxImageMegabytes: number(env, 'MOODSHIFT_MAX_IMAGE_MB', 20, problems, 0.01, 500, false),
    pictureBudgetMegabytes: number(env, 'MOODSHIFT_PICTURE_BUDGET_MB', 512, problems, 1, 1_048_576, false),
    picturesPerConversation: number(env, 'MOODSHIFT_PICTURES_PER_CONVERSATION', 20, problems, 1, 10_000),
    maxMegapixels: number(env, 'MOODSHIFT_MAX_MEGAPIXELS', 40, problems, 0.01, 1000, false),
    maxSide: number(env, 'MOODSHIFT_MAX_SIDE', 16384, problems, 1, 65535),
    maxJpegMegapixels: number(env, 'MOODSHIFT_MAX_JPEG_MEGAPIXELS', 120, problems, 0.01, 4000, false),
    decodeTimeoutSeconds: number(env, 'MOODSHIFT_DECODE_TIMEOUT_S', 5, problems, 1, 3600),
    maxConcurrentDecodes: number(env, 'MOODSHIFT_MAX_CONCURRENT_DECODES', 2, problems, 1, 64),
    modelsDir: text(env, 'MODELS_DIR') ?? 'models/weights',
    executionProvider: oneOf(env, 'ORT_EXECUTION_PROVIDER', ['cpu', 'cuda', 'webgpu'] as const, 'cpu', problems),
    llmBaseUrl,
    llmApiKey: text(env, 'LLM_API_KEY'),
    llmModel: text(env, 'LLM_MODEL'),
    llm: readLlmSettings(env, problems),
    modelsBaseUrl: url(env, 'MODELS_BASE_URL', undefined, problems),
    webHost: text(env, 'WEB_HOST') ?? '127.0.0.1',
    webPort: number(env, 'WEB_PORT', 8080, problems, 0, 65535),
    webPortSet: text(env, 'WEB_PORT') !== undefined,
    webAllowedHosts: (text(env, 'WEB_ALLOWED_HOSTS') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    webSessionSecret: text(env, 'WEB_SESSION_SECRET'),
    webNewSessionsPerMinute: number(env, 'WEB_NEW_SESSIONS_PER_MINUTE', 10, problems, 1, 100_000),
    metricsPort:
      text(env, 'METRICS_PORT') === undefined ? undefined : number(env, 'METRICS_PORT', 9464, problems, 0, 65535),
    maxJobsPerPerson: number(env, 'MOODSHIFT_MAX_JOBS_PER_PERSON', 2, problems, 1, 100),
    renderTimeoutSeconds: number(env, 'MOODSHIFT_RENDER_TIMEOUT_S', 120, problems, 1, 3600),
    platformStartTimeoutSeconds: number(env, 'PLATFORM_START_TIMEOUT_S', 15, problems, 0.1, 600, false),
    shutdownTimeoutSeconds: number(env, 'SHUTDOWN_TIMEOUT_S', 10, problems, 0.1, 3600, false),
    workerConcurrency: number(env, 'WORKER_CONCURRENCY', 1, problems, 1, 64),
    workerRenderer: oneOf(env, 'WORKER_RENDERER', ['tone', 'diffusion'] as const, 'tone', problems),
    workerLockDurationMs: number(env, 'WORKER_LOCK_DURATION_MS', 30_000, problems, 100, 3_600_000),
    workerStalledIntervalMs: number(env, 'WORKER_STALLED_INTERVAL_MS', 30_000, problems, 100, 3_600_000),
    testRenderDelayMs: number(env, 'MOODSHIFT_TEST_RENDER_DELAY_MS', 0, problems, 0, 600_000),
    logLevel: oneOf(
      env,
      'LOG_LEVEL',
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const,
      'info',
      problems,
    ),
    logLevelSet: text(env, 'LOG_LEVEL') !== undefined,
  };
  if (problems.length > 0) {
    throw new ConfigError(`The configuration has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  }
  return config;
}
