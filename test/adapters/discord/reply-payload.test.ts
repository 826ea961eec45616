/**
 * The Discord adapter's pure parts: the typed command of `/mood edit`, the buttons and menu under a
 * picture, and fitting a picture to the upload limit.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { PermissionsBitField, PermissionFlagsBits } from 'discord.js';
import { decodeButton } from '../../../src/buttons.ts';
import { RulesNormaliser } from '../../../src/normaliser/rules-normaliser.ts';
import { INTENSITY } from '../../../src/intent.ts';
import type { Reply } from '../../../src/turn.ts';
import { fitAttachment } from '../../../adapters/discord/fit-attachment.ts';
import { replyComponents, replyMessage } from '../../../adapters/discord/reply-payload.ts';
import { editCommand, isModerator, type CommandOptions } from '../../../adapters/discord/to-turn.ts';
import { editIntent } from '../../../src/commands.ts';
import { smallPhoto } from './harness.ts';

/** `/mood edit`'s string options as discord.js hands them over. */
function editOptions(values: Record<string, string>): CommandOptions {
  return {
    getString: (name) => values[name] ?? null,
    getInteger: () => null,
    getBoolean: () => null,
    getUser: () => null,
  };
}

describe('/mood edit as a typed command', () => {
  const normaliser = new RulesNormaliser();

  for (const [choice, level] of [
    ['low', INTENSITY.low],
    ['medium', INTENSITY.medium],
    ['high', INTENSITY.high],
  ] as const) {
    it(`gives the normaliser exactly the ${choice} intensity the person picked`, async () => {
      for (const feeling of ['make this sadder', 'scary', 'very calm', 'a bit angrier']) {
        const intent = await editIntent(editCommand(editOptions({ feeling, intensity: choice })), normaliser, {
          hasImage: true,
        });
        assert.equal(intent.kind, 'edit', feeling);
        assert.equal(intent.kind === 'edit' && intent.intensity, level, `${feeling} at ${choice}`);
      }
    });
  }

  it("keeps the person's own words when no intensity is picked", async () => {
    assert.deepEqual(editCommand(editOptions({ feeling: 'a bit scarier' })), {
      type: 'edit',
      feeling: 'a bit scarier',
    });
    assert.deepEqual(
      await editIntent(editCommand(editOptions({ feeling: 'a bit scarier' })), normaliser, { hasImage: true }),
      await normaliser.normalise('a bit scarier', { hasImage: true }),
    );
    assert.deepEqual(editCommand(editOptions({ feeling: '  ', intensity: 'high' })), {
      type: 'edit',
      intensity: 'high',
    });
    assert.deepEqual(
      await editIntent(editCommand(editOptions({ feeling: '  ', intensity: 'high' })), normaliser, { hasImage: true }),
      await normaliser.normalise('', { hasImage: true }),
    );
  });

  it('takes a picked emotion, intensity and element as they are, reading no words', async () => {
    const readsNothing = { name: 'none', normalise: () => Promise.reject(new Error('no words should be read')) };
    const command = editCommand(
      editOptions({ emotion: 'fear', intensity: 'low', element: 'scene', feeling: 'make it happy' }),
    );
    assert.deepEqual(command, {
      type: 'edit',
      emotion: 'fear',
      intensity: 'low',
      element: 'scene',
      feeling: 'make it happy',
    });
    assert.deepEqual(await editIntent(command, readsNothing, { hasImage: true }), {
      kind: 'edit',
      target: 'fear',
      intensity: INTENSITY.low,
      elements: ['scene'],
      instruction: 'Please change the emotion of this image to fear',
    });
    assert.deepEqual(
      editCommand(editOptions({ emotion: 'glee', intensity: 'extreme', element: 'sky' })),
      { type: 'edit' },
      'values Discord would never send are left out',
    );
  });
});

describe('buttons and menu under a picture', () => {
  const reply: Reply = {
    kind: 'edit',
    text: 'original → sadness · moderate',
    actions: ['more', 'less', 'undo', 'redo', 'retry'],
    emotions: ['amusement', 'awe', 'contentment', 'excitement', 'anger', 'disgust', 'fear'],
    editId: 'AbCdEfGhIjKl',
  };

  it("names the action and the edit in every custom id, within Discord's 100 characters", () => {
    const [buttons, menu] = replyComponents(reply).map((row) => row.toJSON());
    const decoded = buttons!.components.map((b) => decodeButton((b as { custom_id: string }).custom_id));
    assert.deepEqual(
      decoded,
      reply.actions.map((kind) => ({ kind, editId: 'AbCdEfGhIjKl' })),
    );
    const options = (menu!.components[0] as { options: Array<{ value: string }> }).options;
    assert.deepEqual(
      options.map((o) => decodeButton(o.value)),
      reply.emotions.map((emotion) => ({ kind: 'emotion', emotion, editId: 'AbCdEfGhIjKl' })),
    );
    for (const id of [
      ...buttons!.components.map((b) => (b as { custom_id: string }).custom_id),
      ...options.map((o) => o.value),
    ]) {
      assert.ok(id.length <= 100, id);
    }
  });

  it('offers nothing to press on a reply that shows no edit', () => {
    assert.deepEqual(replyComponents({ kind: 'error', text: 'no', actions: ['retry'], emotions: [] }), []);
  });

  it("cuts captions to Discord's 2 000 characters", async () => {
    const message = await replyMessage({ ...reply, text: 'x'.repeat(3000) }, 1024 * 1024);
    assert.equal(message.content.length, 2000);
  });
});

describe('fitting a picture to the upload limit', () => {
  it('leaves a picture that fits as it is', async () => {
    const bytes = await smallPhoto('coffee.png', 64);
    const fitted = await fitAttachment({ bytes, type: 'image/png', width: 64, height: 48, name: 'x.png' }, 1024 * 1024);
    assert.ok(fitted.ok && !fitted.reencoded && fitted.image.bytes === bytes);
  });

  it('re-encodes a picture over the limit to fit, keeping its aspect ratio', async () => {
    const bytes = await sharp(await smallPhoto('hubble_deep_field.jpg', 600))
      .png()
      .toBuffer();
    const { width, height } = await sharp(bytes).metadata();
    const limit = 30 * 1024;
    const fitted = await fitAttachment(
      { bytes, type: 'image/png', width: width!, height: height!, name: 'hubble.png' },
      limit,
    );
    assert.ok(fitted.ok, 'it fits');
    assert.ok(fitted.image.bytes.length <= limit);
    assert.equal(fitted.image.name, 'hubble.jpg');
    const out = await sharp(fitted.image.bytes).metadata();
    assert.ok(Math.abs(out.width! / out.height! - width! / height!) < 0.02);
  });

  it('says why when no version of the picture can fit', async () => {
    const bytes = await smallPhoto('coffee.png', 300);
    const fitted = await fitAttachment({ bytes, type: 'image/png', width: 300, height: 225, name: 'x.png' }, 5 * 1024);
    assert.ok(!fitted.ok && /upload limit/.test(fitted.reason));
  });
});

describe('who moderates', () => {
  const manage = new PermissionsBitField(PermissionFlagsBits.ManageGuild);
  const none = new PermissionsBitField(0n);

  it('is whoever has Manage Server in a server', () => {
    assert.equal(isModerator({ guildId: '1', permissions: manage, member: { roles: [] }, guild: null }), true);
    assert.equal(isModerator({ guildId: '1', permissions: none, member: { roles: [] }, guild: null }), false);
  });

  it('is nobody in a DM', () => {
    assert.equal(isModerator({ guildId: null, permissions: manage, member: null, guild: null }), false);
  });

  it('includes members of the moderator role given by id', () => {
    assert.equal(
      isModerator({ guildId: '1', permissions: none, member: { roles: ['42'] }, guild: null, moderatorRole: '42' }),
      true,
    );
    assert.equal(
      isModerator({ guildId: '1', permissions: none, member: { roles: ['43'] }, guild: null, moderatorRole: '42' }),
      false,
    );
  });
});
