/**
 * End to end through discord.js and the fake Discord: slash command options reach the engine as a
 * typed command (`turn.command`), never written out as English for the engine to parse again.
 * `/mood edit` with a picked emotion and intensity reads no words at all; `/moodmod words` keeps
 * each phrase whole, quote marks and all; the options used are the ones registered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { slashCommandDefinitions } from '../../../adapters/discord/slash-commands.ts';
import { describeIntensity, INTENSITY } from '../../../src/intent.ts';
import type { Turn } from '../../../src/turn.ts';
import { newModerator, startHarness, uploadPhoto, type Harness } from './harness.ts';
import { CountingNormaliser } from '../../helpers/counting-normaliser.ts';

/** The option names a registered subcommand takes. */
function registeredOptions(command: string, subcommand: string): string[] {
  const definition = slashCommandDefinitions().find((c) => c.name === command);
  const sub = definition?.options?.find((o) => o.name === subcommand) as
    { options?: Array<{ name: string }> } | undefined;
  return (sub?.options ?? []).map((o) => o.name);
}

describe('Discord: slash options reach the engine as a typed command', () => {
  let h: Harness;
  const normaliser = new CountingNormaliser();
  const turns: Turn[] = [];

  before(async () => {
    h = await startHarness({ parts: { normaliser } });
    // Every turn the adapter hands the Editor, as it hands it.
    const editor = h.engine.editor as unknown as { handle: (turn: Turn, ...rest: unknown[]) => Promise<unknown> };
    const handle = editor.handle.bind(editor);
    editor.handle = (turn, ...rest) => {
      turns.push(turn);
      return handle(turn, ...rest);
    };
  });
  after(() => h.close());

  it('gives /mood edit with a picked emotion and intensity to the Editor as an edit command, and no words are read', async () => {
    for (const option of ['image', 'emotion', 'intensity'])
      assert.ok(registeredOptions('mood', 'edit').includes(option), `/mood edit registers ${option}:`);
    const photo = await uploadPhoto(h.fake, 'chelsea.png', 64);
    const interaction = h.fake.slashCommand({
      user: h.alice,
      channel: h.channel,
      command: 'mood',
      subcommand: 'edit',
      options: { image: { attachment: photo }, emotion: 'fear', intensity: 'low' },
    });
    const picture = await h.fake.waitForPicture(interaction);
    assert.match(picture.content, new RegExp(`→ fear · ${describeIntensity(INTENSITY.low)}`));

    const turn = turns.at(-1)!;
    assert.deepEqual(turn.command, { type: 'edit', emotion: 'fear', intensity: 'low' });
    assert.equal(turn.text, '', 'no text was made up for the engine to parse');
    assert.equal(turn.images.length, 1);
    assert.deepEqual(normaliser.read, [], 'the normaliser read nothing');
  });

  it("reads only the person's own feeling words, and the picked intensity is not written into them", async () => {
    const photo = await uploadPhoto(h.fake, 'chelsea.png', 64);
    const interaction = h.fake.slashCommand({
      user: h.alice,
      channel: h.channel,
      command: 'mood',
      subcommand: 'edit',
      options: { image: { attachment: photo }, feeling: 'very sad', intensity: 'low' },
    });
    const picture = await h.fake.waitForPicture(interaction);
    assert.match(
      picture.content,
      new RegExp(`→ sadness · ${describeIntensity(INTENSITY.low)}`),
      'the intensity picked wins over "very"',
    );
    assert.deepEqual(turns.at(-1)!.command, { type: 'edit', feeling: 'very sad', intensity: 'low' });
    assert.deepEqual(
      normaliser.read,
      ['very sad'],
      'the words as the person wrote them, once ("slightly" was never added)',
    );
  });

  it('gives /mood undo and /moodmod words as typed commands; a phrase with every kind of quote mark stays whole', async () => {
    const read = normaliser.read.length;
    const undo = h.fake.slashCommand({ user: h.alice, channel: h.channel, command: 'mood', subcommand: 'undo' });
    await h.fake.waitForPicture(undo);
    assert.deepEqual(turns.at(-1)!.command, { type: 'person', name: 'undo', args: [] });

    const moderator = newModerator(h);
    const phrase = `it's "so" “grim”`;
    for (const option of ['action', 'text', 'channel_only'])
      assert.ok(registeredOptions('moodmod', 'words').includes(option));
    const add = h.fake.slashCommand({
      user: moderator,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'words',
      options: { action: 'add', text: `${phrase}, gore`, channel_only: true },
    });
    await h.fake.waitForText(add, /Added 2 words/);
    assert.deepEqual(turns.at(-1)!.command, {
      type: 'moderator',
      name: 'words',
      args: ['add', phrase, 'gore'],
      channelOnly: true,
    });
    const list = h.fake.slashCommand({
      user: moderator,
      channel: h.channel,
      command: 'moodmod',
      subcommand: 'words',
      options: { action: 'list', channel_only: true },
    });
    const listed = await h.fake.waitForText(list, /Blocked words of/);
    assert.ok(listed.content.includes(`"${phrase.toLowerCase()}"`), `the phrase is kept whole: ${listed.content}`);
    assert.equal(normaliser.read.length, read, 'none of these was read as words');
  });
});
