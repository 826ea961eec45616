/**
 * End-to-end with Redis: the bot is stopped and started again (a new engine, a new grammY bot)
 * between two turns, and the conversation, the replies to old pictures and the buttons on
 * them still work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redisTestOptions, startTestRedis, type TestRedis } from '../../helpers/redis-server.ts';
import type { FakeChat, FakeMessage } from '../../fakes/telegram/fake-bot-api.ts';
import { botAnswers, button, isPicture, pictureBytes, startPrivateChat, type Harness } from './telegram-harness.ts';

describe('Telegram with Redis: a restart between two turns', redisTestOptions(), () => {
  let redis: TestRedis;
  let h: Harness;
  let chat: FakeChat;
  let photo: Buffer;
  let sadder: FakeMessage;

  before(async () => {
    redis = await startTestRedis();
    ({ h, chat, photo } = await startPrivateChat({ env: { REDIS_URL: redis.url } }));
    sadder = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsPhoto(photo, { caption: 'make this sadder' }),
      isPicture,
      'the first edit',
    );
    await h.stopBot();
    await h.startBot();
  });
  after(async () => {
    await h?.close();
    await redis?.dispose();
  });

  it('still finds the conversation: "more" acts on the last edit', async () => {
    const stronger = await botAnswers(h.fake, chat, () => h.fake.userSendsText('more'), isPicture, 'the stronger edit');
    assert.match(stronger.caption ?? '', /sadness · strong/);
  });

  it('still answers a button on a picture sent before the restart', async () => {
    const original = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userPressesButton(sadder, button(sadder, 'Undo')),
      isPicture,
      'the undone picture',
    );
    assert.match(original.caption ?? '', /original photo/);
    assert.notDeepEqual(pictureBytes(h.fake, original), pictureBytes(h.fake, sadder));
  });

  it('still acts on the edit a reply points at', async () => {
    const branch = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userSendsText('less', { replyTo: sadder }),
      isPicture,
      'the weaker edit',
    );
    assert.match(branch.caption ?? '', /sadness · subtle/);
  });
});
