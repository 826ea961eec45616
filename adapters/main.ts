/**
 * @module The composition root behind `npm start`: reads the configuration, builds the
 * engine, and starts every adapter whose configuration is present. With none, it opens the
 * local web chat on http://127.0.0.1:8080. Not an adapter itself: the one place that knows them all.
 */
import { config as loadDotenv } from 'dotenv';
import type { RunningAdapter } from '../src/adapter.ts';
import { loadConfig } from '../src/config.ts';
import { createEngine } from '../src/engine.ts';
import { ConfigError } from '../src/errors.ts';

loadDotenv({ quiet: true });

async function main(): Promise<void> {
  const config = loadConfig();
  const engine = await createEngine(config);
  const { logger } = engine;
  const adapters: RunningAdapter[] = [];
  try {
    if (config.telegramBotToken) {
      const { startTelegram } = await import('./telegram/index.ts');
      adapters.push(await startTelegram(engine));
    }
    if (config.discordToken && config.discordApplicationId) {
      const { startDiscord } = await import('./discord/index.ts');
      adapters.push(await startDiscord(engine));
    }
    if (adapters.length === 0 || config.webPortSet) {
      const { startWeb } = await import('./web/index.ts');
      adapters.push(await startWeb(engine));
    }
  } catch (error) {
    for (const adapter of adapters) await adapter.stop().catch(() => {});
    await engine.close();
    throw error;
  }
  let observability: { close(): Promise<void> } | undefined;
  if (config.metricsPort !== undefined) {
    const { startBotObservability } = await import('../src/observability/bot-observability.ts');
    observability = await startBotObservability(engine, adapters, { port: config.metricsPort });
  }
  // A person who just ran `npm start` should see where to go, whatever the log format.
  const web = adapters.find((adapter): adapter is RunningAdapter & { url: string } => 'url' in adapter);
  if (web) process.stderr.write(`\nmoodshift is running: open ${web.url} in your browser (Ctrl+C to stop).\n\n`);
  logger.info({ adapters: adapters.map((a) => a.name), renderer: engine.renderer.name, planner: engine.planner.name, normaliser: engine.normaliser.name, store: engine.store.name }, 'moodshift started');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the work in flight');
    // Whatever the platform APIs or Redis are doing, the process ends within SHUTDOWN_TIMEOUT_S.
    setTimeout(() => {
      logger.error({ seconds: config.shutdownTimeoutSeconds }, 'stopping took longer than SHUTDOWN_TIMEOUT_S; exiting without waiting for the rest');
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000).unref();
    await Promise.allSettled(adapters.map((adapter) => adapter.stop()));
    await observability?.close();
    await engine.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`moodshift cannot start.\n${error.message}`);
  } else {
    console.error('moodshift failed to start:', error);
  }
  process.exit(1);
});
