/**
 * `/mood help` on Discord, end to end through discord.js and the fake: a member reads the `/mood`
 * commands and no moderator command; a moderator reads every `/moodmod` one; every command named
 * is registered. A picture whose photo already showed the feeling asked for is captioned "more X";
 * one that Undo or Redo shows again says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { slashCommandDefinitions } from '../../../adapters/discord/slash-commands.ts';
import { MODERATOR_COMMANDS } from '../../../src/commands.ts';
import { editWithPhoto, newModerator, startHarness, type Harness } from './harness.ts';

/** The `/command subcommand` pairs a help text names. */
const commandsIn = (text: string): string[] =>
  [...text.matchAll(/\/(mood|moodmod) ([a-z_]+)/g)].map((m) => `${m[1]} ${m[2]}`);

/** What is registered with Discord: `command subcommand`. */
const registered = new Set(
  slashCommandDefinitions().flatMap((command) =>
    (command.options ?? []).map((option) => `${command.name} ${option.name}`),
  ),
);

describe('Discord: /mood help and captions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const help = async (user = h.alice): Promise<string> => {
    const interaction = h.fake.slashCommand({ user, channel: h.channel, command: 'mood', subcommand: 'help' });
    return (await h.fake.waitForText(interaction, /Send me a photo/)).content;
  };

  it("lists a member's /mood commands, each registered, and no moderator command", async () => {
    const text = await help();
    const named = commandsIn(text);
    assert.ok(named.length >= 6, `names the /mood commands: ${text}`);
    for (const command of named) assert.ok(registered.has(command), `/${command} is registered`);
    assert.deepEqual(
      named.filter((command) => command.startsWith('moodmod')),
      [],
      'no moderator commands for a member',
    );
    assert.doesNotMatch(text, /Moderators:/);
    assert.doesNotMatch(text, /(^|[\s,])\/(undo|redo|reset|emotions)\b/, 'no bare /undo: on Discord it is /mood undo');
  });

  it('lists every moderator command to a moderator, each registered under /moodmod', async () => {
    const text = await help(newModerator(h, 'mona'));
    const moderator = commandsIn(text).filter((command) => command.startsWith('moodmod '));
    assert.deepEqual(new Set(moderator), new Set(MODERATOR_COMMANDS.map((name) => `moodmod ${name}`)));
    for (const command of moderator) assert.ok(registered.has(command), `/${command} is registered`);
  });

  it('captions a picture that already showed the feeling "more X", never "X → X"', async () => {
    // The shared photo of the cat reads as contentment; "calm" asks for contentment again.
    const { picture } = await editWithPhoto(h, { feeling: 'calm' });
    assert.match(picture.content, /^more contentment than the original · moderate/);
    assert.doesNotMatch(picture.content, /(\w+) → \1\b/);

    // Undo and Redo send a picture already shown: its caption says so.
    const undone = await h.fake.waitForPicture(h.fake.pressButton({ user: h.alice, message: picture, label: 'Undo' }));
    assert.match(undone.content, /^Undo: back to the picture before this one, shown again \(nothing new was made\)\./);
    const redone = await h.fake.waitForPicture(h.fake.pressButton({ user: h.alice, message: undone, label: 'Redo' }));
    assert.match(
      redone.content,
      /^Redo: the picture you undid, shown again \(nothing new was made\)\.\nmore contentment than the original/,
    );
  });
});
