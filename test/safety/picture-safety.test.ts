/**
 * Picture safety end to end: the real NSFWJS classifier (MobileNetV2 on the tfjs-wasm vision
 * worker), policies and the audit log in a real redis-server, the real Editor with the tone
 * renderer. Enforcement is tested with a policy that blocks the Drawing class at 0.5 (rocket.jpg
 * reads about 0.86 Drawing), so the repository holds no explicit picture.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { Editor } from '../../src/editor.ts';
import { ErrorCode } from '../../src/errors.ts';
import { createModeration } from '../../src/moderation/create-moderation.ts';
import type { ModerationService } from '../../src/moderation/moderation-service.ts';
import type { ModerationContext, PictureRefusal } from '../../src/moderation/moderation.ts';
import type { PolicyOverride } from '../../src/moderation/policy.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { PictureSafety, VisionPictureClassifier, type PictureClassifier } from '../../src/safety/picture-safety.ts';
import { MemoryConversationStore } from '../../src/store/memory-store.ts';
import type { Reply, Turn, TurnScope } from '../../src/turn.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';
import { redisTestOptions, startTestRedis, type TestRedis } from '../helpers/redis-server.ts';

const LOCAL = new URL('../fixtures/images/', import.meta.url).pathname;
const SHARED = '/work/shared/fixtures/images/';
const rocketPath = existsSync(`${LOCAL}rocket.jpg`) ? `${LOCAL}rocket.jpg` : `${SHARED}rocket.jpg`;
/** Blocks drawings: the stand-in for an unsafe class, so that the tests need no explicit picture. */
const DRAWINGS_BLOCKED: PolicyOverride = { pictureThresholds: { Drawing: 0.5 } };

let rocket: Buffer;
let astronaut: Buffer;

before(async () => {
  // The rocket as it is (640 × 427): a JPEG re-encoded at quality 80 reads far less Drawing (README, "Picture safety").
  rocket = readFileSync(rocketPath);
  // A small copy keeps the tone renders quick on a 2-core machine.
  astronaut = await sharp(readFileSync(`${LOCAL}astronaut.png`))
    .resize(256)
    .png()
    .toBuffer();
});

const vision = new VisionRuntime({ cacheSize: 0 });
const classifier = new VisionPictureClassifier({ vision });
const safety = new PictureSafety({ classifier });
after(() => vision.close());

const discord = (server: string, channel: string, ageRestricted = false): TurnScope => ({
  server,
  channel,
  ...(ageRestricted ? { ageRestricted } : {}),
});

function person(id: string, moderator = false) {
  return { id, name: moderator ? `Mod ${id}` : `Member ${id}`, isModerator: moderator };
}

/** One chat as an adapter reports it: its platform, scope and the people in it. */
class Place {
  #message = 0;
  constructor(
    readonly editor: Editor,
    readonly platform: string,
    readonly chat: string,
    readonly scope: TurnScope | undefined,
  ) {}
  turn(who: ReturnType<typeof person>, text: string, image?: Buffer): Turn {
    return {
      key: { platform: this.platform, chat: this.chat, user: who.id },
      scope: this.scope,
      messageId: `m-${++this.#message}`,
      text,
      images: image ? [{ declaredBytes: image.length, name: 'secret-file-name.jpg', fetch: async () => image }] : [],
      actor: who,
    };
  }
  async say(who: ReturnType<typeof person>, text: string, image?: Buffer): Promise<Reply> {
    const replies = await this.editor.handle(this.turn(who, text, image));
    assert.equal(replies.length, 1);
    return replies[0]!;
  }
  context(who: ReturnType<typeof person>): ModerationContext {
    return { platform: this.platform, scope: this.scope, actor: who, chat: this.chat };
  }
}

function editorWith(moderation: ModerationService, store = new MemoryConversationStore()): Editor {
  return new Editor({
    store,
    normaliser: new RulesNormaliser(),
    planner: new KnowledgePlanner(),
    renderer: new ToneRenderer({ vision: false }),
    moderation,
  });
}

describe('picture safety under the default rule (real classifier)', () => {
  it('lets every shared photo in, in a Discord channel, a Telegram group and a direct message', async () => {
    const moderation = await createModeration({ pictureSafety: safety });
    try {
      const names = new Map<string, string>();
      for (const dir of [LOCAL, SHARED]) {
        if (!existsSync(dir)) continue;
        for (const name of readdirSync(dir).filter((n) => /\.(jpe?g|png)$/i.test(n)))
          if (!names.has(name)) names.set(name, dir + name);
      }
      assert.ok(names.size >= 11, `only ${names.size} photos found`);
      const places: ModerationContext[] = [
        { platform: 'discord', scope: discord('g', 'general'), actor: person('a'), chat: 'general' },
        { platform: 'telegram', scope: { server: '-100' }, actor: person('a'), chat: '-100' },
        { platform: 'discord', scope: { channel: 'dm-1' }, actor: person('a'), chat: 'dm-1' },
      ];
      for (const [name, path] of names) {
        const bytes = readFileSync(path);
        for (const place of places) {
          await assert.doesNotReject(
            moderation.checkPicture(place, bytes, 'incoming'),
            `${name} was refused on ${place.platform}`,
          );
        }
      }
      assert.deepEqual(await moderation.readAudit('discord:g', 10), [], 'nothing was refused');
    } finally {
      await moderation.close();
    }
  });

  it('lets a tone edit of a photo out, and shows the rule and the model in /policy', async () => {
    const moderation = await createModeration({ pictureSafety: safety });
    try {
      const place = new Place(editorWith(moderation), 'discord', 'general', discord('g', 'general'));
      const edited = await place.say(person('a'), 'make it sadder', astronaut);
      assert.equal(edited.kind, 'edit', edited.text);
      const policy = await place.say(person('mod', true), '/policy');
      assert.match(
        policy.text,
        /Pictures: checked \(set by the bot\); refused at Porn 0\.7 \(the bot\), Hentai 0\.7 \(the bot\), Sexy 0\.9 \(the bot\)\. Classifier: MobileNetV2\./,
      );
    } finally {
      await moderation.close();
    }
  });
});

describe(
  'picture safety enforced (Drawing blocked at 0.5; real classifier; policies and audit in Redis)',
  redisTestOptions(),
  () => {
    let redis: TestRedis;
    const services: ModerationService[] = [];
    const refusals: PictureRefusal[] = [];
    const open = async (
      keyPrefix: string,
      extra: { cacheTtlMs?: number; pictureSafety?: PictureSafety; globalPolicy?: PolicyOverride } = {},
    ) => {
      const service = await createModeration({
        redisUrl: redis.url,
        keyPrefix,
        redisTimeoutMs: 1000,
        globalPolicy: extra.globalPolicy ?? DRAWINGS_BLOCKED,
        pictureSafety: extra.pictureSafety ?? safety,
        cacheTtlMs: extra.cacheTtlMs,
        onPictureRefused: (refusal) => refusals.push(refusal),
      });
      services.push(service);
      return service;
    };

    before(async () => {
      redis = await startTestRedis();
    });
    after(async () => {
      for (const service of services) await service.close().catch(() => {});
      await redis.dispose();
    });

    it('refuses rocket.jpg on the way in: not stored, not rendered, told in one sentence, audited without the picture', async () => {
      const moderation = await open('in:');
      const store = new MemoryConversationStore();
      const editor = editorWith(moderation, store);
      let renders = 0;
      editor.onTurn = (report) => void (report.renderMs !== undefined && renders++);
      const general = new Place(editor, 'discord', 'general', discord('g1', 'general'));
      const reply = await general.say(person('alice'), 'make it happier', rocket);
      assert.equal(reply.kind, 'error');
      assert.equal(reply.code, ErrorCode.PictureBlocked);
      assert.equal(reply.text, "I can't take that picture: the picture rule of this chat does not allow it.");
      assert.equal(reply.image, undefined);
      assert.equal(renders, 0, 'nothing was rendered');
      assert.equal(await store.load(general.turn(person('alice'), '').key), undefined, 'the photo was not kept');
      const french = await editor.handle({ ...general.turn(person('alice'), 'plus triste', rocket), locale: 'fr-FR' });
      assert.match(french[0]!.text, /^Je ne peux pas prendre cette image/);
      const audit = await moderation.readAudit('discord:g1', 10);
      assert.equal(audit.length, 2);
      assert.equal(audit[0]!.rule, ErrorCode.PictureBlocked);
      assert.equal(audit[0]!.actor.id, 'alice');
      assert.equal(audit[0]!.detail, "incoming picture; Drawing past this chat's threshold");
      const text = JSON.stringify(audit);
      assert.doesNotMatch(text, /secret-file-name|0\.\d{2}/, 'no file name or score in the audit log');
      assert.deepEqual(refusals.at(-1), { stage: 'incoming', class: 'Drawing', level: 'global', platform: 'discord' });
      // The astronaut still goes through under the same rule.
      assert.equal((await general.say(person('bob'), 'make it calmer', astronaut)).kind, 'edit');
    });

    it('refuses an edit on the way out and keeps the earlier picture as the current one', async () => {
      const moderation = await open('out:');
      const store = new MemoryConversationStore();
      const art = new Place(editorWith(moderation, store), 'discord', 'art', discord('g2', 'art', true));
      const mod = person('mod', true);
      // Drawings are allowed in this age-restricted channel: the rocket comes in.
      assert.match((await art.say(mod, '/pictures allow channel')).text, /no longer checked/);
      const kept = await art.say(person('carol'), '', rocket);
      assert.equal(kept.kind, 'ask');
      const key = art.turn(person('carol'), '').key;
      const before = (await store.load(key))!;
      // The moderator blocks them again; the next edit of the rocket is made, read and refused.
      assert.match((await art.say(mod, '/pictures block channel')).text, /checked now/);
      // (A scarier rocket reads about 0.77 Drawing; a sadder one only 0.28: the edit changes what the model sees.)
      const refused = await art.say(person('carol'), 'make it scarier');
      assert.equal(refused.code, ErrorCode.PictureBlocked);
      assert.equal(refused.text, "I can't show that edit: the picture rule of this chat does not allow the result.");
      const after = (await store.load(key))!;
      assert.equal(after.cursor, before.cursor, 'the refused edit did not become the current picture');
      assert.equal(Object.keys(after.edits).length, Object.keys(before.edits).length, 'the refused edit was not kept');
      const audit = await moderation.readAudit('discord:g2', 10);
      assert.equal(audit[0]!.detail, "outgoing picture; Drawing past this chat's threshold");
      assert.deepEqual(
        audit.filter((e) => e.kind === 'policy_change').map((e) => `${e.rule} ${e.detail}`),
        ['pictures block applied to discord:g2:art', 'pictures allow applied to discord:g2:art'],
      );
    });

    it('checks a picture shown again by undo or reset against the rule of today, and leaves the cursor where it was when refused', async () => {
      const moderation = await open('again:');
      const store = new MemoryConversationStore();
      const art = new Place(editorWith(moderation, store), 'discord', 'art', discord('g5', 'art', true));
      const mod = person('mod', true);
      const frank = person('frank');
      assert.match((await art.say(mod, '/pictures allow channel')).text, /no longer checked/);
      assert.equal((await art.say(frank, '', rocket)).kind, 'ask');
      const sadder = await art.say(frank, 'make it sadder');
      assert.equal(sadder.kind, 'edit', sadder.text);
      const key = art.turn(frank, '').key;
      // The moderator blocks drawings again: the rocket itself may no longer be shown here.
      assert.match((await art.say(mod, '/pictures block channel')).text, /checked now/);
      for (const word of ['undo', 'start over']) {
        const again = await art.say(frank, word);
        assert.equal(again.code, ErrorCode.PictureBlocked, `${word}: ${again.text}`);
        assert.equal(again.image, undefined);
        assert.equal(
          (await store.load(key))!.cursor,
          sadder.editId,
          `${word}: the cursor stays on the edit shown last`,
        );
      }
      // Allowed again, the same undo shows the photo.
      assert.match((await art.say(mod, '/pictures allow channel')).text, /no longer checked/);
      const shown = await art.say(frank, 'undo');
      assert.equal(shown.kind, 'edit', shown.text);
      assert.ok(shown.image, 'the photo is shown again');
    });

    it('a moderator switching the rule off in one age-restricted channel lets it through there only; a member cannot change it', async () => {
      const moderation = await open('chan:');
      const editor = editorWith(moderation);
      const art = new Place(editor, 'discord', 'art', discord('g3', 'art', true));
      const general = new Place(editor, 'discord', 'general', discord('g3', 'general'));
      const telegram = new Place(editor, 'telegram', '-100', { server: '-100' });
      const dm = new Place(editor, 'discord', 'dm-dave', { channel: 'dm-dave' });
      const member = person('dave');
      const denied = await art.say(member, '/pictures allow channel');
      assert.equal(denied.code, ErrorCode.NotModerator);
      assert.equal(
        (await art.say(member, '', rocket)).code,
        ErrorCode.PictureBlocked,
        "the member's command changed nothing",
      );

      assert.match(
        (await art.say(person('mod', true), '/pictures allow channel')).text,
        /Pictures in this channel are no longer checked/,
      );
      assert.equal((await art.say(member, '', rocket)).kind, 'ask', 'allowed in #art');
      assert.equal((await general.say(member, '', rocket)).code, ErrorCode.PictureBlocked, 'still refused in #general');
      assert.equal((await telegram.say(member, '', rocket)).code, ErrorCode.PictureBlocked, 'still refused elsewhere');
      assert.equal((await dm.say(member, '', rocket)).code, ErrorCode.PictureBlocked, 'still refused in a DM');

      // On Discord, allowing outside an age-restricted channel is saved but changes nothing there.
      const outside = await general.say(person('mod', true), '/pictures allow');
      assert.match(outside.text, /only in a channel marked age-restricted/);
      assert.equal((await general.say(member, '', rocket)).code, ErrorCode.PictureBlocked);
      // A threshold can be lowered or switched off; in a DM nobody but the operator decides.
      assert.match(
        (await art.say(person('mod', true), '/picturethreshold drawing off channel')).text,
        /Drawing no longer refuses pictures in this channel/,
      );
      assert.equal((await dm.say({ ...member, isModerator: true }, '/pictures allow')).code, ErrorCode.BadCommand);

      const audit = await moderation.readAudit('discord:g3', 20);
      const rules = audit.map((entry) => entry.rule);
      assert.ok(rules.includes(ErrorCode.NotModerator), "the member's attempt is audited");
      assert.ok(rules.includes('pictures allow'), 'the change is audited');
      assert.ok(
        rules.filter((rule) => rule === ErrorCode.PictureBlocked).length >= 3,
        `refusals audited: ${rules.join(', ')}`,
      );
      assert.match(
        (await art.say(person('mod', true), '/audit 20')).text,
        /refused \(picture_blocked\) · incoming picture; Drawing past/,
      );
    });

    it('a second bot process on the same Redis sees the change within a second', async () => {
      const here = await open('xproc:', { cacheTtlMs: 10 * 60_000 });
      const there = await open('xproc:', { cacheTtlMs: 10 * 60_000 });
      const art = (who: ReturnType<typeof person>): ModerationContext => ({
        platform: 'discord',
        scope: discord('g4', 'art', true),
        actor: who,
        chat: 'art',
      });
      await assert.rejects(there.checkPicture(art(person('erin')), rocket, 'incoming'), {
        code: ErrorCode.PictureBlocked,
      });
      await here.runCommand(art(person('mod', true)), { name: 'pictures', args: ['allow', 'channel'] });
      const changedAt = Date.now();
      for (;;) {
        const outcome = await there.checkPicture(art(person('erin')), rocket, 'incoming').then(
          () => 'allowed',
          (error: { code?: string }) => error.code,
        );
        if (outcome === 'allowed') break;
        assert.ok(
          Date.now() - changedAt < 1000,
          'the other process still refused the picture a second after the change',
        );
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    });
  },
);

describe('picture safety when the classifier fails (injected)', () => {
  const throwing: PictureClassifier = {
    model: 'broken',
    classify: async () => {
      throw new Error('the model file is damaged');
    },
  };
  const hanging: PictureClassifier = { model: 'hung', classify: () => new Promise(() => {}) };

  for (const [name, broken] of [
    ['throws', throwing],
    ['hangs', hanging],
  ] as const) {
    it(`a classifier that ${name} fails closed under a blocking rule and open under an allowing one`, async () => {
      const pictureSafety = new PictureSafety({ classifier: broken, timeoutMs: 300, loadTimeoutMs: 0 });
      const blocking = await createModeration({ pictureSafety });
      const allowing = await createModeration({ pictureSafety, globalPolicy: { pictureRule: 'allow' } });
      try {
        const closed = new Place(editorWith(blocking), 'telegram', '-200', { server: '-200' });
        const started = Date.now();
        const refused = await closed.say(person('frank'), 'make it sadder', astronaut);
        assert.equal(refused.code, ErrorCode.PictureUnchecked);
        assert.equal(refused.text, "I couldn't check this picture; please try again.");
        assert.ok(Date.now() - started < 5000, 'the refusal came within the time limit');
        const audit = await blocking.readAudit('telegram:-200', 5);
        assert.equal(audit[0]!.rule, ErrorCode.PictureUnchecked);
        assert.match(audit[0]!.detail!, name === 'hangs' ? /ran out of time/ : /failed/);
        // The process keeps serving: the next person's words are answered.
        assert.equal((await closed.say(person('gina'), '/help')).kind, 'info');

        const open = new Place(editorWith(allowing), 'telegram', '-201', { server: '-201' });
        assert.equal(
          (await open.say(person('frank'), 'make it sadder', astronaut)).kind,
          'edit',
          'allowed: nothing is checked',
        );
      } finally {
        await blocking.close();
        await allowing.close();
      }
    });
  }
});
