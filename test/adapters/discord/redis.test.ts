/**
 * End to end with Redis: two bot processes (two engines, two discord.js clients, one Redis)
 * serve the same conversations, as shards or replicas do. A picture made by one is refined
 * by the other, and a block set through one is enforced by the other.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningAdapter } from '../../../src/adapter.ts';
import { loadConfig } from '../../../src/config.ts';
import { createEngine, type Engine } from '../../../src/engine.ts';
import { startDiscord } from '../../../adapters/discord/index.ts';
import type { GatewaySession } from '../../fakes/discord/fake-gateway.ts';
import { Permission } from '../../fakes/discord/fake-discord.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../../helpers/redis-server.ts';
import {
  editWithPhoto,
  environmentFor,
  moodEdit,
  newMember,
  startHarness,
  uploadPhoto,
  type Harness,
} from './harness.ts';

describe('Discord with Redis: any process serves any conversation', redisTestOptions(), () => {
  let redis: TestRedis;
  let h: Harness;
  let secondEngine: Engine;
  let second: RunningAdapter;
  let first: GatewaySession;
  let other: GatewaySession;

  before(async () => {
    redis = await startTestRedis();
    h = await startHarness({ env: { REDIS_URL: redis.url } });
    secondEngine = await createEngine(loadConfig(environmentFor(h.fake, { REDIS_URL: redis.url })));
    second = await startDiscord(secondEngine);
    [first, other] = h.fake.gateway.sessions as [GatewaySession, GatewaySession];
    assert.ok(first && other && first.id !== other.id, 'two gateway sessions');
  });
  after(async () => {
    await second?.stop();
    await secondEngine?.close();
    await h?.close();
    await redis?.dispose();
  });

  it('refines on one process a picture the other one made', async () => {
    const { picture } = await editWithPhoto(h, { feeling: 'sadder', via: first });
    const press = h.fake.pressButton({ user: h.alice, message: picture, label: 'More', via: other });
    const stronger = await h.fake.waitForPicture(press);
    assert.match(stronger.content, /sadness · strong/);
  });

  it('enforces on one process a block set through the other', async () => {
    const moderator = newMember(h, 'mod');
    const block = h.fake.slashCommand({
      user: moderator,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'block',
      options: { emotion: 'disgust' },
      permissions: Permission.ManageGuild,
      via: first,
    });
    await h.fake.waitForText(block, /disgust/);
    const edit = moodEdit(h, { photo: await uploadPhoto(h.fake), feeling: 'disgusting', via: other });
    await h.fake.waitForText(edit, /blocked disgust/);
  });

  it('refuses on one process a person banned through the other', async () => {
    const moderator = newMember(h, 'mod2');
    const photo = await uploadPhoto(h.fake);
    const edit = (via: GatewaySession) => moodEdit(h, { photo, feeling: 'sadder', via });
    // The first process reads (and caches) the server's policy before the ban.
    await h.fake.waitForPicture(edit(first));
    const ban = h.fake.slashCommand({
      user: moderator,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'ban',
      options: { user: { user: h.alice } },
      permissions: Permission.ManageGuild,
      via: other,
    });
    await h.fake.waitForText(ban, new RegExp(`${h.alice.id} can no longer use the bot in this server`));
    // The engine promises a change reaches every process within a second.
    await sleep(1000);
    await h.fake.waitForText(edit(first), /A moderator has stopped you from using the bot in this server/);
  });
});
