/**
 * End to end: moderators on Discord. Manage Server (or the configured moderator role) makes a
 * moderator; nobody is one in a DM; a blocked emotion is refused with a message.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeUser } from '../../fakes/discord/fake-discord.ts';
import { editWithPhoto, moodEdit, newModerator, startHarness, uploadPhoto, type Harness } from './harness.ts';

describe('Discord: moderators', () => {
  let h: Harness;
  let moderator: FakeUser;
  let roleHolder: FakeUser;

  before(async () => {
    h = await startHarness({ env: { DISCORD_MODERATOR_ROLE: 'Mood wardens' } });
    moderator = newModerator(h);
    roleHolder = h.fake.addUser('warden');
    const wardens = h.fake.addRole(h.guild, 'Mood wardens');
    h.fake.addMember(h.guild, roleHolder, [wardens.id]);
  });
  after(() => h.close());

  it('lets a member with Manage Server block fear, after which "make it scary" is refused with a message', async () => {
    const block = h.fake.slashCommand({
      user: moderator,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'block',
      options: { emotion: 'fear' },
    });
    const confirmation = await h.fake.waitForText(block, /fear/i);
    assert.ok(confirmation.flags & 64, 'the moderator answer is private');
    assert.doesNotMatch(confirmation.content, /Only moderators/);

    const edit = moodEdit(h, { photo: await uploadPhoto(h.fake), feeling: 'make it scary' });
    const refusal = await h.fake.waitForText(edit, /blocked fear/);
    assert.equal(refusal.attachments.length, 0, 'no picture comes with the refusal');
  });

  it('refuses /moodmod block from a member without Manage Server, and the policy stays as it was', async () => {
    const block = h.fake.slashCommand({
      user: h.alice,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'block',
      options: { emotion: 'sadness' },
    });
    await h.fake.waitForText(block, /Only moderators/);

    const { picture } = await editWithPhoto(h, { feeling: 'sadder' });
    assert.match(picture.content, /→ sadness/);
  });

  it('also refuses the moderator subcommands under /mood for members', async () => {
    const block = h.fake.slashCommand({
      user: h.alice,
      channel: h.channel,
      command: 'mood',
      subcommand: 'block',
      options: { emotion: 'sadness' },
    });
    await h.fake.waitForText(block, /Only moderators/);
  });

  it('treats members of the configured moderator role as moderators', async () => {
    const unblock = h.fake.slashCommand({
      user: roleHolder,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'unblock',
      options: { emotion: 'fear' },
    });
    const answer = await h.fake.waitForText(unblock, /fear/i);
    assert.doesNotMatch(answer.content, /Only moderators/);

    const { picture } = await editWithPhoto(h, { feeling: 'make it scary' });
    assert.match(picture.content, /→ fear/);
  });

  it('lets the moderator role use the other tools too, and reads them back in /moodmod policy', async () => {
    const cap = h.fake.slashCommand({
      user: roleHolder,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'maxintensity',
      options: { level: 'high' },
    });
    await h.fake.waitForText(cap, /Edits in this server now go up to/);
    const words = h.fake.slashCommand({
      user: roleHolder,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'words',
      options: { action: 'add', text: 'spooky' },
    });
    await h.fake.waitForText(words, /Added 1 word/);
    const policy = await h.fake.waitForText(
      h.fake.slashCommand({ user: roleHolder, channel: h.channel, command: 'moodmod', subcommand: 'policy' }),
      /Moderation policy/,
    );
    assert.match(policy.content, /Strongest edit: 0\.\d+/);
    assert.match(policy.content, /Blocked words: 1 added/);
    await h.fake.waitForText(
      h.fake.slashCommand({
        user: roleHolder,
        channel: h.channel,
        command: 'moodmod',
        subcommand: 'maxintensity',
        options: { level: 'max' },
      }),
      /now go up to 1/,
    );
    await h.fake.waitForText(
      h.fake.slashCommand({
        user: roleHolder,
        channel: h.channel,
        command: 'moodmod',
        subcommand: 'words',
        options: { action: 'remove', text: 'spooky' },
      }),
      /Removed 1 word/,
    );
  });

  it('limits a block to one channel when the moderator asks for channel_only', async () => {
    const other = h.fake.addChannel(h.guild, 'memes');
    const block = h.fake.slashCommand({
      user: moderator,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'block',
      options: { emotion: 'anger', channel_only: true },
    });
    await h.fake.waitForText(block, /anger/);
    const photo = await uploadPhoto(h.fake);
    const edit = (channel: typeof other) => moodEdit(h, { channel, photo, feeling: 'angrier' });
    await h.fake.waitForText(edit(h.channel), /blocked anger/);
    const elsewhere = await h.fake.waitForPicture(edit(other));
    assert.match(elsewhere.content, /→ anger/);
  });

  it('has no moderators in a DM, whatever the permissions field says', async () => {
    const dm = h.fake.dmChannel(moderator);
    const block = h.fake.slashCommand({
      user: moderator,
      channel: dm,
      command: 'mood',
      subcommand: 'block',
      options: { emotion: 'fear' },
    });
    await h.fake.waitForText(block, /Only moderators/);
  });
});
