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
import type { RunningAdapter } from '../../src/adapter.ts';
import { ConfigError } from '../../src/errors.ts';
import type { Logger } from '../../src/logger.ts';

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

const SHARD_SCRIPT = fileURLToPath(new URL('./shard-process.ts', import.meta.url));

export async function startShardingManager(options: ShardingOptions): Promise<RunningAdapter> {
  if (!Number.isInteger(options.totalShards) || options.totalShards < 1) {
    throw new ConfigError(`DISCORD_SHARDS=${options.totalShards} must be a whole number of at least 1 ('auto' is not supported: see adapters/discord/shard.ts).`);
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
  });
  let stopping = false;
  await manager.spawn({
    amount: options.totalShards,
    delay: options.spawnDelayMs ?? 5_500,
    timeout: options.spawnTimeoutMs ?? 60_000,
  });
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
  const { loadConfig } = await import('../../src/config.ts');
  const { createLogger } = await import('../../src/logger.ts');
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  if (!config.discordToken) {
    console.error('Set DISCORD_TOKEN and DISCORD_APPLICATION_ID (and DISCORD_SHARDS) to run the shards.');
    process.exit(1);
  }
  const running = await startShardingManager({ token: config.discordToken, totalShards: config.discordShards ?? 1, logger });
  const stop = () => void running.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
