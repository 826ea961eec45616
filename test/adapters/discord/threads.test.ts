/**
 * End to end: threads on Discord. A thread has a channel id of its own, yet the rules a
 * moderator set for a channel hold in the channel's threads: a member cannot get round a
 * channel-only block by opening a thread, and a moderator's channel-only command run in a
 * thread changes the parent channel's policy. The thread stays a conversation of its own.
 *
 * One server, with #art (and its threads) and #memes. Each scenario uses members of its own,
 * so that one person's rate limit never decides another scenario. A second bot starts after
 * a thread exists, and learns of it from GUILD_CREATE rather than THREAD_CREATE.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DiscordAdapter } from '../../../adapters/discord/index.ts';
import {
  ChannelType,
  type FakeAttachment,
  type FakeChannel,
  type FakeMessage,
  type FakeUser,
} from '../../fakes/discord/fake-discord.ts';
import { moodEdit, newMember, newModerator, startHarness, uploadPhoto, type Harness } from './harness.ts';

describe('Discord: threads follow their parent channel’s moderation', () => {
  let h: Harness;
  let moderator: FakeUser;
  let photo: FakeAttachment;
  let art: FakeChannel;
  let memes: FakeChannel;
  let critique: FakeChannel;

  before(async () => {
    h = await startHarness({ env: { DISCORD_MESSAGE_CONTENT: 'true' } });
    moderator = newModerator(h);
    art = h.fake.addChannel(h.guild, 'art');
    memes = h.fake.addChannel(h.guild, 'memes');
    critique = h.fake.addThread(art, 'critique');
    photo = await uploadPhoto(h.fake, 'chelsea.png', 64);
    await h.fake.waitFor(() => client().channels.cache.get(critique.id), 5_000, 'the bot to receive THREAD_CREATE');
  });
  after(() => h.close());

  const client = () => (h.adapter as DiscordAdapter).client;
  const member = (name: string): FakeUser => newMember(h, name);
  const blockChannelOnly = async (channel: FakeChannel, emotion: string): Promise<FakeMessage> => {
    const block = h.fake.slashCommand({
      user: moderator,
      channel,
      command: 'moodmod',
      subcommand: 'block',
      options: { emotion, channel_only: true },
    });
    return h.fake.waitForText(block, new RegExp(emotion));
  };
  const edit = (user: FakeUser, channel: FakeChannel, feeling: string, withPhoto = true) =>
    moodEdit(h, { user, channel, photo: withPhoto ? photo : undefined, feeling });

  it('refuses in a thread of #art what a moderator blocked for #art only, with the same message, and not in #memes', async () => {
    await blockChannelOnly(art, 'fear');
    const inArt = await h.fake.waitForText(edit(member('art-member'), art, 'make it scary'), /blocked fear/);
    const inThread = await h.fake.waitForText(edit(member('thread-member'), critique, 'make it scary'), /blocked fear/);
    assert.equal(inThread.content, inArt.content, 'the refusal in the thread is the one given in #art');
    assert.equal(inThread.channel_id, critique.id, 'the refusal is posted in the thread');
    assert.equal(inThread.attachments.length, 0, 'no picture comes with the refusal');

    const elsewhere = await h.fake.waitForPicture(edit(member('memes-member'), memes, 'make it scary'));
    assert.match(elsewhere.content, /→ fear/, 'the block is for #art only');
  });

  it('refuses a message that mentions the bot in the thread too', async () => {
    const asked = h.fake.postMessage({
      user: member('message-member'),
      channel: critique,
      content: 'make it scary',
      attachments: [photo],
      mentionBot: true,
    });
    const refusal = await h.fake.waitFor(
      () => h.fake.botMessagesIn(critique).find((m) => m.replyTo === asked.id && /blocked fear/.test(m.content)),
      20_000,
      `a refusal in reply to message ${asked.id}`,
    );
    assert.equal(refusal.attachments.length, 0);
  });

  it('applies #art’s rules to a button press on a picture in the thread', async () => {
    const user = member('button-member');
    const sad = await h.fake.waitForPicture(edit(user, critique, 'sadder'));
    assert.match(sad.content, /→ sadness/);
    await blockChannelOnly(art, 'sadness');
    const press = h.fake.pressButton({ user, message: sad, label: 'More' });
    const refusal = await h.fake.waitForText(press, /blocked sadness/);
    assert.equal(refusal.channel_id, critique.id);
  });

  it('changes #art’s policy when a moderator runs a channel-only command in a thread of #art', async () => {
    const confirmation = await blockChannelOnly(critique, 'anger');
    assert.doesNotMatch(confirmation.content, /Only moderators/);
    const inArt = await h.fake.waitForText(edit(member('parent-member'), art, 'angrier'), /blocked anger/);
    const inThread = await h.fake.waitForText(edit(member('thread-member-2'), critique, 'angrier'), /blocked anger/);
    assert.equal(inThread.content, inArt.content);
    const elsewhere = await h.fake.waitForPicture(edit(member('memes-member-2'), memes, 'angrier'));
    assert.match(elsewhere.content, /→ anger/);
  });

  it('knows the parent of a thread the bot was never told of, from the interaction’s channel', async () => {
    const hidden = h.fake.addThread(art, 'private corner', { type: ChannelType.PrivateThread, announce: false });
    assert.equal(client().channels.cache.has(hidden.id), false, 'the bot has not cached the thread');
    const refusal = await h.fake.waitForText(edit(member('private-member'), hidden, 'make it scary'), /blocked fear/);
    assert.equal(refusal.channel_id, hidden.id);
  });

  it('looks up the parent of a thread it was never told of when a message arrives there', async () => {
    const hidden = h.fake.addThread(art, 'quiet corner', { type: ChannelType.PrivateThread, announce: false });
    const asked = h.fake.postMessage({
      user: member('hidden-message-member'),
      channel: hidden,
      content: 'make it scary',
      attachments: [photo],
      mentionBot: true,
    });
    const refusal = await h.fake.waitFor(
      () => h.fake.botMessagesIn(hidden).find((m) => m.replyTo === asked.id && /blocked fear/.test(m.content)),
      20_000,
      `#art's block of fear in reply to message ${asked.id}`,
    );
    assert.equal(refusal.attachments.length, 0);
    assert.equal(
      (client().channels.cache.get(hidden.id) as { parentId?: string } | undefined)?.parentId,
      art.id,
      'the parent is known from now on',
    );
  });

  it('keeps the thread a conversation of its own: a picture edited in #art is not the thread’s picture', async () => {
    const user = member('conversation-member');
    const inArt = await h.fake.waitForPicture(edit(user, art, 'calmer'));
    assert.match(inArt.content, /more contentment than the original · moderate/);

    const inThread = await h.fake.waitForText(edit(user, critique, 'funnier', false), /Send me a photo first/);
    assert.equal(inThread.attachments.length, 0, 'the thread has no picture to edit');

    const againInArt = await h.fake.waitForPicture(edit(user, art, 'funnier', false));
    assert.match(againInArt.content, /→ amusement/, '#art still edits its own current picture');
  });
});

describe('Discord: a thread that was active before the bot connected', () => {
  let h: Harness;
  let art: FakeChannel;
  let critique: FakeChannel;

  before(async () => {
    h = await startHarness({
      beforeStart: ({ fake, guild }) => {
        art = fake.addChannel(guild, 'art');
        critique = fake.addThread(art, 'critique');
      },
    });
  });
  after(() => h.close());

  it('is known with its parent from GUILD_CREATE, so #art’s channel-only block holds in it', async () => {
    const cached = (h.adapter as DiscordAdapter).client.channels.cache.get(critique.id);
    assert.ok(cached?.isThread(), 'the bot cached the thread from GUILD_CREATE’s threads');
    assert.equal(cached.parentId, art.id);

    const moderator = newModerator(h);
    const block = h.fake.slashCommand({
      user: moderator,
      channel: art,
      command: 'moodmod',
      subcommand: 'block',
      options: { emotion: 'disgust', channel_only: true },
    });
    await h.fake.waitForText(block, /disgust/);
    const photo = await uploadPhoto(h.fake, 'chelsea.png', 64);
    const edit = moodEdit(h, { channel: critique, photo, feeling: 'more disgusting' });
    await h.fake.waitForText(edit, /blocked disgust/);
  });
});
