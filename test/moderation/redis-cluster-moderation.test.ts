/**
 * The moderation behaviour suite once more, on a three-primary Redis Cluster: policies, audit
 * streams and rate limits through ioredis' Cluster client, chosen by the `redis+cluster://` URL.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { createModeration } from '../../src/moderation/create-moderation.ts';
import { RedisAuditLog } from '../../src/moderation/redis-audit-log.ts';
import { openModerationRedis } from '../../src/moderation/redis-connection.ts';
import { RedisPolicyStore } from '../../src/moderation/redis-policy-store.ts';
import { RedisRateLimiter } from '../../src/moderation/redis-rate-limiter.ts';
import type { RedisConnection } from '../../src/redis/redis-connection.ts';
import { redisClusterTestOptions, startTestRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.ts';
import { moderationSuite } from './moderation.suite.ts';

let cluster: TestRedisCluster | undefined;
const connections: RedisConnection[] = [];
let prefixes = 0;

moderationSuite({
  name: 'redis cluster',
  skip: redisClusterTestOptions().skip,
  setUp: async () => {
    cluster = await startTestRedisCluster({ extraArgs: ['--stream-node-max-entries', '5'] });
  },
  tearDown: async () => {
    for (const connection of connections.splice(0)) await connection.close();
    await cluster?.dispose();
  },
  create: async ({ auditMaxEntries }) => {
    const client = await openModerationRedis(cluster!.url, { timeoutMs: 5000 });
    connections.push(client);
    const keyPrefix = `cluster${++prefixes}:`;
    return {
      store: new RedisPolicyStore({ client, keyPrefix }),
      audit: new RedisAuditLog({ client, keyPrefix, maxEntriesPerScope: auditMaxEntries }),
      rateLimiter: new RedisRateLimiter({ client, keyPrefix }),
      now: Date.now,
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      secondStore: async () => {
        const other = await openModerationRedis(cluster!.url, { timeoutMs: 5000 });
        connections.push(other);
        return new RedisPolicyStore({ client: other, keyPrefix });
      },
    };
  },
});

describe('moderation built from a redis+cluster:// URL', redisClusterTestOptions(), () => {
  let own: TestRedisCluster | undefined;
  after(async () => {
    await own?.dispose();
  });

  it('blocks an emotion for a server and refuses it, as on one Redis', async () => {
    own = await startTestRedisCluster();
    const moderation = await createModeration({ redisUrl: own.url, keyPrefix: 'built:', redisTimeoutMs: 5000 });
    try {
      const member = {
        platform: 'discord',
        scope: { server: 's', channel: 'c' },
        actor: { id: 'm', name: 'M', isModerator: false },
        chat: 'c',
      };
      await moderation.runCommand(
        { ...member, actor: { id: 'mod', name: 'Mod', isModerator: true } },
        { name: 'block', args: ['fear'] },
      );
      await assert.rejects(
        moderation.checkRequest(member, { text: 'make it scary', target: 'fear', intensity: 0.6, startsNewEdit: true }),
        (error: unknown) => error instanceof UserError && error.code === ErrorCode.EmotionBlocked,
      );
    } finally {
      await moderation.close();
    }
  });
});
