/**
 * End to end: every moderator tool on the fake Telegram, through real grammY and the real
 * engine. An administrator blocks fear and a member's "make it scary" is refused; the member
 * cannot use any moderator command; the administrator reads the refusals with /audit; the word
 * list catches disguised words without repeating them; a lowered maximum intensity stops More;
 * /ban (as a reply to the person's message) and /ratelimit refuse with their messages.
 *
 * The steps run in order in one group. Each scenario uses a member of its own, so that one
 * person's rate limit (10 new edits a minute by default) never decides another scenario.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MODERATOR_COMMANDS } from '../../../src/commands.ts';
import type { FakeChat, FakeMessage, FakeUser } from '../../fakes/telegram/fake-bot-api.ts';
import {
  botAnswers,
  button,
  isAnswerText,
  isPicture,
  smallPhoto,
  startHarness,
  type Harness,
} from './telegram-harness.ts';

const MENTION = '@moodshift_test_bot';

describe('Telegram: every moderator tool, end to end', () => {
  let h: Harness;
  let group: FakeChat;
  let photo: Buffer;
  let nextId = 3001;
  const person = (name: string): FakeUser => ({ id: nextId++, is_bot: false, first_name: name, language_code: 'en' });
  const moderator = person('Mona');
  const bob = person('Bob');

  before(async () => {
    h = await startHarness();
    group = h.fake.group(-1001000000077, 'Kids club');
    h.fake.setChatMember(group, moderator, 'administrator');
    photo = await smallPhoto('chelsea.png', 64);
  });
  after(() => h.close());

  /**
   * A command by the moderator in the group, and the text of its answer: in the group until Mona
   * has a private chat with the bot, then privately (the group only hears where it went).
   */
  const moderate = async (
    command: string,
    expected: RegExp,
    options: { replyTo?: FakeMessage } = {},
  ): Promise<string> => {
    const inGroup = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText(command, { chat: group, user: moderator, ...options }),
      isAnswerText,
      `the answer to ${command}`,
    );
    const text = /private message/.test(inGroup.text ?? '')
      ? (h.fake.botMessages(h.fake.privateChat(moderator)).at(-1)?.text ?? '')
      : (inGroup.text ?? '');
    assert.match(text, expected);
    assert.doesNotMatch(text, /Only moderators|Usage:/);
    return text;
  };
  const ask = (user: FakeUser, request: string) => () =>
    h.fake.userSendsPhoto(photo, { chat: group, user, caption: `${MENTION} ${request}` });
  const picturesAfter = (message: FakeMessage) =>
    h.fake.botMessages(group).filter((m) => isPicture(m) && m.message_id > message.message_id);

  it('lets an administrator /block fear, and refuses a member\'s "make it scary" naming the rule', async () => {
    await moderate('/block fear', /Blocked fear in this group/);
    const refusal = await botAnswers(h.fake, group, ask(bob, 'make it scary'), isAnswerText, 'the refusal');
    assert.match(refusal.text ?? '', /A moderator has blocked fear in this group\. Try another feeling\./);
    assert.deepEqual(picturesAfter(refusal), [], 'nothing was rendered');
  });

  it('refuses every moderator command to a member, and none of them changes the policy', async () => {
    const tries = [
      '/policy',
      '/block sadness',
      '/unblock fear',
      '/maxintensity low',
      '/words add cat',
      '/ratelimit 0',
      `/ban ${moderator.id}`,
      `/unban ${bob.id}`,
      '/audit 5',
      '/pictures allow',
      '/picturethreshold porn off',
    ];
    assert.deepEqual(
      new Set(tries.map((command) => command.slice(1).split(' ')[0])),
      new Set(MODERATOR_COMMANDS),
      'every moderator command is tried',
    );
    for (const command of tries) {
      const answer = await botAnswers(
        h.fake,
        group,
        () => h.fake.userSendsText(command, { chat: group, user: bob }),
        isAnswerText,
        `the refusal of ${command}`,
      );
      assert.match(answer.text ?? '', /Only moderators can use that command/, command);
    }
    const policy = await moderate('/policy', /Moderation policy in this group/);
    assert.match(policy, /Blocked feelings: fear \(this group\)/);
    assert.match(policy, /Strongest edit: 1 /);
    assert.match(policy, /Banned people: 0/);
    assert.match(policy, /Blocked words: none added/);
  });

  it('shows the administrator the refusals with /audit, privately once they have a private chat with the bot', async () => {
    const privateChat = h.fake.privateChat(moderator);
    await botAnswers(
      h.fake,
      privateChat,
      () => h.fake.userSendsText('/start', { user: moderator }),
      isAnswerText,
      'the start text',
    );
    const note = await botAnswers(
      h.fake,
      group,
      () => h.fake.userSendsText('/audit 20', { chat: group, user: moderator }),
      isAnswerText,
      'the note in the group',
    );
    assert.match(note.text ?? '', /private message/);
    assert.doesNotMatch(note.text ?? '', /emotion_blocked/, 'the log itself is not shown in the group');
    const audit = h.fake.botMessages(privateChat).at(-1)!.text ?? '';
    assert.match(audit, /audit entries for this group/);
    const lines = audit.split('\n');
    const blocked = lines.find((line) => /refused \(emotion_blocked\)/.test(line));
    assert.ok(blocked, `the fear refusal is in the log:\n${audit}`);
    assert.match(blocked, new RegExp(`Bob \\(${bob.id}\\)`));
    assert.match(blocked, /make it scary/);
    assert.equal(
      lines.filter((line) => /refused \(not_moderator\)/.test(line) && line.includes(`(${bob.id})`)).length,
      MODERATOR_COMMANDS.length,
    );
    assert.ok(
      lines.some((line) => new RegExp(`Mona \\(${moderator.id}\\) · changed: block fear`).test(line)),
      'the change is audited too',
    );
  });

  it('refuses a request that disguises a word of the built-in list, without repeating it', async () => {
    const carol = person('Carol');
    const refusal = await botAnswers(
      h.fake,
      group,
      ask(carol, 'make it sadder, g o r y and G0RY'),
      isAnswerText,
      'the refusal',
    );
    assert.match(refusal.text ?? '', /I can't make that edit: a word in it is not allowed/);
    assert.doesNotMatch(refusal.text ?? '', /g ?o ?r ?y|g0ry/i);
    assert.deepEqual(picturesAfter(refusal), []);
  });

  it('refuses "make it g o r y with bl00d", which names no feeling, without a picture and without repeating the words', async () => {
    const carol = person('Carol');
    const answer = await botAnswers(
      h.fake,
      group,
      ask(carol, 'make it g o r y with bl00d'),
      isAnswerText,
      'the answer',
    );
    assert.match(answer.text ?? '', /a word in it is not allowed/);
    assert.doesNotMatch(answer.text ?? '', /g ?o ?r ?y|bl[o0]{2}d/i);
    assert.deepEqual(picturesAfter(answer), []);
  });

  it('adds words with /words and catches them with look-alike letters', async () => {
    await moderate('/words add blood "dark omen"', /Added 2 words to the list of this group; it now holds 2 words/);
    assert.match(await moderate('/words list', /Blocked words of this group \(2\)/), /"blood", "dark omen"/);
    const dora = person('Dora');
    const refusal = await botAnswers(
      h.fake,
      group,
      ask(dora, 'sadder with BL00D everywhere'),
      isAnswerText,
      'the refusal',
    );
    assert.match(refusal.text ?? '', /a word in it is not allowed in this group/);
    assert.doesNotMatch(refusal.text ?? '', /bl[o0]{2}d/i);
    await moderate('/words remove blood "dark omen"', /Removed 2 words/);
    const allowed = await botAnswers(
      h.fake,
      group,
      ask(dora, 'sadder with BL00D everywhere'),
      isPicture,
      'the edit once the word is allowed',
    );
    assert.match(allowed.caption ?? '', /sadness/);
  });

  it('caps More at the maximum intensity set with /maxintensity, with the cap message', async () => {
    await moderate('/maxintensity low', /Edits in this group now go up to/);
    const dave = person('Dave');
    const picture = await botAnswers(h.fake, group, ask(dave, 'sadder'), isPicture, 'the capped edit');
    const refusal = await botAnswers(
      h.fake,
      group,
      () => h.fake.userPressesButton(picture, button(picture, 'More'), { user: dave }),
      isAnswerText,
      'the cap message',
    );
    assert.match(refusal.text ?? '', /That is as strong as edits go in this group \(a moderator set the limit\)/);
    assert.deepEqual(picturesAfter(refusal), []);
    await moderate('/maxintensity max', /now go up to 1/);
  });

  it('bans the author of a message /ban replies to, refuses them, and lets them back after /unban', async () => {
    const erin = person('Erin');
    const chatter = h.fake.userSendsText('hello everyone', { chat: group, user: erin });
    await moderate('/ban', new RegExp(`${erin.id} can no longer use the bot in this group`), { replyTo: chatter });
    const refusal = await botAnswers(h.fake, group, ask(erin, 'sadder'), isAnswerText, 'the refusal');
    assert.match(refusal.text ?? '', /A moderator has stopped you from using the bot in this group/);
    assert.deepEqual(picturesAfter(refusal), []);

    await moderate(`/unban ${erin.id}`, new RegExp(`${erin.id} can use the bot in this group again`));
    const picture = await botAnswers(h.fake, group, ask(erin, 'sadder'), isPicture, 'the edit after the unban');
    assert.match(picture.caption ?? '', /sadness/);
  });

  it('tells a moderator who writes /ban @username to reply to a message instead, and bans nobody', async () => {
    await moderate('/ban @bob', /Reply to one of their messages with \/ban/);
    assert.match(await moderate('/policy', /Moderation policy/), /Banned people: 0/);
  });

  it('refuses a second new edit within the minute after /ratelimit 1, saying when to try again', async () => {
    await moderate('/ratelimit 1 30', /Rate limits in this group: 1 new edits per person and 30 per chat per minute/);
    const frank = person('Frank');
    await botAnswers(h.fake, group, ask(frank, 'sadder'), isPicture, 'the first edit');
    const refusal = await botAnswers(h.fake, group, ask(frank, 'calmer'), isAnswerText, 'the refusal');
    const seconds = Number(/try again in (\d+) s/.exec(refusal.text ?? '')?.[1]);
    assert.ok(seconds >= 1 && seconds <= 60, `says when to try again within the minute: ${refusal.text}`);
    assert.deepEqual(picturesAfter(refusal), []);
  });

  it('shows administrators every moderator command in the command menu, and members none', () => {
    const forAdmins = h.fake.commands.get('all_chat_administrators')?.map((c) => c.command) ?? [];
    for (const name of MODERATOR_COMMANDS)
      assert.ok(forAdmins.includes(name), `${name} is in the administrators' menu`);
    const forEveryone = h.fake.commands.get('default')?.map((c) => c.command) ?? [];
    assert.deepEqual(
      forEveryone.filter((name) => (MODERATOR_COMMANDS as readonly string[]).includes(name)),
      [],
    );
  });
});
