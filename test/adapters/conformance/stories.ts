/**
 * @module The adapter conformance suite: the stories every platform tells the same way, written
 * once against `AdapterDriver` and run by each adapter against its fake (Discord on slash commands
 * and on messages, Telegram in a group and in private chats) or over HTTP and in Chromium (web),
 * as Hono runs one set of router cases against every router.
 *
 * Usage, in a test file: `runAdapterConformance('telegram', (options) => telegramDriver(options))`.
 * A story that a platform cannot tell (no moderators in a private chat) is chosen by the driver's
 * `capabilities`, never loosened: every assertion holds on every platform that runs it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { EMOTIONS } from '../../../src/emotions.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../../helpers/redis-server.ts';
import type { AdapterDriver, Answer, DriverCapabilities, DriverFactory } from './driver.ts';

const fixtures = new URL('../../fixtures/images/', import.meta.url);

/** A small JPEG of a test photo (small keeps the stories quick on a shared machine). */
export async function storyPhoto(name = 'chelsea.png', width = 96): Promise<Buffer> {
  return sharp(readFileSync(new URL(name, fixtures)))
    .resize({ width })
    .jpeg({ quality: 88 })
    .toBuffer();
}

/** Mean absolute difference of two pictures, 0–255 per channel, on a 64-pixel downscale. */
async function difference(a: Buffer, b: Buffer): Promise<number> {
  const read = (bytes: Buffer) => sharp(bytes).resize(64, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const [x, y] = await Promise.all([read(a), read(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

function picture(answer: Answer, what: string): Buffer {
  assert.ok(answer.image, `${what}: a picture, not only "${answer.text}"`);
  return answer.image;
}

function noPicture(answer: Answer, what: string): void {
  assert.equal(answer.image, undefined, `${what}: no picture comes with "${answer.text}"`);
  assert.deepEqual(answer.actions, [], `${what}: nothing to press`);
}

/**
 * Registers the shared stories for one platform. `capabilities` (which the driver must declare the same)
 * chooses the stories the platform can tell; the others are not registered at all, never skipped.
 */
export function runAdapterConformance(platform: string, capabilities: DriverCapabilities, create: DriverFactory): void {
  /** A story only some platforms can tell: registered where it applies, absent elsewhere. */
  const storyWhere = (applies: boolean, name: string, fn: () => Promise<void>): void => {
    if (applies) it(name, fn);
  };
  describe(`Adapter conformance: ${platform}`, () => {
    let d: AdapterDriver;
    let photo: Buffer;
    let people = 0;
    /** A fresh person for each story, so that no story leans on another's conversation or rate limit. */
    const member = (role: string) => d.member(`${role}${++people}`);

    before(async () => {
      d = await create({});
      assert.deepEqual(d.capabilities, capabilities, `${d.name} declares the capabilities its test file runs it with`);
      photo = await storyPhoto();
    });
    after(async () => {
      await d?.close();
    });

    it('edits a photo sent with a feeling, after showing progress, offering the buttons and the other emotions', async () => {
      const alice = member('alice');
      const sad = await d.sendPhoto(alice, photo, 'make this sadder');
      const edited = picture(sad, 'the edit');
      assert.match(sad.text, /sadness/);
      assert.ok(sad.progressSeen, 'progress was shown before the picture');
      const [input, output] = await Promise.all([sharp(photo).metadata(), sharp(edited).metadata()]);
      assert.ok(
        Math.abs(output.width! / output.height! - input.width! / input.height!) < 0.02,
        'the aspect ratio is kept',
      );
      assert.ok((await difference(photo, edited)) > 1, 'the picture changed');
      for (const action of ['more', 'less', 'undo', 'retry'] as const)
        assert.ok(sad.actions.includes(action), `offers ${action}: ${sad.actions.join(', ')}`);
      assert.ok(!sad.actions.includes('redo'), 'nothing to redo yet');
      assert.deepEqual(
        [...sad.emotions].sort(),
        EMOTIONS.filter((e) => e !== 'sadness').sort(),
        'the seven other emotions',
      );
    });

    it('asks how a photo sent alone should feel, offering every emotion, and edits toward the one picked', async () => {
      const bob = member('bob');
      const question = await d.sendPhoto(bob, photo);
      assert.match(question.text, /How should it feel/);
      assert.equal(question.image, undefined, 'no picture yet');
      assert.deepEqual([...question.emotions].sort(), [...EMOTIONS].sort());
      const awe = await d.choose(bob, question, 'awe');
      picture(awe, 'the awe edit');
      assert.match(awe.text, /awe/);
    });

    it('makes a stronger edit of the same original with More, brings the earlier picture back with Undo, and goes forward again with Redo', async () => {
      const carol = member('carol');
      const sad = await d.sendPhoto(carol, photo, 'make this sadder');
      assert.match(sad.text, /sadness · moderate/);
      const stronger = await d.press(carol, sad, 'more');
      assert.match(stronger.text, /sadness · strong/);
      const [moderate, strong] = await Promise.all([
        difference(photo, picture(sad, 'the first edit')),
        difference(photo, picture(stronger, 'the stronger edit')),
      ]);
      assert.ok(
        strong > moderate,
        `the stronger edit moves further from the original (${strong.toFixed(2)} > ${moderate.toFixed(2)})`,
      );

      const undone = await d.press(carol, stronger, 'undo');
      assert.match(undone.text, /sadness · moderate/);
      assert.ok(picture(undone, 'the undone picture').equals(sad.image!), 'the same picture as the first edit');
      assert.ok(undone.actions.includes('redo'), `Redo is offered after an undo (${undone.actions.join(', ')})`);

      const redone = await d.press(carol, undone, 'redo');
      assert.match(redone.text, /sadness · strong/);
      assert.ok(picture(redone, 'the redone picture').equals(stronger.image!), 'the same picture as the stronger edit');
    });

    it('acts on the current edit when told "more", and on an earlier picture when its reply says "less"', async () => {
      const dave = member('dave');
      const sad = await d.sendPhoto(dave, photo, 'make this sadder');
      const stronger = await d.sendText(dave, 'more');
      assert.match(stronger.text, /sadness · strong/);
      picture(stronger, 'the stronger edit');
      const subtler = await d.replyTo(dave, sad, 'less');
      assert.match(
        subtler.text,
        /sadness · subtle/,
        'less of the picture replied to (moderate), not of the latest (strong)',
      );
      assert.ok(
        (await difference(photo, picture(subtler, 'the subtler edit'))) < (await difference(photo, sad.image!)),
        'closer to the original',
      );
    });

    it('makes another picture with the same feeling and strength with Try again', async () => {
      const nina = member('nina');
      const sad = await d.sendPhoto(nina, photo, 'make this sadder');
      const again = await d.press(nina, sad, 'retry');
      assert.match(again.text, /sadness · moderate/);
      assert.ok(!picture(again, 'the new try').equals(sad.image!), 'a different picture');
    });

    it('goes back to the original photo with Undo on a first edit, and then has nothing more to undo', async () => {
      const omar = member('omar');
      const sad = await d.sendPhoto(omar, photo, 'make this sadder');
      const original = await d.press(omar, sad, 'undo');
      assert.match(original.text, /original/i);
      assert.ok((await difference(photo, picture(original, 'the original photo'))) < 3, 'the photo as it was sent');
      const nothing = await d.sendText(omar, 'undo');
      assert.match(nothing.text, /There is nothing to undo/);
      assert.equal(nothing.image, undefined);
    });

    it('starts a new edit from a new photo sent after an earlier edit', async () => {
      const pia = member('pia');
      await d.sendPhoto(pia, photo, 'make this sadder');
      const wide = await storyPhoto('coffee.png', 120);
      const fresh = await d.sendPhoto(pia, wide, 'make this sadder');
      assert.match(fresh.text, /sadness · moderate/, 'a new edit, not "more" of the earlier one');
      const [input, output] = await Promise.all([
        sharp(wide).metadata(),
        sharp(picture(fresh, 'the new edit')).metadata(),
      ]);
      assert.ok(
        Math.abs(output.width! / output.height! - input.width! / input.height!) < 0.02,
        'made from the new photo',
      );
    });

    it('edits toward another emotion picked under a picture', async () => {
      const erin = member('erin');
      const sad = await d.sendPhoto(erin, photo, 'make this sadder');
      const excited = await d.choose(erin, sad, 'excitement');
      picture(excited, 'the excitement edit');
      assert.match(excited.text, /excitement/);
      assert.ok(!excited.emotions.includes('excitement'), 'the emotion it has is not offered again');
    });

    // Only where other people see the pictures (a Discord channel, a Telegram group).
    storyWhere(
      capabilities.sharedPlace,
      "acts for the one who presses a button under someone else's picture, leaving the owner's conversation as it was",
      async () => {
        const owner = member('olga');
        const other = member('oscar');
        const sad = await d.sendPhoto(owner, photo, 'make this sadder');
        const theirs = await d.press(other, sad, 'more');
        assert.match(theirs.text, /sadness · strong/);
        picture(theirs, "the other person's edit");
        // Had the press moved the owner's current edit to the strong one, "more" would go past it.
        const owners = await d.sendText(owner, 'more');
        assert.match(owners.text, /sadness · strong/, "the owner's current edit is still the moderate one");
      },
    );

    it('asks for a photo when a feeling comes without one in a fresh conversation', async () => {
      const answer = await d.sendText(member('frank'), 'make it scarier');
      assert.match(answer.text, /Send me a photo first/);
      noPicture(answer, 'the request for a photo');
    });

    it('answers help with how to start', async () => {
      const answer = await d.help(member('gina'));
      assert.match(answer.text, /Send me a photo/);
      noPicture(answer, 'help');
    });

    it('refuses a file that is not a picture, and a broken picture, each with a clear message and no picture', async () => {
      const hank = member('hank');
      const text = await d.sendFile(
        hank,
        { bytes: Buffer.from('hello, this is not a picture\n'), name: 'notes.txt', type: 'text/plain' },
        'make it sadder',
      );
      // Telegram names the kind from the file's declared type ("text files"); Discord and the web, which
      // sniff the bytes, say "that kind of file". The promise shared by all: which pictures to send instead.
      assert.match(
        text.text,
        /^I can't edit (text files|that kind of file)\. Please send a JPEG, PNG, WebP, GIF or TIFF picture\.$/,
      );
      noPicture(text, 'the refusal of a text file');
      const png = await sharp(photo).png().toBuffer();
      const broken = await d.sendFile(
        hank,
        { bytes: png.subarray(0, Math.floor(png.length / 2)), name: 'cat.png', type: 'image/png' },
        'make it sadder',
      );
      assert.match(broken.text, /broken or incomplete/);
      noPicture(broken, 'the refusal of a broken picture');
    });

    it('refuses a request with a disguised word of the built-in list, without repeating the word', async () => {
      const refusal = await d.sendPhoto(member('ivy'), photo, 'make it sadder, g o r y and G0RY');
      assert.match(refusal.text, /I can't make that edit: a word in it is not allowed/);
      assert.doesNotMatch(refusal.text, /g ?o ?r ?y|g0ry/i);
      noPicture(refusal, 'the refusal');
    });

    // Moderation: the stories each platform can tell (`capabilities.moderators`).
    storyWhere(
      capabilities.moderators !== 'nobody',
      'lets a moderator block an emotion, refuses a member asking for it without a picture, and allows it again once unblocked',
      async () => {
        const mod = d.moderator('mona');
        const jack = member('jack');
        const blocked = await d.moderate(mod, { name: 'block', emotion: 'fear' });
        assert.match(blocked.text, /fear/i);
        assert.doesNotMatch(blocked.text, /Only moderators/);
        assert.equal(
          blocked.private,
          d.capabilities.privateModeratorAnswers,
          'the answer is private exactly where the platform says so',
        );
        try {
          const refusal = await d.sendPhoto(jack, photo, 'make it scary');
          assert.match(refusal.text, /A moderator has blocked fear/);
          noPicture(refusal, 'the refusal');
          const policy = await d.moderate(mod, { name: 'policy' });
          assert.match(policy.text, /Moderation policy/);
          assert.match(policy.text, /Blocked feelings: fear/);
        } finally {
          const unblocked = await d.moderate(mod, { name: 'unblock', emotion: 'fear' });
          assert.doesNotMatch(unblocked.text, /Only moderators/);
        }
        const scary = await d.sendPhoto(jack, photo, 'make it scary');
        picture(scary, 'the scary edit once fear is allowed again');
        assert.match(scary.text, /fear/);
      },
    );

    // Only where a person can be named to ban (not the web chat's anonymous sessions).
    storyWhere(
      capabilities.moderators === 'some' && capabilities.bans,
      'refuses everything to a person a moderator banned, and serves them again once unbanned',
      async () => {
        const mod = d.moderator('max');
        const quinn = member('quinn');
        const sad = await d.sendPhoto(quinn, photo, 'make this sadder');
        const banned = await d.moderate(mod, { name: 'ban', person: quinn });
        assert.doesNotMatch(banned.text, /Only moderators|Usage/);
        try {
          for (const refusal of [
            await d.sendPhoto(quinn, photo, 'make this sadder'),
            await d.press(quinn, sad, 'more'),
          ]) {
            assert.match(refusal.text, /A moderator has stopped you from using the bot/);
            noPicture(refusal, 'the refusal');
          }
        } finally {
          const unbanned = await d.moderate(mod, { name: 'unban', person: quinn });
          assert.doesNotMatch(unbanned.text, /Only moderators|Usage/);
        }
        const stronger = await d.press(quinn, sad, 'more');
        assert.match(stronger.text, /sadness · strong/);
      },
    );

    // Not where everyone who reaches the page moderates it (the local web chat).
    storyWhere(
      capabilities.moderators !== 'everyone',
      'refuses the moderator tools to a member, and the policy stays as it was',
      async () => {
        const kim = member('kim');
        const refusal = await d.moderate(kim, { name: 'block', emotion: 'sadness' });
        assert.match(refusal.text, /Only moderators can use that command/);
        noPicture(refusal, 'the refusal');
        const sad = await d.sendPhoto(kim, photo, 'make this sadder');
        picture(sad, 'the sad edit');
        assert.match(sad.text, /sadness/);
      },
    );
  });

  describe(`Adapter conformance with Redis: ${platform}, a restart between two turns`, redisTestOptions(), () => {
    let redis: TestRedis;
    let d: AdapterDriver;
    let photo: Buffer;
    let sad: Answer;
    let liam: ReturnType<AdapterDriver['member']>;

    before(async () => {
      redis = await startTestRedis();
      d = await create({ redisUrl: redis.url });
      photo = await storyPhoto();
      liam = d.member('liam');
      sad = await d.sendPhoto(liam, photo, 'make this sadder');
      picture(sad, 'the edit before the restart');
      await d.restart();
    });
    after(async () => {
      await d?.close();
      await redis?.dispose();
    });

    it('still finds the conversation: "more" acts on the edit made before the restart, and Undo brings its picture back', async () => {
      const stronger = await d.sendText(liam, 'more');
      assert.match(stronger.text, /sadness · strong/);
      picture(stronger, 'the stronger edit');
      const undone = await d.press(liam, stronger, 'undo');
      assert.match(undone.text, /sadness · moderate/);
      assert.ok(picture(undone, 'the undone picture').equals(sad.image!), 'the picture made before the restart');
    });

    it('still answers a button on a picture sent before the restart', async () => {
      const subtler = await d.press(liam, sad, 'less');
      assert.match(subtler.text, /sadness · subtle/);
      picture(subtler, 'the subtler edit');
    });

    it('still acts on the edit a reply to a picture from before the restart points at', async () => {
      const stronger = await d.replyTo(liam, sad, 'more');
      assert.match(stronger.text, /sadness · strong/);
      picture(stronger, 'the stronger edit');
    });

    it('still edits toward an emotion picked under a picture from before the restart', async () => {
      const calm = await d.choose(liam, sad, 'contentment');
      assert.match(calm.text, /contentment/);
      picture(calm, 'the calm edit');
    });
  });
}
