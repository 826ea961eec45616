/**
 * @module Reads the one setting that says where Redis is (`REDIS_URL`): a single server
 * (`redis://`, `rediss://` for TLS) or a Redis Cluster (`redis+cluster://`, `rediss+cluster://`),
 * whose address lists one or more of the cluster's nodes, comma-separated; ioredis learns the
 * rest of the cluster from any one of them.
 *
 * ```
 * REDIS_URL=redis://:secret@10.0.0.5:6379/0
 * REDIS_URL=redis+cluster://:secret@10.0.0.5:7000,10.0.0.6:7000,10.0.0.7:7000
 * ```
 */
import { ConfigError } from '../errors.ts';

export interface RedisAddress {
  /** Whether this is a Redis Cluster (the `+cluster` schemes). */
  cluster: boolean;
  /** One node for a single server; the seed nodes of a cluster. */
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  /** Database number (single server only; a cluster has database 0 alone). */
  db?: number;
  tls: boolean;
}

const SCHEMES: Record<string, { cluster: boolean; tls: boolean }> = {
  'redis:': { cluster: false, tls: false },
  'rediss:': { cluster: false, tls: true },
  'redis+cluster:': { cluster: true, tls: false },
  'rediss+cluster:': { cluster: true, tls: true },
};

/** The sentence shown for a bad `REDIS_URL`; it never repeats the value, which may hold a password. */
export const REDIS_URL_HINT =
  'must look like redis://host:6379 (rediss:// for TLS), or redis+cluster://host1:7000,host2:7000 for a Redis Cluster';

/** Parses a Redis URL; throws a `ConfigError` naming `REDIS_URL` when it is not one. */
export function parseRedisUrl(url: string): RedisAddress {
  const fail = (): never => {
    throw new ConfigError(`The Redis URL (REDIS_URL) ${REDIS_URL_HINT}.`);
  };
  const match = /^([a-z+]+:)\/\/(?:([^@/]*)@)?([^/?#]*)(\/[^?#]*)?$/i.exec(url.trim());
  if (!match) return fail();
  const [, rawScheme = '', auth, hosts = '', path] = match;
  const scheme = SCHEMES[rawScheme.toLowerCase()];
  if (!scheme) return fail();
  const nodes = hosts.split(',').map((part) => {
    const hostPort = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(part.trim());
    if (!hostPort) return fail();
    const port = hostPort[2] === undefined ? 6379 : Number(hostPort[2]);
    if (port < 1 || port > 65535) return fail();
    return { host: hostPort[1]!.replace(/^\[|\]$/g, ''), port };
  });
  if (nodes.length === 0 || (!scheme.cluster && nodes.length > 1)) return fail();
  let username: string | undefined;
  let password: string | undefined;
  if (auth !== undefined) {
    const colon = auth.indexOf(':');
    try {
      username = decodeURIComponent(colon < 0 ? auth : auth.slice(0, colon)) || undefined;
      password = colon < 0 ? undefined : decodeURIComponent(auth.slice(colon + 1)) || undefined;
    } catch {
      return fail();
    }
  }
  let db: number | undefined;
  const dbText = (path ?? '').replace(/^\//, '');
  if (dbText !== '') {
    if (!/^\d+$/.test(dbText) || scheme.cluster) return fail();
    db = Number(dbText);
  }
  return { cluster: scheme.cluster, nodes, username, password, db, tls: scheme.tls };
}

/** Whether `url` is a Redis URL this module reads. */
export function isRedisUrl(url: string): boolean {
  try {
    parseRedisUrl(url);
    return true;
  } catch {
    return false;
  }
}

/** A Redis URL for messages and logs: the password replaced by `***`. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)([^@/]*)@/i, (_, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return colon < 0 ? `${scheme}${auth}@` : `${scheme}${auth.slice(0, colon)}:***@`;
  });
}
