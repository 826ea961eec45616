/**
 * @module Telegram updates by webhook (`TELEGRAM_WEBHOOK_URL`): grammY's
 * `webhookCallback(bot, 'hono', { secretToken })` on a Hono app served by `@hono/node-server`,
 * as the web chat is.
 *
 * - grammY refuses a call without the secret token (`X-Telegram-Bot-Api-Secret-Token`, compared
 *   in constant time) with 401; Hono's `bodyLimit` refuses a body over 1 MB with 413 (an update
 *   is a few kilobytes); a body that is no update is answered 400.
 * - An update is answered at once and handled in the background ({@link WebhookReceiver.middleware},
 *   the bot's first middleware in webhook mode): a long edit never holds Telegram's request open,
 *   and a turn of one conversation waits for the one before it (`sequentialize`) without holding
 *   up the others. An update that Telegram sends again because an answer was lost is handled once.
 * - While stopping, calls are answered 503, so that Telegram keeps the update and sends it again
 *   to the next start; the webhook itself stays set.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { BotError, webhookCallback, type Bot, type Context, type MiddlewareFn } from 'grammy';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../../src/index.ts';

/** Webhook bodies larger than this are refused (an update is a few kilobytes). */
export const WEBHOOK_BODY_MAX_BYTES = 1024 * 1024;
/** How many update ids are remembered, so that an update sent again is handled once. */
const REMEMBERED_UPDATES = 2000;

export interface WebhookSettings {
  /** The public URL Telegram posts to; its path is the one served. */
  url: string;
  /** The secret token; a random one when empty. */
  secret?: string;
  port: number;
  host?: string;
}

/** What the adapter needs of a way of receiving updates. */
export interface WebhookReceiver {
  /** Install it first, before every handler: it answers the update and hands the rest to the background. */
  readonly middleware: MiddlewareFn<Context>;
  /** Listens, then asks Telegram to post to the URL with the secret (`setWebhook`). */
  start(setWebhook: (url: string, secretToken: string) => Promise<unknown>): Promise<void>;
  isReceiving(): boolean;
  /** Stops taking new updates (503 from now on). */
  stopReceiving(): Promise<void>;
  /** After the work in flight has finished: closes the server. */
  afterSettled(): Promise<void>;
}

class NotAnUpdate extends Error {}
class Stopping extends Error {}

/**
 * A webhook receiver for `bot`. `track` is the adapter's record of work in flight, which
 * `stop()` waits for.
 */
export function createWebhookReceiver(
  bot: Bot,
  settings: WebhookSettings,
  track: (work: Promise<void>) => Promise<void>,
  logger: Logger,
): WebhookReceiver {
  const url = new URL(settings.url);
  const secret = settings.secret || randomBytes(32).toString('base64url');
  const recent = new Set<number>();
  let accepting = true;

  const middleware: MiddlewareFn<Context> = (ctx, next) => {
    if (typeof ctx.update?.update_id !== 'number') throw new NotAnUpdate('the webhook body is no update');
    if (!accepting) throw new Stopping('stopping');
    const id = ctx.update.update_id;
    if (recent.has(id)) return;
    recent.add(id);
    if (recent.size > REMEMBERED_UPDATES) recent.delete(recent.values().next().value!);
    const work = Promise.resolve()
      .then(next)
      .catch(async (error: unknown) => {
        await bot.errorHandler(error instanceof BotError ? error : new BotError(error, ctx));
      });
    void track(work).catch((error: unknown) => logger.error({ err: error }, 'telegram: the error handler failed'));
  };

  const app = new Hono();
  app.post(
    url.pathname,
    bodyLimit({ maxSize: WEBHOOK_BODY_MAX_BYTES, onError: (c) => c.body(null, 413) }),
    webhookCallback(bot, 'hono', { secretToken: secret }),
  );
  app.onError((error, c) => {
    const cause = error instanceof BotError ? error.error : error;
    if (cause instanceof Stopping) return c.body(null, 503);
    logger.warn({ err: cause }, 'telegram: bad webhook request');
    return c.body(null, 400);
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;

  return {
    middleware,
    async start(setWebhook) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(settings.port, settings.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      try {
        await setWebhook(url.href, secret);
      } catch (error) {
        server.close();
        throw error;
      }
    },
    isReceiving: () => accepting && server.listening,
    stopReceiving: async () => {
      accepting = false;
      server.closeIdleConnections();
    },
    afterSettled: async () => {
      // The webhook stays set: Telegram keeps new updates for the next start.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
