/**
 * @module One shard process under `ShardingManager` (see `shard.ts`): builds the engine
 * from the environment and runs the Discord adapter; discord.js reads which shard it is
 * from the environment the manager set.
 */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, createEngine, loadConfig } from '../../src/index.ts';
import { startDiscord } from './index.ts';

loadDotenv({ quiet: true });
/** Set once the adapter serves; until then there is no work in hand to finish. */
let whenManagerGone: (() => void) | undefined;
// The manager is gone (killed, crashed, or stopped while this shard was still starting): do not
// live on as an orphan bot.
process.once('disconnect', () => (whenManagerGone ? whenManagerGone() : process.exit(1)));
const engine = await createEngine(loadConfig());
const adapter = await startDiscord(engine).catch(async (error: unknown) => {
  await engine.close().catch(() => {});
  if (!(error instanceof ConfigError)) throw error;
  // An expected failure (refused token, missing intent, no network): one sentence and exit code 1,
  // no stack trace. The manager says it once for all shards (shard.ts); run alone, this process does.
  if (process.send && process.connected) process.send({ moodshiftStartError: error.message }, () => process.exit(1));
  else {
    console.error(`moodshift cannot start.\n${error.message}`);
    process.exit(1);
  }
  return new Promise<never>(() => {}); // until the exit above
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  // Bounded like the main process: a turn waiting on a Discord that never answers must not keep
  // this shard alive after the manager has gone (it would live on as an orphan bot).
  setTimeout(() => {
    engine.logger.error(
      { seconds: engine.config.shutdownTimeoutSeconds },
      'discord shard: stopping took longer than SHUTDOWN_TIMEOUT_S; exiting without waiting for the rest',
    );
    process.exit(1);
  }, engine.config.shutdownTimeoutSeconds * 1000).unref();
  await adapter.stop().catch(() => {});
  await engine.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
whenManagerGone = () => void stop();
