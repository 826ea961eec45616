/**
 * @module The local web chat: the page `npm start` opens with no configuration, served by
 * Hono on Node's HTTP server. It uses the same Editor as every other adapter; a browser
 * session (an http-only cookie) is one conversation.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { ConfigError, type Engine, type RunningAdapter } from '../../src/index.ts';
import { loadAssets } from './assets.ts';
import { AllowedHosts } from './allowed-hosts.ts';
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
   * the web chat's own policy scope. Even when true, a turn has them only when it comes from a
   * loopback peer, under a loopback `Host` (`localhost`, `127.0.0.1`, `[::1]`) and with no proxy
   * headers (`Forwarded`, `X-Forwarded-For`, `X-Real-IP`): a page of another site that rebinds
   * its name to 127.0.0.1, or a visitor through a local reverse proxy, never gets them.
   * @defaultValue true when `host` is a loopback address (only the operator's own machine can
   * reach the page), false otherwise
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
  /**
   * Host names the page answers to besides the loopback names (`localhost`, `127.0.0.1`,
   * `[::1]`, any port) and `host` itself (unless it is `0.0.0.0` or `::`): `name` for any port or
   * `name:port`. A request with another `Host` is refused with 421 before anything is served, so
   * a site that rebinds its name to this machine cannot reach the chat. Behind a reverse proxy or
   * on a LAN address, list the name people type. `/healthz` answers every host.
   * @defaultValue `engine.config.webAllowedHosts` (`WEB_ALLOWED_HOSTS`, none)
   */
  allowedHosts?: string[];
  /**
   * The key that signs session cookies, at least 16 characters. When unset a random key per
   * process signs them; a cookie signed with another key is then taken only for a conversation
   * that exists (restarts and other processes keep conversations, but a tab that has not sent
   * anything yet starts afresh). Give every process serving one chat the same secret.
   * @defaultValue `engine.config.webSessionSecret` (`WEB_SESSION_SECRET`, unset)
   */
  sessionSecret?: string;
  /**
   * New conversations (session cookies) one network address may start per minute; more get 429.
   * Dropping the cookie therefore cannot buy more than this many fresh rate limits. IPv6 counts per
   * /64; behind a reverse proxy every visitor shares the proxy's address: raise it there.
   * @defaultValue `engine.config.webNewSessionsPerMinute` (`WEB_NEW_SESSIONS_PER_MINUTE`, 10)
   */
  newSessionsPerMinute?: number;
  /** Event streams open at once over all sessions; more get 503, so streams cannot use up the process's file descriptors. @defaultValue 200 */
  maxStreams?: number;
  /**
   * An event stream that carried no progress for this long (keep-alives do not count) is ended;
   * the page's EventSource reconnects by itself, so only abandoned streams stay closed. @defaultValue 300 000 (5 minutes)
   */
  streamIdleMs?: number;
}

export type RunningWebAdapter = RunningAdapter & {
  /** The page's address, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
};

/** How long a stop waits for the last answers to be written before closing their connections. */
const STOP_GRACE_MS = 5000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

function resolveSettings(engine: Engine, options: WebAdapterOptions): WebAppSettings & { port: number } {
  const host = options.host ?? engine.config.webHost;
  const port = options.port ?? engine.config.webPort;
  const sessionSecret = options.sessionSecret ?? engine.config.webSessionSecret;
  if (sessionSecret !== undefined && sessionSecret.length < 16)
    throw new ConfigError(
      'WEB_SESSION_SECRET is too short: use at least 16 random characters (for example `openssl rand -hex 32`), or leave it unset.',
    );
  let allowedHosts: AllowedHosts;
  try {
    allowedHosts = new AllowedHosts(host, options.allowedHosts ?? engine.config.webAllowedHosts);
  } catch (error) {
    throw new ConfigError(
      `WEB_ALLOWED_HOSTS: ${(error as Error).message}; list host names such as chat.example.com or 192.168.1.5:8080, comma-separated.`,
    );
  }
  const settings = {
    host,
    port,
    allowedHosts,
    ...(sessionSecret === undefined ? {} : { sessionSecret }),
    newSessionsPerMinute: options.newSessionsPerMinute ?? engine.config.webNewSessionsPerMinute,
    maxStreams: options.maxStreams ?? 200,
    streamIdleMs: options.streamIdleMs ?? 300_000,
    maxImageBytes: options.maxImageBytes ?? Math.round(engine.config.maxImageMegabytes * 1024 * 1024),
    maxTextLength: options.maxTextLength ?? 2000,
    moderatorCommands: options.moderatorCommands ?? (LOOPBACK_HOSTS.has(host) || host.startsWith('127.')),
    heartbeatMs: options.heartbeatMs ?? 15_000,
    maxStreamsPerSession: options.maxStreamsPerSession ?? 4,
    maxTurnsPerClient: options.maxTurnsPerClient ?? 4,
  };
  if (!host.trim())
    throw new ConfigError('The web chat needs a host to listen on: set WEB_HOST (for example 127.0.0.1).');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(
      `The web chat port ${port} is not a port number: set WEB_PORT to a whole number from 0 to 65535.`,
    );
  for (const name of [
    'maxImageBytes',
    'maxTextLength',
    'heartbeatMs',
    'maxStreamsPerSession',
    'maxTurnsPerClient',
    'newSessionsPerMinute',
    'maxStreams',
    'streamIdleMs',
  ] as const) {
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
      const why =
        error.code === 'EADDRINUSE'
          ? 'the port is in use'
          : error.code === 'EACCES'
            ? 'permission denied'
            : error.message;
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
