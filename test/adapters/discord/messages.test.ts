/**
 * End to end with DISCORD_MESSAGE_CONTENT=true: a message that mentions the bot with a
 * picture starts an edit, a reply to one of the bot's pictures acts on that edit, DMs work,
 * and other chatter is left alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Intent } from '../../fakes/discord/fake-gateway.ts';
import type { FakeMessage } from '../../fakes/discord/fake-discord.ts';
import { meanDifference, newModerator, smallPhoto, startHarness, type Harness } from './harness.ts';

describe('Discord: messages that mention or reply to the bot', () => {
  let h: Harness;
  let input: Buffer;
  let scary: FakeMessage;

  const replyTo = (message: FakeMessage) =>
    h.fake.waitFor(
      () =>
        [...h.fake.messages.values()].find(
          (m) => m.replyTo === message.id && m.author.id === h.fake.bot.id && m.attachments.length > 0,
        ),
      20_000,
      `a picture in reply to message ${message.id}`,
    );

  before(async () => {
    h = await startHarness({ env: { DISCORD_MESSAGE_CONTENT: 'true' } });
    input = await smallPhoto('coffee.png', 100);
  });
  after(() => h.close());

  it('asks for the message intents, Message Content included', () => {
    const intents = h.fake.gateway.sessions[0]!.intents;
    for (const intent of [Intent.Guilds, Intent.GuildMessages, Intent.DirectMessages, Intent.MessageContent]) {
      assert.ok(intents & intent, `intent ${intent} is asked for`);
    }
  });

  it('edits the picture of a message that mentions the bot, replying to it after showing progress', async () => {
    const photo = h.fake.uploadFile(input, 'coffee.png', 'image/png');
    const ignored = h.fake.postMessage({
      user: h.alice,
      channel: h.channel,
      content: 'make this sadder',
      attachments: [photo],
    });
    const asked = h.fake.postMessage({
      user: h.alice,
      channel: h.channel,
      content: 'make this scarier',
      attachments: [photo],
      mentionBot: true,
    });
    scary = await replyTo(asked);
    assert.match(scary.content, /→ fear/);
    assert.ok(
      scary.history.some((s) => /Planning|Rendering/.test(s.content)),
      'progress came first',
    );
    const output = await sharp(scary.attachments[0]!.bytes).metadata();
    assert.equal(
      output.width! / output.height!,
      (await sharp(input).metadata()).width! / (await sharp(input).metadata()).height!,
    );
    assert.ok(
      ![...h.fake.messages.values()].some((m) => m.replyTo === ignored.id),
      'a message not meant for the bot gets no answer',
    );
  });

  it('acts on the edit a reply points at: "more" makes it stronger', async () => {
    const more = h.fake.postMessage({ user: h.alice, channel: h.channel, content: 'more', replyTo: scary });
    const stronger = await replyTo(more);
    assert.match(stronger.content, /fear · strong/);
    assert.ok(
      (await meanDifference(input, stronger.attachments[0]!.bytes)) >
        (await meanDifference(input, scary.attachments[0]!.bytes)),
    );
  });

  it('lets the buttons of a message-started picture work too', async () => {
    const press = h.fake.pressButton({ user: h.alice, message: scary, label: 'Less' });
    const subtler = await h.fake.waitForPicture(press);
    assert.match(subtler.content, /fear · subtle/);
  });

  it('re-encodes a picture Discord refuses as too large for the channel, and sends it again', async () => {
    const limit = h.fake.options.channelUploadLimit;
    h.fake.options.channelUploadLimit = 60 * 1024;
    try {
      const big = await smallPhoto('astronaut.png', 400);
      const photo = h.fake.uploadFile(big, 'astronaut.png', 'image/png');
      const asked = h.fake.postMessage({
        user: h.alice,
        channel: h.channel,
        content: 'make it awe-inspiring',
        attachments: [photo],
        mentionBot: true,
      });
      const answer = await replyTo(asked);
      assert.ok(answer.attachments[0]!.size <= 60 * 1024, `it fits (${answer.attachments[0]!.size} bytes)`);
      assert.ok(
        h.fake.requests.some((r) => r.status === 413),
        'Discord refused the first upload',
      );
      const [input, output] = await Promise.all([
        sharp(big).metadata(),
        sharp(answer.attachments[0]!.bytes).metadata(),
      ]);
      assert.ok(
        Math.abs(output.width! / output.height! - input.width! / input.height!) < 0.02,
        'the aspect ratio is kept',
      );
    } finally {
      h.fake.options.channelUploadLimit = limit;
    }
  });

  it('answers a picture sent in a DM', async () => {
    const dm = h.fake.dmChannel(h.alice);
    const photo = h.fake.uploadFile(input, 'coffee.png', 'image/png');
    const asked = h.fake.postMessage({ user: h.alice, channel: dm, content: 'calmer please', attachments: [photo] });
    const calm = await replyTo(asked);
    assert.match(calm.content, /→ contentment/);
  });

  it('answers a moderator command sent as a message in a DM, not in the channel', async () => {
    const moderator = newModerator(h);
    const asked = h.fake.postMessage({ user: moderator, channel: h.channel, content: '/policy', mentionBot: true });
    const dm = h.fake.dmChannel(moderator);
    const answer = await h.fake.waitFor(
      () => [...h.fake.messages.values()].find((m) => m.channel_id === dm.id && m.author.id === h.fake.bot.id),
      20_000,
      'the policy in a DM',
    );
    assert.match(answer.content, /Moderation policy/);
    assert.ok(![...h.fake.messages.values()].some((m) => m.replyTo === asked.id), 'nothing about it in the channel');
  });

  it('asks for the feeling when the picture comes alone, and edits when the person answers', async () => {
    const photo = h.fake.uploadFile(input, 'coffee.png', 'image/png');
    const alone = h.fake.postMessage({
      user: h.alice,
      channel: h.channel,
      content: '',
      attachments: [photo],
      mentionBot: true,
    });
    const question = await h.fake.waitFor(
      () => [...h.fake.messages.values()].find((m) => m.replyTo === alone.id && /How should it feel/.test(m.content)),
      20_000,
      'the question',
    );
    const pick = h.fake.pickFromMenu({ user: h.alice, message: question, option: 'awe' });
    const awe = await h.fake.waitForPicture(pick);
    assert.match(awe.content, /→ awe/);
  });
});
