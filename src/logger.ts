/**
 * @module Structured logging with pino. One line per turn with its outcome and timings;
 * tokens, API keys and image bytes are never logged (redacted by path, and callers log
 * sizes and hashes rather than buffers).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** pino level (`trace` … `fatal`, or `silent`); entry points pass `AppConfig.logLevel` (`LOG_LEVEL`). @defaultValue `info` */
  level?: string;
  /** File descriptor to write to: 1 for standard output, 2 for standard error. @defaultValue 1 */
  fd?: 1 | 2;
  /** Name shown in every line. @defaultValue `moodshift` */
  name?: string;
}

const REDACT = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'config.telegramBotToken',
  'config.discordToken',
  'config.llmApiKey',
  'config.webSessionSecret',
  'config.telegramWebhookSecret',
  '*.bytes',
  'headers.authorization',
  '*.headers.authorization',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  return pino(
    { name: options.name ?? 'moodshift', level, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination({ fd: options.fd ?? 1, sync: true }),
  );
}

/** A logger that writes nothing, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
