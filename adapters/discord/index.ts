/**
 * @module The Discord adapter's entry point for `adapters/main.ts`: `startDiscord(engine)`.
 *
 * With `DISCORD_SHARDS` set (and not already inside a shard), it starts a discord.js
 * `ShardingManager` whose shard processes each run this same adapter (see `shard.ts`).
 */
import type { AppConfig, Engine, RunningAdapter } from '../../src/index.ts';
import { DiscordAdapter } from './discord-adapter.ts';
import { resolveDiscordOptions, type DiscordAdapterOptions } from './options.ts';

export type { DiscordAdapterOptions } from './options.ts';
export { DiscordAdapter } from './discord-adapter.ts';

/** Whether this process is a shard started by discord.js `ShardingManager` (`SHARDING_MANAGER`, read by `loadConfig`). */
export function isShardProcess(config: Pick<AppConfig, 'discordShardProcess'>): boolean {
  return config.discordShardProcess;
}

/**
 * Connects to Discord and serves the engine there. Options default from `engine.config`
 * (`DISCORD_TOKEN`, `DISCORD_APPLICATION_ID`, `DISCORD_API_ROOT`, `DISCORD_MESSAGE_CONTENT`,
 * `DISCORD_ATTACHMENT_HOSTS`, `DISCORD_SHARDS`, `DISCORD_MODERATOR_ROLE`). Resolves once
 * the bot is ready to serve.
 */
export async function startDiscord(engine: Engine, options: DiscordAdapterOptions = {}): Promise<RunningAdapter> {
  const resolved = resolveDiscordOptions(engine.config, options);
  if (resolved.shards !== undefined && !isShardProcess(engine.config)) {
    const { startShardingManager } = await import('./shard.ts');
    return startShardingManager({ token: resolved.token, totalShards: resolved.shards, logger: engine.logger });
  }
  const adapter = new DiscordAdapter(engine, resolved);
  await adapter.start();
  return adapter;
}
