/**
 * @module The local web chat: the page `npm start` opens with no configuration, served by
 * Hono on Node's HTTP server. It uses the same Editor as every other adapter; a browser
 * session (an http-only cookie) is one conversation.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { RunningAdapter } from '../../src/adapter.ts';
import type { Engine } from '../../src/engine.ts';
import { ConfigError } from '../../src/errors.ts';
import { loadAssets } from './assets.ts';
import { createWebApp, type WebAppSettings } from './app.ts';

export interface WebAdapterOptions {
  /** The address to listen on. @defaultValue `engine.config.webHost` (`WEB_HOST`, `127.0.0.1`) */
  host?: string;
  /** The port; 0 picks a free one (tests). @defaultValue `engine.config.webPort` (`WEB_PORT`, 8080) */
  port?: number;
  /** Largest picture accepted, in bytes; the request body may be 64 KB more. @defaultValue `engine.config.maxImageMegabytes` (20 MB) */
  maxImageBytes?: number;
  /** Longest message accepted, in characters. @defaultValue 2000 */
  maxTextLength?: number;
  /**
   * Whether people on the page may use the moderator commands (`/block fear`, `/policy`…) for
   * the web chat's own policy scope. @defaultValue true when `host` is a loopback address
   * (only the operator's own machine can reach the page), false otherwise
   */
  moderatorCommands?: boolean;
  /** How often an idle event stream sends a keep-alive comment, in ms. @defaultValue 15 000 */
  heartbeatMs?: number;
  /** Event streams one session may hold open (browser tabs). @defaultValue 4 */
  maxStreamsPerSession?: number;
  /**
   * Turns one network address may have running at once; more are refused with 429. A
   * visitor can drop their cookie to start new conversations, so the per-person rate limits of
   * moderation cannot bound them. Behind a reverse proxy every visitor shares the proxy's
   * address: raise it there. @defaultValue 4
   */
  maxTurnsPerClient?: number;
}

export type RunningWebAdapter = RunningAdapter & {
  /** The page's address, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
};

/** How long a stop waits for the last answers to be written before closing their connections. */
const STOP_GRACE_MS = 5000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

function resolveSettings(engine: Engine, options: WebAdapterOptions): WebAppSettings & { host: string; port: number } {
  const host = options.host ?? engine.config.webHost;
  const port = options.port ?? engine.config.webPort;
  const settings = {
    host,
    port,
    maxImageBytes: options.maxImageBytes ?? Math.round(engine.config.maxImageMegabytes * 1024 * 1024),
    maxTextLength: options.maxTextLength ?? 2000,
    moderatorCommands: options.moderatorCommands ?? (LOOPBACK_HOSTS.has(host) || host.startsWith('127.')),
    heartbeatMs: options.heartbeatMs ?? 15_000,
    maxStreamsPerSession: options.maxStreamsPerSession ?? 4,
    maxTurnsPerClient: options.maxTurnsPerClient ?? 4,
  };
  if (!host.trim()) throw new ConfigError('The web chat needs a host to listen on: set WEB_HOST (for example 127.0.0.1).');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`The web chat port ${port} is not a port number: set WEB_PORT to a whole number from 0 to 65535.`);
  for (const name of ['maxImageBytes', 'maxTextLength', 'heartbeatMs', 'maxStreamsPerSession', 'maxTurnsPerClient'] as const) {
    if (!Number.isFinite(settings[name]) || settings[name] < 1)
      throw new ConfigError(`WebAdapterOptions.${name} must be a positive number; leave it out for the default.`);
  }
  return settings;
}

/** Starts the web chat and resolves once it listens. */
export async function startWeb(engine: Engine, options: WebAdapterOptions = {}): Promise<RunningWebAdapter> {
  const settings = resolveSettings(engine, options);
  const assets = await loadAssets();
  const web = createWebApp(engine, settings, assets);
  const server = createAdaptorServer({ fetch: web.app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(
        new ConfigError(
          `The web chat cannot listen on ${settings.host}:${settings.port} (${why}): set WEB_PORT to a free port or WEB_HOST to an address of this machine.`,
        ),
      );
    };
    server.once('error', failed);
    server.listen(settings.port, settings.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostInUrl}:${address.port}`;
  engine.logger.info({ adapter: 'web', url }, `web chat open on ${url}`);

  let listening = true;
  let stopped: Promise<void> | undefined;
  return {
    name: 'web',
    url,
    isReady: () => listening && !web.stopping,
    stop() {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await web.drain();
        // Answers of the last turns are still being written: close each connection once it is idle.
        const closeIdle = setInterval(() => server.closeIdleConnections(), 25);
        const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        await closed;
        clearInterval(closeIdle);
        clearTimeout(force);
        listening = false;
      })();
      return stopped;
    },
  };
}
