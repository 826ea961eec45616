/**
 * End to end: the real discord.js client and the real engine against the fake Discord.
 * A person edits a picture with `/mood edit`, refines it with the buttons and the menu.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Intent } from '../../fakes/discord/fake-gateway.ts';
import type { FakeMessage } from '../../fakes/discord/fake-discord.ts';
import { meanDifference, moodEdit, newMember, smallPhoto, startHarness, type Harness } from './harness.ts';

describe('Discord: /mood edit and the buttons under the picture', () => {
  let h: Harness;
  let input: Buffer;
  let firstEdit: FakeMessage;
  let strongerEdit: FakeMessage;

  before(async () => {
    h = await startHarness();
    input = await smallPhoto('chelsea.png', 120);
  });
  after(() => h.close());

  it('answers "/mood edit" with "make this sadder" with an edited picture of the same shape, after showing progress', async () => {
    const photo = h.fake.uploadFile(input, 'cat.png', 'image/png');
    const interaction = moodEdit(h, { photo, feeling: 'make this sadder' });
    firstEdit = await h.fake.waitForPicture(interaction);

    assert.equal(interaction.callbackType, 5, 'the command is acknowledged with a deferred reply');
    assert.equal(firstEdit.id, interaction.originalMessageId, 'the picture replaces the deferred reply');
    assert.ok(
      firstEdit.history.some(
        (state) => /Planning|Rendering|Queued/.test(state.content) && state.attachments.length === 0,
      ),
      `progress was shown before the picture: ${JSON.stringify(firstEdit.history)}`,
    );
    assert.match(firstEdit.content, /→ sadness/);

    const output = firstEdit.attachments[0]!.bytes;
    const [before, after] = await Promise.all([sharp(input).metadata(), sharp(output).metadata()]);
    assert.ok(after.width && after.height, 'the attachment decodes as a picture');
    assert.equal(after.width! / after.height!, before.width! / before.height!, 'the aspect ratio is kept');
    assert.ok((await meanDifference(input, output)) > 1, 'the picture changed');
  });

  it('offers More, Less, Undo and Try again buttons and a menu of the seven other emotions', () => {
    const buttons = firstEdit.components.flatMap((row) => row.components).filter((c) => c.type === 2);
    assert.deepEqual(
      buttons.map((b) => b.label),
      ['More', 'Less', 'Undo', 'Try again'],
    );
    const menu = firstEdit.components.flatMap((row) => row.components).find((c) => c.type === 3);
    assert.ok(menu && menu.type === 3, 'there is a select menu');
    assert.equal(menu.options.length, 7);
    assert.ok(!menu.options.some((o) => o.label === 'sadness'), 'the current emotion is not offered again');
  });

  it('makes a stronger edit of the same original when More is pressed, as a new message', async () => {
    const press = h.fake.pressButton({ user: h.alice, message: firstEdit, label: 'More' });
    strongerEdit = await h.fake.waitForPicture(press);

    assert.equal(press.callbackType, 6, 'the press is acknowledged with a deferred update');
    assert.notEqual(strongerEdit.id, firstEdit.id, 'the earlier picture stays in the conversation');
    assert.match(strongerEdit.content, /sadness · strong/);
    const [moderate, strong] = await Promise.all([
      meanDifference(input, firstEdit.attachments[0]!.bytes),
      meanDifference(input, strongerEdit.attachments[0]!.bytes),
    ]);
    assert.ok(strong > moderate, `the stronger edit moves further from the original (${strong} > ${moderate})`);
  });

  it('brings back the previous picture when Undo is pressed', async () => {
    const press = h.fake.pressButton({ user: h.alice, message: strongerEdit, label: 'Undo' });
    const restored = await h.fake.waitForPicture(press);
    assert.match(restored.content, /sadness · moderate/);
    assert.ok(
      restored.attachments[0]!.bytes.equals(firstEdit.attachments[0]!.bytes),
      'the same picture as the first edit',
    );
    const labels = restored.components.flatMap((r) => r.components).map((c) => (c.type === 2 ? c.label : 'menu'));
    assert.ok(labels.includes('Redo'), `Redo is offered after an undo (${labels.join(', ')})`);
  });

  it('edits toward another emotion picked from the menu', async () => {
    const pick = h.fake.pickFromMenu({ user: h.alice, message: firstEdit, option: 'excitement' });
    const picked = await h.fake.waitForPicture(pick);
    assert.match(picked.content, /→ excitement/);
  });

  it("acts on the picture of someone else when they press its button, without touching the owner's conversation", async () => {
    const bob = newMember(h, 'bob');
    const alicesKey = { platform: 'discord', chat: h.channel.id, user: h.alice.id };
    const alicesCursor = (await h.engine.store.load(alicesKey))?.cursor;
    const press = h.fake.pressButton({ user: bob, message: firstEdit, label: 'More' });
    const bobs = await h.fake.waitForPicture(press);
    assert.match(bobs.content, /sadness · strong/);
    assert.equal((await h.engine.store.load(alicesKey))?.cursor, alicesCursor, "alice's current picture is unchanged");
    const bobsConversation = await h.engine.store.load({ platform: 'discord', chat: h.channel.id, user: bob.id });
    assert.ok(bobsConversation?.cursor, 'bob has a conversation of his own now');
  });

  it('asks how the picture should feel when /mood edit comes with a picture only, and edits toward the feeling picked', async () => {
    const dave = h.fake.addUser('dave');
    const photo = h.fake.uploadFile(input, 'cat.png', 'image/png');
    const interaction = moodEdit(h, { user: dave, photo });
    const question = await h.fake.waitForText(interaction, /How should it feel/);
    const pick = h.fake.pickFromMenu({ user: dave, message: question, option: 'contentment' });
    const picture = await h.fake.waitForPicture(pick);
    assert.match(picture.content, /more contentment than the original · moderate/);
  });

  it('answers help privately', async () => {
    const interaction = h.fake.slashCommand({ user: h.alice, channel: h.channel, command: 'mood', subcommand: 'help' });
    const answer = await h.fake.waitForText(interaction, /Send me a photo/);
    assert.ok(answer.flags & 64, 'help is ephemeral');
  });

  it('asks for a picture when /mood edit comes without one in a fresh conversation', async () => {
    const carol = h.fake.addUser('carol');
    const interaction = moodEdit(h, { user: carol, feeling: 'scarier' });
    await h.fake.waitForText(interaction, /Send me a photo first/);
  });

  it('asks only for the Guilds intent when message content is off, and never hits a route the fake lacks', () => {
    assert.equal(h.fake.gateway.sessions[0]!.intents, Intent.Guilds);
    assert.deepEqual(h.fake.unhandled, []);
  });
});
