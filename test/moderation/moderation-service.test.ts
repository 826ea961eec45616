/**
 * The moderation behaviour suite, run on the memory backends (stepped clock) and on the Redis
 * backends (a real redis-server, real time).
 */
import { describe } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryAuditLog } from '../../src/moderation/audit-log.ts';
import { MemoryPolicyStore } from '../../src/moderation/policy-store.ts';
import { MemoryRateLimiter } from '../../src/moderation/rate-limiter.ts';
import { RedisAuditLog } from '../../src/moderation/redis-audit-log.ts';
import { connectModerationRedis } from '../../src/moderation/redis-connection.ts';
import { RedisPolicyStore } from '../../src/moderation/redis-policy-store.ts';
import { RedisRateLimiter } from '../../src/moderation/redis-rate-limiter.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';
import { moderationSuite } from './moderation.suite.ts';

// The file's own suite holds the shared cases, so that the test reporter files them under this file.
describe('ModerationService', () => {
  moderationSuite({
    name: 'memory',
    setUp: async () => {},
    tearDown: async () => {},
    create: async ({ auditMaxEntries }) => {
      let clock = Date.UTC(2026, 0, 1);
      const now = () => clock;
      const store = new MemoryPolicyStore();
      return {
        store,
        audit: new MemoryAuditLog({ maxEntriesPerScope: auditMaxEntries, now }),
        rateLimiter: new MemoryRateLimiter({ now }),
        now,
        advance: async (ms) => {
          clock += ms;
        },
        // In memory, a second service in the same process shares the same store instance.
        secondStore: async () => store,
      };
    },
  });

  let redis: TestRedis | undefined;
  const clients: Redis[] = [];
  let prefixes = 0;

  moderationSuite({
    name: 'redis',
    skip: redisTestOptions().skip,
    setUp: async () => {
      redis = await startTestRedis({ extraArgs: ['--stream-node-max-entries', '5'] });
    },
    tearDown: async () => {
      for (const client of clients) client.disconnect();
      await redis?.dispose();
    },
    create: async ({ auditMaxEntries }) => {
      const client = await connectModerationRedis(redis!.url);
      clients.push(client);
      const keyPrefix = `test${++prefixes}:`;
      return {
        store: new RedisPolicyStore({ client, keyPrefix }),
        audit: new RedisAuditLog({ client, keyPrefix, maxEntriesPerScope: auditMaxEntries }),
        rateLimiter: new RedisRateLimiter({ client, keyPrefix }),
        now: Date.now,
        advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        secondStore: async () => {
          const other = await connectModerationRedis(redis!.url);
          clients.push(other);
          return new RedisPolicyStore({ client: other, keyPrefix });
        },
      };
    },
  });
});
