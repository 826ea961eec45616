/**
 * What only the Redis backends do: a policy change made by another OS process is seen within a
 * second, Redis going down gives a quick UnavailableError (and recovery when it is back), and the
 * audit export merges every server's stream.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ErrorCode, UnavailableError, UserError } from '../../src/errors.ts';
import { createModeration } from '../../src/moderation/create-moderation.ts';
import type { ModerationService } from '../../src/moderation/moderation-service.ts';
import type { EditRequestCheck, ModerationContext } from '../../src/moderation/moderation.ts';
import { freePort, redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';

const run = promisify(execFile);

const member = (server: string, id = 'member'): ModerationContext => ({
  platform: 'discord',
  scope: { server, channel: `${server}-general` },
  actor: { id, name: 'Member', isModerator: false },
  chat: `${server}-general`,
});
const moderator = (server: string): ModerationContext => ({
  ...member(server, 'mod'),
  actor: { id: 'mod', name: 'Mod', isModerator: true },
});
const scary: EditRequestCheck = { text: 'make it scary', target: 'fear', intensity: 0.6, startsNewEdit: true };

describe('moderation on Redis', redisTestOptions(), () => {
  let redis: TestRedis;
  const services: ModerationService[] = [];
  const open = async (keyPrefix: string, extra: { cacheTtlMs?: number } = {}) => {
    const service = await createModeration({ redisUrl: redis.url, keyPrefix, redisTimeoutMs: 500, ...extra });
    services.push(service);
    return service;
  };

  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    for (const service of services) await service.close().catch(() => {});
    await redis.dispose();
  });

  it('sees a policy change made by another process within a second', async () => {
    const moderation = await open('xproc:', { cacheTtlMs: 10 * 60_000 });
    assert.equal(await moderation.checkRequest(member('g1'), scary), 0.6, 'fear is allowed, and now cached');
    const script = new URL('./fixtures/block-in-another-process.ts', import.meta.url).pathname;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, redis.url, 'xproc:', 'g1', 'fear'], {
      cwd: new URL('../..', import.meta.url).pathname,
    });
    const changedAt = Number(stdout.trim());
    assert.ok(changedAt > 0, `the other process printed ${stdout}`);
    for (;;) {
      const outcome = await moderation.checkRequest(member('g1'), { ...scary, startsNewEdit: false }).then(
        () => 'allowed',
        (error: unknown) => (error instanceof UserError ? error.code : String(error)),
      );
      if (outcome === ErrorCode.EmotionBlocked) break;
      assert.ok(
        Date.now() - changedAt < 1000,
        'fear was still allowed here a second after the other process blocked it',
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const [entry] = await moderation.readAudit('discord:g1', 1);
    assert.equal(entry?.rule, ErrorCode.EmotionBlocked);
  });

  it('fails fast with UnavailableError while Redis is down, and recovers when it is back', async () => {
    const moderation = await open('down:');
    assert.equal(await moderation.checkRequest(member('g2'), scary), 0.6);
    await redis.kill();
    try {
      const started = Date.now();
      await assert.rejects(moderation.checkRequest(member('g2'), scary), (error: unknown) => {
        assert.ok(error instanceof UnavailableError, `expected UnavailableError, got ${String(error)}`);
        assert.equal(error.dependency, 'redis');
        return true;
      });
      // Generous bound: the point is "no long hang", not a speed figure.
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms to give up`);
      await assert.rejects(moderation.runCommand(moderator('g2'), { name: 'block', args: ['fear'] }), UnavailableError);
    } finally {
      await redis.restart();
    }
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await moderation.checkRequest(member('g2'), scary).then(
        () => true,
        () => false,
      );
      if (ok) break;
      assert.ok(Date.now() < deadline, 'moderation did not reconnect to Redis');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await moderation.runCommand(moderator('g2'), { name: 'block', args: ['fear'] });
    await assert.rejects(moderation.checkRequest(member('g2'), scary), UserError);
  });

  it('refuses to start when Redis does not answer', async () => {
    const port = await freePort();
    await assert.rejects(
      createModeration({ redisUrl: `redis://127.0.0.1:${port}`, redisTimeoutMs: 500 }),
      UnavailableError,
    );
  });

  it('exports the audit log of every server as JSON lines, oldest first', async () => {
    const moderation = await open('export:');
    const since = Date.now();
    await moderation.runCommand(moderator('a'), { name: 'block', args: ['fear'] });
    await moderation.runCommand(moderator('b'), { name: 'block', args: ['fear'] });
    await assert.rejects(moderation.checkRequest(member('a'), scary), UserError);
    await assert.rejects(moderation.checkRequest(member('b'), scary), UserError);
    let text = '';
    const out = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    assert.equal(await moderation.exportAudit({ since }, out), 4);
    const entries = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { scope: string; kind: string; at: number });
    assert.deepEqual(entries.map((entry) => `${entry.scope} ${entry.kind}`).sort(), [
      'discord:a policy_change',
      'discord:a refusal',
      'discord:b policy_change',
      'discord:b refusal',
    ]);
    assert.equal(`${entries[0]!.scope} ${entries[0]!.kind}`, 'discord:a policy_change');
    assert.ok(entries.every((entry, index) => index === 0 || entry.at >= entries[index - 1]!.at));
    text = '';
    assert.equal(await moderation.exportAudit({ scope: 'discord:b', since }, out), 2);
  });
});
