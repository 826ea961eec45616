/**
 * End to end: every moderation tool of `/moodmod` on the fake Discord, through the real
 * discord.js client and the real engine. A moderator blocks fear and a member's "make it
 * scary" is refused; the member cannot use any moderator subcommand; the moderator reads the
 * refusals in the audit log; the word list catches disguised words without repeating them; a
 * lowered maximum intensity stops More; a ban and a rate limit refuse with their messages.
 *
 * The steps run in order in one server. Each scenario uses a member of its own, so that one
 * person's rate limit (10 new edits a minute by default) never decides another scenario.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODERATOR_SUBCOMMANDS } from '../../../adapters/discord/slash-commands.ts';
import type { FakeAttachment, FakeInteraction, FakeMessage, FakeUser } from '../../fakes/discord/fake-discord.ts';
import { moodEdit, newMember, newModerator, startHarness, uploadPhoto, type Harness } from './harness.ts';

const EPHEMERAL = 64;

describe('Discord: every /moodmod tool, end to end', () => {
  let h: Harness;
  let moderator: FakeUser;
  let photo: FakeAttachment;

  before(async () => {
    h = await startHarness();
    moderator = newModerator(h);
    photo = await uploadPhoto(h.fake, 'chelsea.png', 64);
  });
  after(() => h.close());

  const member = (name: string): FakeUser => newMember(h, name);
  const moodmod = (
    user: FakeUser,
    subcommand: string,
    options: Record<string, string | number | boolean | { user: FakeUser }> = {},
  ): FakeInteraction => h.fake.slashCommand({ user, channel: h.channel, command: 'moodmod', subcommand, options });
  /** A moderator's command and its private answer. */
  const moderate = async (
    subcommand: string,
    options: Parameters<typeof moodmod>[2],
    expected: RegExp,
  ): Promise<FakeMessage> => {
    const answer = await h.fake.waitForText(moodmod(moderator, subcommand, options), expected);
    assert.ok(answer.flags & EPHEMERAL, `the answer to /moodmod ${subcommand} is ephemeral`);
    assert.doesNotMatch(answer.content, /Only moderators|Usage:/);
    return answer;
  };
  const edit = (user: FakeUser, feeling: string): FakeInteraction => moodEdit(h, { user, photo, feeling });
  const noPicture = (interaction: FakeInteraction) =>
    assert.equal(h.fake.responsesOf(interaction).flatMap((m) => m.attachments).length, 0, 'nothing was rendered');

  let alice: FakeUser;

  it('lets a moderator block fear, and refuses a member\'s "make it scary" naming the rule', async () => {
    await moderate('block', { emotion: 'fear' }, /Blocked fear in this server/);
    alice = h.alice;
    const request = edit(alice, 'make it scary');
    const refusal = await h.fake.waitForText(request, /A moderator has blocked fear in this server/);
    noPicture(request);
    assert.match(refusal.content, /Try another feeling/);
  });

  it('refuses every moderator subcommand to a member, and none of them changes the policy', async () => {
    const tries: Array<[string, Parameters<typeof moodmod>[2]]> = [
      ['policy', {}],
      ['block', { emotion: 'sadness' }],
      ['unblock', { emotion: 'fear' }],
      ['maxintensity', { level: 'low' }],
      ['words', { action: 'add', text: 'cat' }],
      ['ratelimit', { per_person: 0 }],
      ['ban', { user: { user: moderator } }],
      ['unban', { user: { user: alice } }],
      ['audit', { count: 5 }],
      ['pictures', { rule: 'allow' }],
      ['picturethreshold', { class: 'Porn', score: 'off' }],
    ];
    assert.deepEqual(
      tries.map(([name]) => name),
      [...MODERATOR_SUBCOMMANDS],
      'every subcommand is tried',
    );
    const refusals = await Promise.all(
      tries.map(([name, options]) => h.fake.waitForText(moodmod(alice, name, options), /Only moderators/)),
    );
    for (const refusal of refusals) assert.ok(refusal.flags & EPHEMERAL, 'the refusal is private');

    const policy = await moderate('policy', {}, /Moderation policy in this server/);
    assert.match(policy.content, /Blocked feelings: fear \(this server\)/);
    assert.match(policy.content, /Strongest edit: 1 /);
    assert.match(policy.content, /Banned people: 0/);
    assert.match(policy.content, /Blocked words: none added/);
    assert.match(policy.content, /10 new edits per person/);
  });

  it('shows the moderator the refusals in the audit log, naming the rule and the member', async () => {
    const audit = await moderate('audit', { count: 20 }, /audit entries for this server/);
    const lines = audit.content.split('\n');
    const blocked = lines.find((line) => /refused \(emotion_blocked\)/.test(line));
    assert.ok(blocked, `the fear refusal is in the log:\n${audit.content}`);
    assert.match(blocked, new RegExp(`alice \\(${alice.id}\\)`));
    assert.match(blocked, /make it scary/);
    const notModerator = lines.filter((line) => /refused \(not_moderator\)/.test(line));
    assert.equal(notModerator.length, MODERATOR_SUBCOMMANDS.length, 'each refused subcommand is audited');
    assert.ok(notModerator.every((line) => line.includes(`(${alice.id})`)));
    assert.ok(
      lines.some((line) => /mod \(\d+\) · changed: block fear/.test(line)),
      'the change itself is audited',
    );
  });

  it('refuses a request that disguises a word of the built-in list, without repeating it anywhere', async () => {
    const bob = member('bob');
    const request = edit(bob, 'make it sadder, g o r y and G0RY');
    const refusal = await h.fake.waitForText(request, /I can't make that edit: a word in it is not allowed/);
    noPicture(request);
    assert.doesNotMatch(refusal.content, /g ?o ?r ?y|g0ry/i, 'the refusal does not repeat the word');
    const audit = await moderate('audit', { count: 1 }, /word_blocked/);
    assert.doesNotMatch(audit.content, /g ?o ?r ?y|g0ry/i, 'nor does the audit log');
    assert.match(audit.content, /the default list \(gore\)/);
  });

  it('refuses "make it g o r y with bl00d", which names no feeling, without a picture and without repeating the words', async () => {
    const request = edit(member('bea'), 'make it g o r y with bl00d');
    const answer = await h.fake.waitForText(request, /a word in it is not allowed/);
    assert.doesNotMatch(answer.content, /g ?o ?r ?y|bl[o0]{2}d/i);
    noPicture(request);
  });

  it('adds words through /moodmod words and catches them with look-alike letters', async () => {
    await moderate(
      'words',
      { action: 'add', text: 'blood, dark omen' },
      /Added 2 words to the list of this server; it now holds 2 words/,
    );
    const list = await moderate('words', { action: 'list' }, /Blocked words of this server \(2\)/);
    assert.match(list.content, /"blood", "dark omen"/);
    const carol = member('carol');
    const request = edit(carol, 'sadder with bl00d everywhere');
    const refusal = await h.fake.waitForText(request, /a word in it is not allowed/);
    assert.doesNotMatch(refusal.content, /bl[o0]{2}d/i);
    await moderate(
      'words',
      { action: 'remove', text: 'blood, dark omen' },
      /Removed 2 words from the list of this server; it now holds 0 words/,
    );
    const allowed = await h.fake.waitForPicture(edit(carol, 'sadder with bl00d everywhere'));
    assert.match(allowed.content, /→ sadness/);
  });

  it('caps More at the maximum intensity a moderator sets, with the cap message', async () => {
    await moderate('maxintensity', { level: 'low' }, /Edits in this server now go up to/);
    const dave = member('dave');
    const picture = await h.fake.waitForPicture(edit(dave, 'sadder'));
    const press = h.fake.pressButton({ user: dave, message: picture, label: 'More' });
    await h.fake.waitForText(press, /That is as strong as edits go in this server \(a moderator set the limit\)/);
    noPicture(press);
    await moderate('maxintensity', { level: 'max' }, /now go up to 1/);
    const stronger = await h.fake.waitForPicture(h.fake.pressButton({ user: dave, message: picture, label: 'More' }));
    assert.match(stronger.content, /sadness/, 'with the cap lifted More works again');
  });

  it('refuses a banned member, and lets them back after unban', async () => {
    const erin = member('erin');
    await moderate('ban', { user: { user: erin } }, new RegExp(`${erin.id} can no longer use the bot in this server`));
    const request = edit(erin, 'sadder');
    await h.fake.waitForText(request, /A moderator has stopped you from using the bot in this server/);
    noPicture(request);
    await moderate('unban', { user: { user: erin } }, new RegExp(`${erin.id} can use the bot in this server again`));
    const picture = await h.fake.waitForPicture(edit(erin, 'sadder'));
    assert.match(picture.content, /→ sadness/);
  });

  it('refuses a second new edit within the minute after /moodmod ratelimit per_person:1, saying when to try again', async () => {
    await moderate(
      'ratelimit',
      { per_person: 1, per_chat: 30 },
      /Rate limits in this server: 1 new edits per person and 30 per chat per minute/,
    );
    const frank = member('frank');
    await h.fake.waitForPicture(edit(frank, 'sadder'));
    const second = edit(frank, 'calmer');
    const refusal = await h.fake.waitForText(second, /try again in \d+ s/);
    noPicture(second);
    const seconds = Number(/in (\d+) s/.exec(refusal.content)![1]);
    assert.ok(seconds >= 1 && seconds <= 60, `within the minute (${seconds} s)`);
  });

  it('blocks an element, or a change only in one channel', async () => {
    await moderate('block', { element: 'color' }, /Blocked colour and brightness edits in this server/);
    const policy = await moderate('policy', {}, /Blocked elements: colour and brightness \(this server\)/);
    assert.ok(policy);
    await moderate('unblock', { element: 'color' }, /colour and brightness edits are allowed again in this server/);
    await moderate('unblock', { emotion: 'fear', channel_only: true }, /fear is allowed/);
  });
});
