import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/errors.ts';
import { runAuditCommand } from '../../src/moderation/audit-command.ts';
import { createModeration } from '../../src/moderation/create-moderation.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';

async function audit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runAuditCommand(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('moodshift audit', redisTestOptions(), () => {
  let redis: TestRedis;
  const savedUrl = process.env.REDIS_URL;

  before(async () => {
    redis = await startTestRedis();
    process.env.REDIS_URL = redis.url;
    const moderation = await createModeration({ redisUrl: redis.url });
    const context = { platform: 'discord', scope: { server: 'g1', channel: 'c1' }, chat: 'c1' };
    await moderation.runCommand(
      { ...context, actor: { id: 'mod', name: 'Mo', isModerator: true } },
      { name: 'block', args: ['fear'] },
    );
    await assert.rejects(
      moderation.checkRequest(
        { ...context, actor: { id: 'u1', name: 'Ann', isModerator: false } },
        {
          text: 'make it scary',
          target: 'fear',
          intensity: 0.6,
          startsNewEdit: true,
        },
      ),
    );
    await moderation.close?.();
  });

  after(async () => {
    if (savedUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = savedUrl;
    await redis.dispose();
  });

  it('exports the policy change and the refusal of one server as JSON lines, oldest first', async () => {
    const result = await audit(['--scope', 'discord:g1']);
    assert.equal(result.code, 0, result.stderr);
    const entries = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; rule: string; actor: { id: string } });
    assert.deepEqual(
      entries.map((e) => e.kind),
      ['policy_change', 'refusal'],
    );
    assert.equal(entries[1]!.rule, ErrorCode.EmotionBlocked);
    assert.equal(entries[1]!.actor.id, 'u1');
    assert.match(result.stderr, /2 entries exported/);
  });

  it('exports nothing for another scope, and refuses a bad --since', async () => {
    assert.equal((await audit(['--scope', 'discord:other'])).stdout, '');
    const bad = await audit(['--since', 'yesterday-ish']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since/);
  });

  it('says why it cannot export without REDIS_URL', async () => {
    delete process.env.REDIS_URL;
    try {
      const result = await audit([]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /REDIS_URL/);
    } finally {
      process.env.REDIS_URL = redis.url;
    }
  });
});
