/**
 * @module The composition root behind `npm start`: reads the configuration, builds the
 * engine, and starts every adapter whose configuration is present. With none, it opens the
 * local web chat on http://127.0.0.1:8080. Not an adapter itself: the one place that knows them all.
 */
import { config as loadDotenv } from 'dotenv';
import {
  ConfigError,
  createEngine,
  createLogger,
  loadConfig,
  startBotObservability,
  type RunningAdapter,
} from '../src/index.ts';

loadDotenv({ quiet: true });

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  // SIGTERM or Ctrl+C while starting (models load, platforms log in) stops cleanly once what is
  // starting has started or failed, within SHUTDOWN_TIMEOUT_S of the signal like any stop.
  let signalled: string | undefined;
  let onSignal = (signal: string): void => {
    if (signalled) return;
    signalled = signal;
    logger.info({ signal }, 'stopping: the signal came while starting; stopping once start-up is done');
    armShutdownDeadline();
  };
  const armShutdownDeadline = (): void => {
    // Whatever the platform APIs or Redis are doing, the process ends within SHUTDOWN_TIMEOUT_S.
    setTimeout(() => {
      logger.error(
        { seconds: config.shutdownTimeoutSeconds },
        'stopping took longer than SHUTDOWN_TIMEOUT_S; exiting without waiting for the rest',
      );
      process.exit(1);
    }, config.shutdownTimeoutSeconds * 1000).unref();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  logger.info('moodshift starting');

  const engine = await createEngine(config, { logger });
  const adapters: RunningAdapter[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(adapters.map((adapter) => adapter.stop()));
    await engine.close();
  };
  try {
    if (config.telegramBotToken && !signalled) {
      const { startTelegram } = await import('./telegram/index.ts');
      adapters.push(await startTelegram(engine));
    }
    if (config.discordToken && config.discordApplicationId && !signalled) {
      const { startDiscord } = await import('./discord/index.ts');
      adapters.push(await startDiscord(engine));
    }
    if ((adapters.length === 0 || config.webPortSet) && !signalled) {
      const { startWeb } = await import('./web/index.ts');
      adapters.push(await startWeb(engine));
    }
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
  if (signalled) {
    await stopAll();
    logger.info('stopped');
    process.exit(0);
  }
  let observability: { close(): Promise<void> } | undefined;
  if (config.metricsPort !== undefined) {
    observability = await startBotObservability(engine, adapters, { port: config.metricsPort });
  }
  // A person who just ran `npm start` should see where to go, whatever the log format.
  const web = adapters.find((adapter): adapter is RunningAdapter & { url: string } => 'url' in adapter);
  if (web) process.stderr.write(`\nmoodshift is running: open ${web.url} in your browser (Ctrl+C to stop).\n\n`);
  logger.info(
    {
      adapters: adapters.map((a) => a.name),
      renderer: engine.renderer.name,
      planner: engine.planner.name,
      normaliser: engine.normaliser.name,
      store: engine.store.name,
    },
    'moodshift started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the work in flight');
    armShutdownDeadline();
    await Promise.allSettled(adapters.map((adapter) => adapter.stop()));
    await observability?.close();
    await engine.close();
    logger.info('stopped');
    process.exit(0);
  };
  onSignal = (signal) => void stop(signal);
  if (signalled) void stop(signalled);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`moodshift cannot start.\n${error.message}`);
  } else {
    console.error('moodshift failed to start:', error);
  }
  process.exit(1);
});
