import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Editor } from '../../src/editor.ts';
import { ErrorCode, UserError } from '../../src/errors.ts';
import { DecodeGate } from '../../src/image/decode-gate.ts';
import { checkImage } from '../../src/image/input-checks.ts';
import { userMessage } from '../../src/messages.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import { GatedRenderer } from '../../src/renderer/gated-renderer.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { canonicalInstruction } from '../../src/intent.ts';
import { MemoryConversationStore } from '../../src/store/memory-store.ts';
import type { Turn } from '../../src/turn.ts';

/** An ordinary photo-sized JPEG of noise (detail in every block): legitimate, but far from instant to decode. */
async function noiseJpeg(width: number, height: number): Promise<Buffer> {
  const small = Buffer.alloc(Math.ceil(width / 8) * Math.ceil(height / 8) * 3);
  let state = 3;
  for (let i = 0; i < small.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    small[i] = state >>> 23;
  }
  return sharp(small, { raw: { width: Math.ceil(width / 8), height: Math.ceil(height / 8), channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .jpeg({ quality: 90 })
    .toBuffer();
}

function photoTurn(user: string, text: string, bytes: Buffer, n: number): Turn {
  return {
    key: { platform: 'test', chat: 'limits', user },
    messageId: `m-${n}`,
    text,
    images: [{ declaredBytes: bytes.length, fetch: async () => bytes }],
    actor: { id: user, name: user, isModerator: false },
  };
}

const plan = {
  source: 'contentment' as const,
  target: 'sadness' as const,
  caption: '',
  editedCaption: '',
  elements: ['color' as const],
  instruction: canonicalInstruction('sadness', 'contentment'),
  planner: 'test',
};

describe('time limits on decodes and local renders', () => {
  it('refuses a picture whose decode runs past the time limit, and keeps serving others', async () => {
    const big = await noiseJpeg(4000, 3000);
    const gate = new DecodeGate(2);
    const error = await checkImage(big, { gate, owner: 'slow', limits: { decodeTimeoutSeconds: 0.005 } }).then(
      () => assert.fail('a 12-megapixel decode within 5 ms'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UserError);
    assert.equal(error.code, ErrorCode.ImageTooSlow);
    assert.match(userMessage(error), /would take too long to read, so I stopped/);
    // The same gate goes on serving: a small picture from someone else is accepted.
    const small = await checkImage(await noiseJpeg(320, 240), { gate, owner: 'bystander' });
    assert.deepEqual([small.width, small.height], [320, 240]);
    // The slow picture's slot is kept until libvips has really stopped, then given back.
    for (let tries = 0; ; tries++) {
      const outcome = await gate.run('slow', async () => 'free').catch((e: unknown) => e);
      if (outcome === 'free') break;
      assert.ok(outcome instanceof UserError && outcome.code === ErrorCode.ImageBusy, String(outcome));
      assert.ok(tries < 600, 'the slot came back within a minute');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(gate.running, 0);
  });

  it('answers a person whose photo took too long with the sentence, and edits the next photo', async () => {
    const store = new MemoryConversationStore();
    const editor = new Editor({
      store,
      normaliser: new RulesNormaliser(),
      planner: new KnowledgePlanner(),
      renderer: new ToneRenderer({ vision: false }),
      imageLimits: { decodeTimeoutSeconds: 0.005 },
      decodeGate: new DecodeGate(2),
    });
    const [slow] = await editor.handle(photoTurn('alice', 'make it sadder', await noiseJpeg(4000, 3000), 1));
    assert.equal(slow!.kind, 'error');
    assert.equal(slow!.code, ErrorCode.ImageTooSlow);
    assert.match(slow!.text, /too long to read/);
    // The process keeps serving: the next person's photo, under the default limit over the same store, is edited.
    const relaxed = new Editor({
      store,
      normaliser: new RulesNormaliser(),
      planner: new KnowledgePlanner(),
      renderer: new ToneRenderer({ vision: false }),
    });
    const [edited] = await relaxed.handle(photoTurn('bob', 'make it sadder', await noiseJpeg(320, 240), 2));
    assert.equal(edited!.kind, 'edit', edited!.text);
  });

  it('stops a local render past its time limit with RenderTimeout and offers Try again', async () => {
    const tone = new ToneRenderer({ vision: false });
    const gate = new DecodeGate(2);
    const image = await checkImage(await noiseJpeg(4000, 3000));
    const hurried = new GatedRenderer(tone, { gate, timeoutSeconds: 0.005 });
    const error = await hurried.render({ image, plan, intensity: 0.6, seed: 1, owner: 'test:alice' }).then(
      () => assert.fail('a 12-megapixel render within 5 ms'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UserError);
    assert.equal(error.code, ErrorCode.RenderTimeout);
    assert.match(userMessage(error), /took too long and was stopped\. Press "Try again"/);

    // Through the Editor the person gets the sentence and a Try again button.
    const editor = new Editor({
      store: new MemoryConversationStore(),
      normaliser: new RulesNormaliser(),
      planner: new KnowledgePlanner(),
      renderer: hurried,
      decodeGate: gate,
    });
    const [reply] = await editor.handle(photoTurn('carol', 'make it sadder', await noiseJpeg(4000, 3000), 3));
    assert.equal(reply!.code, ErrorCode.RenderTimeout);
    assert.deepEqual(reply!.actions, ['retry']);

    // The renderer keeps serving: the same tone renderer, with its own limit, renders a small picture.
    const patient = new GatedRenderer(tone, { gate });
    const small = await checkImage(await noiseJpeg(320, 240));
    const result = await patient.render({ image: small, plan, intensity: 0.6, seed: 1, owner: 'test:alice' });
    assert.deepEqual([result.width, result.height], [320, 240]);
  });

  it('refuses nonsense time limits', () => {
    assert.throws(
      () => new GatedRenderer(new ToneRenderer({ vision: false }), { timeoutSeconds: 0 }),
      /timeoutSeconds must be a positive number/,
    );
  });
});
