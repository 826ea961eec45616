import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { redisTestOptions, startTestRedis, type TestRedis } from '../../helpers/redis-server.ts';
import { fixture, Session, startTestWeb, type TestWeb } from './web-test-engine.ts';

const smallPhoto = () => sharp(fixture('rocket.jpg')).resize({ width: 160 }).jpeg().toBuffer();

describe('web chat moderation', () => {
  it('lets the operator at a local page block an emotion, and then refuses it', async () => {
    const t = await startTestWeb();
    try {
      const operator = new Session(t.web.url);
      await operator.upload(await smallPhoto(), 'make it calm', { type: 'image/jpeg' });
      const block = await operator.say({ text: '/block fear' });
      assert.equal(block.status, 200);
      assert.equal(block.body.replies[0]!.kind, 'info');
      const scary = await operator.say({ text: 'make it scary' });
      assert.equal(scary.status, 403);
      assert.equal(scary.body.replies[0]!.code, 'emotion_blocked');
      assert.match(scary.body.replies[0]!.text, /blocked fear/);
      // Another visitor of the same web chat is bound by the same block.
      const visitor = new Session(t.web.url);
      const refused = await visitor.upload(await smallPhoto(), 'make it scary', { type: 'image/jpeg' });
      assert.equal(refused.body.replies[0]!.code, 'emotion_blocked');
      // Moderators read the refusals in the audit log, but never a session's secret cookie.
      const audit = await t.engine.moderation.readAudit('web:local', 20);
      assert.ok(
        audit.some((entry) => entry.kind === 'refusal' && entry.rule === 'emotion_blocked'),
        JSON.stringify(audit),
      );
      for (const session of [operator, visitor]) {
        const secret = session.cookie!.split('=')[1]!;
        assert.ok(!JSON.stringify(audit).includes(secret));
      }
    } finally {
      await t.close();
    }
  });

  it('refuses moderator commands when the page is not limited to this machine', async () => {
    const t = await startTestWeb({ moderatorCommands: false });
    try {
      const visitor = new Session(t.web.url);
      const block = await visitor.say({ text: '/block fear' });
      assert.equal(block.status, 403);
      assert.equal(block.body.replies[0]!.code, 'not_moderator');
    } finally {
      await t.close();
    }
  });
});

describe('web chat on Redis', redisTestOptions(), () => {
  let redis: TestRedis;
  let first: TestWeb;
  let second: TestWeb;
  before(async () => {
    redis = await startTestRedis();
    first = await startTestWeb({}, { REDIS_URL: redis.url });
    second = await startTestWeb({}, { REDIS_URL: redis.url });
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await redis?.dispose();
  });

  it('serves one conversation from two processes sharing Redis', async () => {
    const onFirst = new Session(first.web.url);
    const sad = (await onFirst.upload(await smallPhoto(), 'make this sadder', { type: 'image/jpeg' })).body.replies[0]!;
    assert.equal(sad.kind, 'edit');

    // The same browser session (cookie) reaches the other process.
    const onSecond = new Session(second.web.url);
    onSecond.cookie = onFirst.cookie;
    const picture = await onSecond.request(sad.image!.url);
    assert.equal(picture.status, 200);
    const more = await onSecond.say({ text: 'more' });
    assert.equal(more.status, 200);
    assert.equal(more.body.replies[0]!.target, 'sadness');
    assert.match(more.body.replies[0]!.text, /strong/);
    const undo = await onFirst.say({ action: { kind: 'undo', editId: more.body.replies[0]!.editId } });
    assert.equal(undo.body.replies[0]!.editId, sad.editId);

    const stranger = new Session(second.web.url);
    await stranger.request('/');
    assert.equal((await stranger.request(sad.image!.url)).status, 404);
  });
});
