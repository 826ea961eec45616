/**
 * @module The engine's public entry point: all that a platform adapter (`adapters/**`, the
 * composition root `adapters/main.ts` included) may use, and the only engine module it imports
 * (an ESLint rule in `eslint.config.js` keeps it so). An adapter translates: it reads a platform's
 * message into a `Turn`, hands it to `engine.editor.handle(turn, { progress, send })`, shows each
 * `Reply` it is given to send, and reads conversations only through `engine.conversations`.
 */
import type { Engine } from './engine.ts';
import type { RunningAdapter } from './adapter.ts';

// The engine and what crosses between it and an adapter.
export { createEngine, type Engine, type EngineParts } from './engine.ts';
export type { Editor, TurnOutcome, TurnReport } from './editor.ts';
export type { RunningAdapter } from './adapter.ts';
export * from './turn.ts';
export {
  Conversations,
  MAX_EXCHANGES,
  type ConversationExchange,
  type ConversationHistory,
  type EditPicture,
  type ExchangeReply,
  type HistoryEdit,
} from './conversations.ts';

// Configuration, logging and errors.
export { loadConfig, type AppConfig } from './config.ts';
export { createLogger, type Logger } from './logger.ts';
export * from './errors.ts';

// Words, commands, buttons and emotions every platform shows alike.
export * from './messages.ts';
export * from './commands.ts';
export * from './buttons.ts';
export * from './emotions.ts';
export { INTENSITY, type IntensityLevel } from './intent.ts';
export { PICTURE_CLASSES } from './moderation/policy.ts';

// Pictures from a platform's file URLs.
export { downloadImage, formatBytes } from './image/download.ts';

/**
 * Serves `/metrics`, `/healthz` and `/readyz` for the running adapters on `options.port`. Loaded
 * only when called (the metrics client is not needed otherwise).
 */
export async function startBotObservability(
  engine: Engine,
  adapters: RunningAdapter[],
  options: { port: number; host?: string },
): Promise<{ close(): Promise<void> }> {
  const { startBotObservability: start } = await import('./observability/bot-observability.ts');
  return start(engine, adapters, options);
}
