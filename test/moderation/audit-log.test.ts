/**
 * Both audit logs keep entries per scope, newest first for moderators and oldest first for
 * export, bounded in length and in age.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { MemoryAuditLog, type AuditLog, type AuditLogOptions } from '../../src/moderation/audit-log.ts';
import type { AuditEntry } from '../../src/moderation/moderation.ts';
import { RedisAuditLog } from '../../src/moderation/redis-audit-log.ts';
import { connectModerationRedis } from '../../src/moderation/redis-connection.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';

const DAY = 86_400_000;

const entry = (scope: string, at: number, rule = 'emotion_blocked'): AuditEntry => ({
  at,
  scope,
  actor: { id: 'u1', name: 'Uma' },
  kind: 'refusal',
  rule,
  request: 'make it scary',
});

async function collect(iterable: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

function auditLogSuite(
  name: string,
  skip: string | undefined,
  open: (options: AuditLogOptions) => Promise<AuditLog>,
  setUp = async () => {},
  tearDown = async () => {},
) {
  describe(`the ${name} audit log`, { skip }, () => {
    before(setUp);
    after(tearDown);

    it('reads one scope newest first, and exports oldest first across scopes', async () => {
      const log = await open({});
      const start = Date.now();
      await log.append(entry('discord:a', start, 'first'));
      await log.append(entry('discord:b', start + 1, 'second'));
      await log.append(entry('discord:a', start + 2, 'third'));
      assert.deepEqual(
        (await log.latest('discord:a', 10)).map((e) => e.rule),
        ['third', 'first'],
      );
      assert.deepEqual(
        (await log.latest('discord:a', 1)).map((e) => e.rule),
        ['third'],
      );
      assert.deepEqual(
        (await collect(log.query({ since: start }))).map((e) => e.rule),
        ['first', 'second', 'third'],
      );
      assert.deepEqual(
        (await collect(log.query({ since: start, limit: 2 }))).map((e) => e.rule),
        ['first', 'second'],
      );
      assert.deepEqual(
        (await collect(log.query({ scope: 'discord:b' }))).map((e) => e.rule),
        ['second'],
      );
      assert.deepEqual(await log.latest('discord:nobody', 5), []);
    });

    it('drops the oldest entries beyond the bound', async () => {
      const log = await open({ maxEntriesPerScope: 5 });
      const start = Date.now();
      for (let i = 0; i < 40; i++) await log.append(entry('discord:bounded', start + i, `n${i}`));
      const kept = await log.latest('discord:bounded', 100);
      // Redis trims whole stream nodes (`MAXLEN ~`); the test server keeps 5 entries per node.
      assert.ok(kept.length >= 5 && kept.length <= 10, `kept ${kept.length} of 40 with a bound of 5`);
      assert.equal(kept[0]!.rule, 'n39');
    });

    it('drops entries older than the retention period', async () => {
      let clock = Date.now();
      const log = await open({ retentionDays: 30, now: () => clock });
      await log.append(entry('discord:old', clock - 31 * DAY, 'too old'));
      await log.append(entry('discord:old', clock - 29 * DAY, 'recent'));
      assert.deepEqual(
        (await log.latest('discord:old', 10)).map((e) => e.rule),
        ['recent'],
      );
      clock += 2 * DAY;
      assert.deepEqual(await log.latest('discord:old', 10), []);
      assert.deepEqual(await collect(log.query({ scope: 'discord:old' })), []);
    });
  });
}

auditLogSuite('memory', undefined, async (options) => new MemoryAuditLog(options));

let redis: TestRedis | undefined;
let client: Redis | undefined;
let prefixes = 0;
auditLogSuite(
  'Redis',
  redisTestOptions().skip,
  async (options) => new RedisAuditLog({ client: client!, keyPrefix: `audit${++prefixes}:`, ...options }),
  async () => {
    redis = await startTestRedis({ extraArgs: ['--stream-node-max-entries', '5'] });
    client = await connectModerationRedis(redis.url);
  },
  async () => {
    client?.disconnect();
    await redis?.dispose();
  },
);
