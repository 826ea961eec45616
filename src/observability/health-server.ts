/**
 * @module A small HTTP server on a port of its own: `/metrics` (Prometheus text format),
 * `/healthz` (the process is alive) and `/readyz` (every readiness check passes: 200, or 503
 * with a JSON body naming the failing ones).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => boolean | Promise<boolean>;

/** Ready when Redis answers PING: an ioredis client, or a `RedisConnection` (every primary of a cluster). */
export function redisPingCheck(redis: { ping(): Promise<string | boolean> }): ReadinessCheck {
  return async () => {
    const reply = await redis.ping().catch(() => false);
    return reply === 'PONG' || reply === true;
  };
}

export interface HealthServerOptions {
  /** @defaultValue 9464 */
  port?: number;
  /** @defaultValue `0.0.0.0` (scraped from other hosts) */
  host?: string;
  registry: Registry;
  /** Named readiness checks, e.g. `{ redis: …, telegram: … }`. */
  checks?: Record<string, ReadinessCheck>;
}

export interface RunningHealthServer {
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<RunningHealthServer> {
  const checks = options.checks ?? {};
  const server: Server = createServer(async (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (path === '/metrics') {
        const body = await options.registry.metrics();
        response.writeHead(200, { 'content-type': options.registry.contentType }).end(body);
      } else if (path === '/healthz') {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"alive"}');
      } else if (path === '/readyz') {
        const results = await Promise.all(
          Object.entries(checks).map(
            async ([name, check]) => [name, await Promise.resolve(check()).catch(() => false)] as const,
          ),
        );
        const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
        response.writeHead(failing.length ? 503 : 200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: failing.length ? 'not ready' : 'ready',
            checks: Object.fromEntries(results),
            failing,
          }),
        );
      } else {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      }
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, options.host ?? '0.0.0.0', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address === '0.0.0.0' ? '127.0.0.1' : address.address}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
