/**
 * @module Runs the Discord bot as several shards under discord.js `ShardingManager`, one
 * process per shard, each running the same adapter (`shard-process.ts`). `startDiscord`
 * uses it when `DISCORD_SHARDS` is a number; it can also be run on its own:
 * `node --import tsx adapters/discord/shard.ts`.
 *
 * Why `DISCORD_SHARDS` must be a number and not `'auto'`: with `'auto'` the manager asks
 * Discord for the recommended count through `fetchRecommendedShardCount`, which calls
 * `GET /gateway/bot` with the *default* REST root (https://discord.com/api), ignoring
 * `DISCORD_API_ROOT`. Against a test server or proxy that is the wrong host, so moodshift
 * only takes a fixed count. Each shard process itself does use `DISCORD_API_ROOT`.
 *
 * With Redis (`REDIS_URL`) every shard and process shares conversations, policies and
 * rate limits, so any of them can answer any button press or reply.
 */
import { ShardingManager, type Shard } from 'discord.js';
import { fileURLToPath } from 'node:url';
import { ConfigError, type Logger, type RunningAdapter } from '../../src/index.ts';

export interface ShardingOptions {
  /** The bot token, passed to each shard as `DISCORD_TOKEN`. */
  token: string;
  /** How many shards to run (a number; see the module note on `'auto'`). */
  totalShards: number;
  logger: Logger;
  /** Milliseconds between shard starts (Discord allows one IDENTIFY per 5 s). @defaultValue 5 500 */
  spawnDelayMs?: number;
  /** How long one shard may take to become ready. @defaultValue 60 000 */
  spawnTimeoutMs?: number;
}

/** How long a failed spawn waits for a shard's own explanation of why it could not start. */
const START_ERROR_WAIT_MS = 5000;

const SHARD_SCRIPT = fileURLToPath(new URL('./shard-process.ts', import.meta.url));

export async function startShardingManager(options: ShardingOptions): Promise<RunningAdapter> {
  if (!Number.isInteger(options.totalShards) || options.totalShards < 1) {
    throw new ConfigError(
      `DISCORD_SHARDS=${options.totalShards} must be a whole number of at least 1 ('auto' is not supported: see adapters/discord/shard.ts).`,
    );
  }
  const manager = new ShardingManager(SHARD_SCRIPT, {
    token: options.token,
    totalShards: options.totalShards,
    mode: 'process',
    execArgv: ['--import', 'tsx'],
    respawn: true,
  });
  const ready = new Set<number>();
  manager.on('shardCreate', (shard: Shard) => {
    options.logger.info({ shard: shard.id }, 'discord: shard started');
    shard.on('ready', () => ready.add(shard.id));
    shard.on('disconnect', () => ready.delete(shard.id));
    shard.on('reconnecting', () => ready.delete(shard.id));
    shard.on('resume', () => ready.add(shard.id));
    shard.on('death', () => ready.delete(shard.id));
    // A respawn that fails is reported here; without a listener it would crash the manager.
    shard.on('error', (error: Error) => {
      if (!failed) options.logger.warn({ shard: shard.id, reason: error.message }, 'discord: shard failed');
    });
    shard.on('message', (message: unknown) => {
      const sentence = (message as { moodshiftStartError?: unknown } | null)?.moodshiftStartError;
      if (typeof sentence === 'string') startError ??= sentence;
    });
  });
  /** The sentence the first shard that could not start sent (shard-process.ts): a refused token, a missing intent, no network. */
  let startError: string | undefined;
  let stopping = false;
  let failed = false;
  try {
    await manager.spawn({
      amount: options.totalShards,
      delay: options.spawnDelayMs ?? 5_500,
      timeout: options.spawnTimeoutMs ?? 60_000,
    });
  } catch (error) {
    // No shard may live on (discord.js respawns a shard that died before it was ready).
    failed = true;
    manager.respawn = false;
    // A shard refused by the gateway (4004, 4014) is reported as disconnected before its process
    // has sent the sentence; give it a moment to arrive.
    const alive = () => [...manager.shards.values()].filter((shard) => shard.process);
    for (let waited = 0; !startError && alive().length > 0 && waited < START_ERROR_WAIT_MS; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    for (const shard of alive()) shard.kill();
    if (startError) throw new ConfigError(startError);
    throw error;
  }
  return {
    name: 'discord',
    isReady: () => !stopping && ready.size === options.totalShards,
    stop: async () => {
      stopping = true;
      // SIGTERM lets each shard finish its turns in flight (shard-process.ts) before it exits.
      await Promise.all(
        [...manager.shards.values()].map(
          (shard) =>
            new Promise<void>((resolve) => {
              const child = shard.process;
              if (!child || child.exitCode !== null) return resolve();
              shard.removeAllListeners('death');
              child.once('exit', () => resolve());
              manager.respawn = false;
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { config: loadDotenv } = await import('dotenv');
  loadDotenv({ quiet: true });
  const { loadConfig, createLogger } = await import('../../src/index.ts');
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  if (!config.discordToken) {
    console.error('Set DISCORD_TOKEN and DISCORD_APPLICATION_ID (and DISCORD_SHARDS) to run the shards.');
    process.exit(1);
  }
  const running = await startShardingManager({
    token: config.discordToken,
    totalShards: config.discordShards ?? 1,
    logger,
  });
  const stop = () => void running.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
