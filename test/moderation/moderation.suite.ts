/**
 * The behaviour suite every moderation backend passes (memory and Redis): one suite, run once per
 * backend by `moderation-service.test.ts`. It drives `ModerationService` the way the Editor does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { userMessage } from '../../src/messages.ts';
import type { AuditLog } from '../../src/moderation/audit-log.ts';
import { ModerationService, type ModerationServiceOptions } from '../../src/moderation/moderation-service.ts';
import type { EditRequestCheck, ModerationContext } from '../../src/moderation/moderation.ts';
import type { PolicyStore } from '../../src/moderation/policy-store.ts';
import type { RateLimiter } from '../../src/moderation/rate-limiter.ts';
import type { EditPlan } from '../../src/planner/planner.ts';

export interface ModerationBackends {
  store: PolicyStore;
  audit: AuditLog;
  rateLimiter: RateLimiter;
  /** The clock the service should use, and a way to let time pass (stepped in memory, real for Redis). */
  now: () => number;
  advance(ms: number): Promise<void>;
  /** Another store instance on the same data (a second process, for Redis). */
  secondStore(): Promise<PolicyStore>;
}

export interface ModerationBackendKind {
  name: string;
  skip?: string;
  setUp(): Promise<void>;
  /** Fresh backends with their own data. */
  create(options: { auditMaxEntries?: number }): Promise<ModerationBackends>;
  tearDown(): Promise<void>;
}

const WINDOW_MS = 1000;

let counter = 0;
function ids() {
  counter++;
  const server = `guild${counter}`;
  return { server, channel: `chan${counter}`, other: `chan${counter}b` };
}

function context(
  place: { server?: string; channel?: string },
  who: { id?: string; name?: string; moderator?: boolean } = {},
  platform = 'discord',
): ModerationContext {
  return {
    platform,
    scope: { server: place.server, channel: place.channel },
    actor: { id: who.id ?? 'member1', name: who.name ?? 'Mia', isModerator: who.moderator ?? false },
    chat: place.channel ?? place.server ?? 'dm',
  };
}

const edit = (overrides: Partial<EditRequestCheck> = {}): EditRequestCheck => ({
  text: 'make it calm',
  target: 'contentment',
  intensity: 0.6,
  startsNewEdit: true,
  ...overrides,
});

const plan = (overrides: Partial<EditPlan> = {}): EditPlan => ({
  source: 'contentment',
  target: 'sadness',
  caption: 'A dog on a beach.',
  editedCaption: 'A lonely dog on a grey beach under heavy clouds.',
  elements: ['color', 'scene'],
  instruction: 'Please change the emotion of this image from contentment to sadness',
  planner: 'llm',
  ...overrides,
});

async function refusal(promise: Promise<unknown>, code: ErrorCode): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.equal(error.code, code, userMessage(error));
    return error;
  }
  assert.fail(`expected a refusal with ${code}, but it was allowed`);
}

export function moderationSuite(kind: ModerationBackendKind): void {
  describe(`moderation on the ${kind.name} backend`, { skip: kind.skip }, () => {
    const opened: ModerationService[] = [];
    before(() => kind.setUp());
    after(async () => {
      for (const service of opened) await service.close();
      await kind.tearDown();
    });

    async function service(options: Partial<ModerationServiceOptions> & { auditMaxEntries?: number } = {}) {
      const backends = await kind.create({ auditMaxEntries: options.auditMaxEntries });
      const made = new ModerationService({
        store: backends.store,
        audit: backends.audit,
        rateLimiter: backends.rateLimiter,
        now: backends.now,
        rateLimitWindowMs: WINDOW_MS,
        ...options,
      });
      await made.ready();
      opened.push(made);
      return { moderation: made, backends };
    }

    const moderator = (place: { server?: string; channel?: string }) =>
      context(place, { id: 'mod1', name: 'Ola', moderator: true });

    it('resolves global, then server, then channel policies', async () => {
      const place = ids();
      const { moderation } = await service({ globalPolicy: { blockedEmotions: ['disgust'], maxIntensity: 0.9 } });
      await moderation.runCommand(moderator(place), { name: 'block', args: ['fear'] });
      await moderation.runCommand(moderator(place), { name: 'maxintensity', args: ['0.7'] });
      await moderation.runCommand(moderator(place), { name: 'unblock', args: ['fear', 'channel'] });
      await moderation.runCommand(moderator(place), { name: 'block', args: ['anger', '--channel'] });
      await moderation.runCommand(moderator(place), { name: 'ratelimit', args: ['3', '7', 'channel'] });

      const inChannel = await moderation.effectivePolicy(context(place));
      assert.deepEqual(inChannel.blockedEmotions, ['anger', 'disgust']);
      assert.equal(inChannel.maxIntensity, 0.7);
      assert.equal(inChannel.perUserPerMinute, 3);
      assert.equal(inChannel.perChatPerMinute, 7);

      const elsewhere = await moderation.effectivePolicy(context({ server: place.server, channel: place.other }));
      assert.deepEqual(elsewhere.blockedEmotions, ['disgust', 'fear']);
      assert.equal(elsewhere.perUserPerMinute, 10);

      const otherServer = await moderation.effectivePolicy(context({ server: 'someone-else', channel: 'x' }));
      assert.deepEqual(otherServer.blockedEmotions, ['disgust']);
      assert.equal(otherServer.maxIntensity, 0.9);
    });

    it('refuses a blocked emotion saying where, allows the others, and audits the refusal', async () => {
      const place = ids();
      const { moderation } = await service();
      await moderation.runCommand(moderator(place), { name: 'block', args: ['fear'] });
      const member = context(place);
      const error = await refusal(
        moderation.checkRequest(member, edit({ text: 'make it scary', target: 'fear' })),
        ErrorCode.EmotionBlocked,
      );
      assert.equal(userMessage(error), 'A moderator has blocked fear in this server. Try another feeling.');
      assert.equal(await moderation.checkRequest(member, edit({ target: 'sadness', text: 'sadder' })), 0.6);

      const [latest] = await moderation.readAudit(`discord:${place.server}`, 5);
      assert.equal(latest?.kind, 'refusal');
      assert.equal(latest?.rule, ErrorCode.EmotionBlocked);
      assert.equal(latest?.request, 'make it scary');
      assert.equal(latest?.actor.id, 'member1');
      const audit = await moderation.runCommand(moderator(place), { name: 'audit', args: [] });
      assert.match(audit, /Mia \(member1\) · refused \(emotion_blocked\) · "make it scary"/);
      assert.match(audit, /Ola \(mod1\) · changed: block fear/);
    });

    it('says "this group" on Telegram and "this channel" for a channel block', async () => {
      const place = ids();
      const { moderation } = await service();
      const telegramModerator = context({ server: place.server }, { moderator: true, id: 'm' }, 'telegram');
      await moderation.runCommand(telegramModerator, { name: 'block', args: ['sadness'] });
      const error = await refusal(
        moderation.checkRequest(context({ server: place.server }, {}, 'telegram'), edit({ target: 'sadness' })),
        ErrorCode.EmotionBlocked,
      );
      assert.equal(error.details.where, 'this group');
      await moderation.runCommand(moderator(place), { name: 'block', args: ['anger', 'channel'] });
      const inChannel = await refusal(
        moderation.checkRequest(context(place), edit({ target: 'anger' })),
        ErrorCode.EmotionBlocked,
      );
      assert.equal(inChannel.details.where, 'this channel');
    });

    it('refuses blocked elements in a request and in a plan, and allows the rest', async () => {
      const place = ids();
      const { moderation } = await service();
      await moderation.runCommand(moderator(place), { name: 'block', args: ['face'] });
      const error = await refusal(
        moderation.checkRequest(context(place), edit({ elements: ['facial'] })),
        ErrorCode.ElementBlocked,
      );
      assert.match(userMessage(error), /blocked facial expression edits in this server/);
      await refusal(
        moderation.checkPlan(context(place), plan({ elements: ['facial', 'color'] })),
        ErrorCode.ElementBlocked,
      );
      await moderation.checkPlan(context(place), plan({ elements: ['color'] }));
      await moderation.runCommand(moderator(place), { name: 'unblock', args: ['facial'] });
      await moderation.checkPlan(context(place), plan({ elements: ['facial'] }));
    });

    it('refuses a moderator-blocked word without repeating it, and keeps it out of the audit log', async () => {
      const place = ids();
      const { moderation } = await service();
      const added = await moderation.runCommand(moderator(place), {
        name: 'words',
        args: ['add', 'clown', '"wet', 'paint"'],
      });
      assert.match(added, /Added 2 words/);
      const error = await refusal(
        moderation.checkRequest(
          context(place),
          edit({ text: 'make my brother look like a C L O W N', target: 'amusement' }),
        ),
        ErrorCode.WordBlocked,
      );
      assert.equal(userMessage(error), "I can't make that edit: a word in it is not allowed in this server.");
      await refusal(
        moderation.checkRequest(context(place), edit({ text: 'sadder, like wet-paint' })),
        ErrorCode.WordBlocked,
      );
      assert.equal(await moderation.checkRequest(context(place), edit({ text: 'make it wet and calm' })), 0.6);

      const entries = await moderation.readAudit(`discord:${place.server}`, 10);
      const refusals = entries.filter((entry) => entry.rule === ErrorCode.WordBlocked);
      assert.equal(refusals.length, 2);
      const stored = JSON.stringify(entries).toLowerCase();
      assert.doesNotMatch(stored, /c l o w n|clown|wet-paint/);
      assert.match(refusals[1]!.request!, /make my brother look like a ▇▇▇/);
      assert.match(refusals[1]!.detail!, /sha256:[0-9a-f]{12}/);

      await moderation.runCommand(moderator(place), { name: 'words', args: ['remove', 'clown'] });
      assert.equal(await moderation.checkRequest(context(place), edit({ text: 'a clown', target: 'amusement' })), 0.6);
    });

    it('blocks clearly harmful words by default, and not when the operator switches the list off', async () => {
      const place = ids();
      const { moderation } = await service();
      const error = await refusal(
        moderation.checkRequest(context(place), edit({ text: 'make it G0RY', target: 'fear' })),
        ErrorCode.WordBlocked,
      );
      assert.equal(error.details.where, 'this chat');
      const [entry] = await moderation.readAudit(`discord:${place.server}`, 1);
      assert.match(entry!.detail!, /default list \(gore\)/);
      assert.doesNotMatch(JSON.stringify(entry), /g0ry/i);

      const { moderation: permissive } = await service({ defaultWordList: false });
      assert.equal(await permissive.checkRequest(context(place), edit({ text: 'make it G0RY', target: 'fear' })), 0.6);
    });

    it('catches a harmful edited caption after planning, and a plan whose target is blocked', async () => {
      const place = ids();
      const { moderation } = await service({ globalPolicy: { blockedEmotions: ['disgust'] } });
      await moderation.checkPlan(context(place), plan());
      const error = await refusal(
        moderation.checkPlan(context(place), plan({ editedCaption: 'The dog lies mutilated on the sand.' })),
        ErrorCode.WordBlocked,
      );
      assert.doesNotMatch(userMessage(error), /mutilated/);
      const [entry] = await moderation.readAudit(`discord:${place.server}`, 1);
      assert.equal(entry!.request, 'The dog lies ▇▇▇ on the sand.');
      assert.match(entry!.detail!, /edited caption \(llm planner\)/);
      await refusal(moderation.checkPlan(context(place), plan({ target: 'disgust' })), ErrorCode.EmotionBlocked);
    });

    it('caps a new edit at the maximum intensity and refuses a More press past it', async () => {
      const place = ids();
      const { moderation } = await service();
      await moderation.runCommand(moderator(place), { name: 'maxintensity', args: ['medium'] });
      assert.equal(await moderation.checkRequest(context(place), edit({ intensity: 1 })), 0.6);
      assert.equal(await moderation.checkRequest(context(place), edit({ intensity: 0.3 })), 0.3);
      const more = edit({ text: '', intensity: 0.8, startsNewEdit: false, currentIntensity: 0.6 });
      const error = await refusal(moderation.checkRequest(context(place), more), ErrorCode.IntensityCapped);
      assert.equal(userMessage(error), 'That is as strong as edits go in this server (a moderator set the limit).');
      assert.equal(
        await moderation.checkRequest(context(place), { ...more, currentIntensity: 0.4 }),
        0.6,
        'a More press from below the cap goes up to the cap',
      );
      assert.equal(
        await moderation.checkRequest(context(place), { ...more, intensity: 0.8, currentIntensity: 1 }),
        0.6,
        'a Less press on an edit made before the cap was lowered comes down to the cap',
      );
      await refusal(
        moderation.checkRequest(context(place), { ...more, currentIntensity: undefined }),
        ErrorCode.IntensityCapped,
      );
      const [entry] = await moderation.readAudit(`discord:${place.server}`, 1);
      assert.equal(entry!.rule, ErrorCode.IntensityCapped);
    });

    it('refuses a banned person everywhere in the server until unbanned', async () => {
      const place = ids();
      const { moderation } = await service();
      await moderation.runCommand(moderator(place), { name: 'ban', args: ['<@4242>'] });
      const banned = context({ server: place.server, channel: place.other }, { id: '4242', name: 'Troll' });
      const error = await refusal(moderation.checkRequest(banned, edit()), ErrorCode.Banned);
      assert.equal(error.details.where, 'this server');
      await refusal(
        moderation.checkRequest(banned, edit({ text: 'make it gory', startsNewEdit: false })),
        ErrorCode.Banned,
      );
      const [entry] = await moderation.readAudit(`discord:${place.server}`, 1);
      assert.equal(entry!.request, 'make it ▇▇▇', 'a blocked word is masked in every refusal, not only word refusals');
      assert.equal(await moderation.checkRequest(context(place), edit()), 0.6);
      assert.match(
        await moderation.runCommand(moderator(place), { name: 'unban', args: ['4242'] }),
        /can use the bot in this server again/,
      );
      assert.equal(await moderation.checkRequest(banned, edit()), 0.6);
    });

    it('trips the per-person rate limit, tells when to try again, and recovers', async () => {
      const place = ids();
      const { moderation, backends } = await service({ globalPolicy: { perUserPerMinute: 2 } });
      const member = context(place);
      await moderation.checkRequest(member, edit());
      await moderation.checkRequest(member, edit());
      await moderation.checkRequest(member, edit({ startsNewEdit: false }));
      const error = await refusal(moderation.checkRequest(member, edit()), ErrorCode.RateLimited);
      assert.equal(error.details.seconds, 1);
      assert.match(userMessage(error), /try again in 1 s/);
      assert.equal(
        await moderation.checkRequest(context(place, { id: 'member2' }), edit()),
        0.6,
        'others are not slowed down',
      );
      assert.equal(
        await moderation.checkRequest(context({ server: 'another', channel: 'x' }), edit()),
        0.6,
        'nor is the same person in another server',
      );
      await backends.advance(WINDOW_MS + 50);
      assert.equal(await moderation.checkRequest(member, edit()), 0.6);
    });

    it('trips the per-chat rate limit across people', async () => {
      const place = ids();
      const { moderation } = await service({ globalPolicy: { perChatPerMinute: 3, perUserPerMinute: 0 } });
      for (const person of ['a', 'b', 'c']) await moderation.checkRequest(context(place, { id: person }), edit());
      await refusal(moderation.checkRequest(context(place, { id: 'd' }), edit()), ErrorCode.RateLimited);
      assert.equal(
        await moderation.checkRequest(context({ server: place.server, channel: place.other }, { id: 'd' }), edit()),
        0.6,
      );
    });

    it('lets only moderators run moderator commands, and audits the attempt', async () => {
      const place = ids();
      const { moderation } = await service();
      await refusal(moderation.runCommand(context(place), { name: 'block', args: ['fear'] }), ErrorCode.NotModerator);
      assert.equal(await moderation.checkRequest(context(place), edit({ target: 'fear' })), 0.6);
      const [entry] = await moderation.readAudit(`discord:${place.server}`, 1);
      assert.equal(entry!.rule, ErrorCode.NotModerator);
      assert.equal(entry!.request, '/block fear');
      await refusal(
        moderation.runCommand(context(place), { name: 'words', args: ['remove', 'nudes'] }),
        ErrorCode.NotModerator,
      );
      const [latest] = await moderation.readAudit(`discord:${place.server}`, 1);
      assert.equal(latest!.request, '/words remove ▇▇▇');
    });

    it('answers wrong usage with the usage, and an unknown emotion by name', async () => {
      const place = ids();
      const { moderation } = await service();
      const bad = await refusal(
        moderation.runCommand(moderator(place), { name: 'block', args: [] }),
        ErrorCode.BadCommand,
      );
      assert.match(userMessage(bad), /Usage: \/block <emotion or element>/);
      const unknown = await refusal(
        moderation.runCommand(moderator(place), { name: 'block', args: ['scary'] }),
        ErrorCode.UnknownEmotion,
      );
      assert.match(userMessage(unknown), /"scary" is not one of the emotions I know/);
      await refusal(
        moderation.runCommand(moderator(place), { name: 'block', args: ['fear', 'scary'] }),
        ErrorCode.UnknownEmotion,
      );
      assert.equal(
        await moderation.checkRequest(context(place), edit({ target: 'fear' })),
        0.6,
        'nothing changes when one name is wrong',
      );
      await moderation.runCommand(moderator(place), { name: 'block', args: ['Fear', 'DISGUST', 'faces'] });
      assert.deepEqual((await moderation.effectivePolicy(context(place))).blockedEmotions, ['disgust', 'fear']);
      assert.deepEqual((await moderation.effectivePolicy(context(place))).blockedElements, ['facial']);
      await refusal(
        moderation.runCommand(moderator(place), { name: 'maxintensity', args: ['1.5'] }),
        ErrorCode.BadCommand,
      );
      await refusal(moderation.runCommand(moderator(place), { name: 'ratelimit', args: ['-1'] }), ErrorCode.BadCommand);
      await refusal(moderation.runCommand(moderator(place), { name: 'words', args: ['add'] }), ErrorCode.BadCommand);
      await refusal(moderation.runCommand(moderator(place), { name: 'audit', args: ['500'] }), ErrorCode.BadCommand);
      await refusal(
        moderation.runCommand(moderator({ server: place.server }), { name: 'block', args: ['fear', 'channel'] }),
        ErrorCode.BadCommand,
      );
    });

    it('shows the effective policy in words a moderator reads', async () => {
      const place = ids();
      const { moderation } = await service({ globalPolicy: { blockedEmotions: ['disgust'] } });
      await moderation.runCommand(moderator(place), { name: 'block', args: ['fear'] });
      await moderation.runCommand(moderator(place), { name: 'block', args: ['color', 'channel'] });
      await moderation.runCommand(moderator(place), { name: 'words', args: ['add', 'clown'] });
      const text = await moderation.runCommand(moderator(place), { name: 'policy', args: [] });
      assert.match(text, /Blocked feelings: disgust \(the bot\), fear \(this server\)/);
      assert.match(text, /Blocked elements: colour and brightness \(this channel\)/);
      assert.match(text, /Blocked words: 1 added/);
      assert.match(text, /built-in list on/);
      assert.match(text, /10 new edits per person and 60 per chat/);
      assert.doesNotMatch(text, /clown/);
    });

    it('makes a change by one service visible to another sharing the store', async () => {
      const place = ids();
      const { moderation, backends } = await service({ cacheTtlMs: 60_000 });
      const second = new ModerationService({
        store: await backends.secondStore(),
        audit: backends.audit,
        rateLimiter: backends.rateLimiter,
        cacheTtlMs: 60_000,
      });
      opened.push(second);
      await second.ready();
      assert.equal(await second.checkRequest(context(place), edit({ target: 'fear' })), 0.6, 'cached: fear allowed');
      await moderation.runCommand(moderator(place), { name: 'block', args: ['fear'] });
      const deadline = Date.now() + 1000;
      for (;;) {
        const blocked = await second.checkRequest(context(place), edit({ target: 'fear', startsNewEdit: false })).then(
          () => false,
          (error: unknown) => error instanceof UserError && error.code === ErrorCode.EmotionBlocked,
        );
        if (blocked) break;
        assert.ok(Date.now() < deadline, 'the second service still allowed fear a second after the change');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });

    it('keeps the audit log bounded and readable newest first', async () => {
      const place = ids();
      const { moderation } = await service({
        auditMaxEntries: 5,
        globalPolicy: { blockedEmotions: ['fear'], perUserPerMinute: 0 },
      });
      for (let i = 0; i < 12; i++) {
        await refusal(
          moderation.checkRequest(context(place), edit({ text: `scary ${i} ${'x'.repeat(300)}`, target: 'fear' })),
          ErrorCode.EmotionBlocked,
        );
      }
      const entries = await moderation.readAudit(`discord:${place.server}`, 50);
      // Redis trims whole stream nodes (`MAXLEN ~`); the test server keeps 5 entries per node.
      assert.ok(entries.length >= 5 && entries.length <= 10, `kept ${entries.length} of 12 with a bound of 5`);
      assert.match(entries[0]!.request!, /^scary 11 x+…$/);
      assert.ok([...entries[0]!.request!].length <= 120);
      assert.ok(entries[0]!.at >= entries[entries.length - 1]!.at);

      const lines: string[] = [];
      const { Writable } = await import('node:stream');
      const out = new Writable({
        write(chunk, _encoding, done) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          done();
        },
      });
      const written = await moderation.exportAudit({ scope: `discord:${place.server}`, limit: 3 }, out);
      assert.equal(written, 3);
      assert.equal(lines.length, 3);
      const first = JSON.parse(lines[0]!) as { kind: string; rule: string };
      assert.equal(first.kind, 'refusal');
      assert.equal(first.rule, ErrorCode.EmotionBlocked);
    });
  });
}
