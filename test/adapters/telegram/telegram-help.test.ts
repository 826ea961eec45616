/**
 * /help on Telegram, end to end through grammY and the fake Bot API: a member reads every command
 * they can type and no moderator command; a group administrator reads all of them; every command
 * named is one the bot takes. A picture whose photo already showed the feeling asked for is
 * captioned "more X", never "X → X"; one that Undo or Redo shows again says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MODERATOR_COMMANDS, PERSON_COMMANDS, parseCommand } from '../../../src/commands.ts';
import type { FakeChat, FakeUser } from '../../fakes/telegram/fake-bot-api.ts';
import {
  answerToPhoto,
  botAnswers,
  button,
  isAnswerText,
  isPicture,
  smallPhoto,
  startHarness,
  type Harness,
} from './telegram-harness.ts';

/** The commands a help text names: every `/word`. */
const commandsIn = (text: string): string[] => [...text.matchAll(/(?<![\w/])\/([a-z_]+)/g)].map((m) => m[1]!);

describe('Telegram: /help and captions', () => {
  let h: Harness;
  let group: FakeChat;
  const admin: FakeUser = { id: 4101, is_bot: false, first_name: 'Ada', language_code: 'en' };
  const member: FakeUser = { id: 4102, is_bot: false, first_name: 'Ben', language_code: 'en' };

  before(async () => {
    h = await startHarness();
    group = h.fake.group(-1001000000091, 'Help club');
    h.fake.setChatMember(group, admin, 'administrator');
    h.fake.setChatMember(group, member, 'member');
  });
  after(() => h.close());

  const help = async (chat: FakeChat, user: FakeUser): Promise<string> =>
    (await botAnswers(h.fake, chat, () => h.fake.userSendsText('/help', { chat, user }), isAnswerText, 'the help text'))
      .text ?? '';

  it("lists a member's commands, each one the bot takes, and no moderator command", async () => {
    for (const [where, chat] of [
      ['private chat', h.fake.privateChat(member)],
      ['group', group],
    ] as const) {
      const text = await help(chat, member);
      assert.match(text, /Reply to any of my pictures/, `${where}: Telegram people reply to pictures`);
      const named = commandsIn(text);
      assert.deepEqual(new Set(named), new Set(PERSON_COMMANDS), `${where}: every person command, and only those`);
      for (const name of named)
        assert.equal(parseCommand(`/${name}`)?.type, 'person', `${where}: /${name} is a command the bot takes`);
      assert.doesNotMatch(text, /Moderators:/, `${where}: no moderator commands for a member`);
    }
  });

  it("lists all moderator commands to a group administrator, each in the administrators' menu", async () => {
    const text = await help(group, admin);
    const moderatorLine = text.split('\n').find((line) => line.startsWith('Moderators:')) ?? '';
    assert.deepEqual(new Set(commandsIn(moderatorLine)), new Set(MODERATOR_COMMANDS), 'all of them');
    const menu = h.fake.commands.get('all_chat_administrators')?.map((c) => c.command) ?? [];
    for (const name of commandsIn(moderatorLine)) {
      assert.equal(parseCommand(`/${name}`)?.type, 'moderator', `/${name} is a moderator command`);
      assert.ok(menu.includes(name), `/${name} is in the administrators' menu`);
    }
  });

  it('captions a picture that already showed the feeling "more X", never "X → X"', async () => {
    const chat = h.fake.privateChat(member);
    // The shared photo of the cat reads as contentment; "make it calm" asks for contentment again.
    const { answer } = await answerToPhoto(
      h.fake,
      chat,
      await smallPhoto(),
      { chat, user: member, caption: 'make it calm' },
      isPicture,
      'the picture',
    );
    assert.match(answer.caption ?? '', /^more contentment than the original · moderate/);
    assert.doesNotMatch(answer.caption ?? '', /(\w+) → \1\b/);

    // Undo and Redo send a picture already shown: its caption says so.
    const undone = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userPressesButton(answer, button(answer, 'Undo'), { user: member }),
      (m) => isPicture(m) || isAnswerText(m),
      'the undone picture',
    );
    assert.ok(isPicture(undone), `a picture, not: ${undone.text}`);
    assert.match(
      undone.caption ?? '',
      /^Undo: back to the picture before this one, shown again \(nothing new was made\)\./,
    );
    const redone = await botAnswers(
      h.fake,
      chat,
      () => h.fake.userPressesButton(undone, button(undone, 'Redo'), { user: member }),
      isPicture,
      'the redone picture',
    );
    assert.match(
      redone.caption ?? '',
      /^Redo: the picture you undid, shown again \(nothing new was made\)\.\nmore contentment than the original/,
    );
  });
});
