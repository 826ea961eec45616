import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { loadConfig } from '../../src/config.ts';
import { createEngine } from '../../src/engine.ts';
import { Editor } from '../../src/editor.ts';
import { ErrorCode } from '../../src/errors.ts';
import { DecodeGate } from '../../src/image/decode-gate.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import { GatedRenderer } from '../../src/renderer/gated-renderer.ts';
import type { Renderer } from '../../src/renderer/renderer.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { MemoryConversationStore } from '../../src/store/memory-store.ts';
import type { ButtonAction, Reply, Turn } from '../../src/turn.ts';

async function photo(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 40 + seed, g: 120, b: 200 } } })
    .jpeg()
    .toBuffer();
}

let message = 0;
function turn(
  user: string,
  text: string,
  options: { image?: Buffer; action?: ButtonAction & { editId?: string } } = {},
): Turn {
  return {
    key: { platform: 'test', chat: 'gate', user },
    messageId: `m-${++message}`,
    text,
    images: options.image ? [{ declaredBytes: options.image.length, fetch: async () => options.image! }] : [],
    actor: { id: user, name: user, isModerator: false },
    action: options.action,
  };
}

describe('local renders under the decode gate', () => {
  it("refuses one person's button mashing at once while another person's edit goes through", async () => {
    const gate = new DecodeGate(2);
    const tone = new ToneRenderer({ vision: false });
    // Alice's renders wait for the test to let them go, so that they overlap for certain.
    let letAliceGo!: () => void;
    const aliceMayGo = new Promise<void>((resolve) => (letAliceGo = resolve));
    let holdAlice = false;
    const held: Renderer = {
      name: 'tone',
      render: async (request) => {
        if (holdAlice && request.owner === 'test:alice') await aliceMayGo;
        return tone.render(request);
      },
    };
    const editor = new Editor({
      store: new MemoryConversationStore(),
      normaliser: new RulesNormaliser(),
      planner: new KnowledgePlanner(),
      renderer: new GatedRenderer(held, { gate }),
      decodeGate: gate,
    });
    const [first] = await editor.handle(turn('alice', 'make it sadder', { image: await photo(1) }));
    assert.equal(first!.kind, 'edit');
    holdAlice = true;

    // Ten presses of More at once: one render runs, nine are refused straight away.
    let refused = 0;
    let allRefused!: () => void;
    const nineRefused = new Promise<void>((resolve) => (allRefused = resolve));
    const presses = Array.from({ length: 10 }, () =>
      editor.handle(turn('alice', '', { action: { kind: 'more', editId: first!.editId } })).then((replies: Reply[]) => {
        if (replies[0]!.code === ErrorCode.TooManyJobs && ++refused === 9) allRefused();
        return replies[0]!;
      }),
    );
    await nineRefused;
    // Meanwhile Bob sends a photo and gets his edit: his check and his render take the other slot.
    const [bobs] = await editor.handle(turn('bob', 'make it scarier', { image: await photo(2) }));
    assert.equal(bobs!.kind, 'edit', bobs!.text);
    assert.equal(gate.running, 1, "only Alice's one render holds a slot");

    letAliceGo();
    const answers = await Promise.all(presses);
    assert.equal(answers.filter((a) => a.kind === 'edit').length, 1, 'one of the ten presses was rendered');
    const busy = answers.filter((a) => a.code === ErrorCode.TooManyJobs);
    assert.equal(busy.length, 9);
    assert.match(busy[0]!.text, /You already have an edit running\. Please wait for it to finish\./);
    assert.equal(gate.running, 0);
    // Her slot is free again: the next press renders.
    const [again] = await editor.handle(turn('alice', '', { action: { kind: 'more', editId: first!.editId } }));
    assert.equal(again!.kind, 'edit');
  });

  it('lets other people wait in line for a slot instead of refusing them', async () => {
    const gate = new DecodeGate(1);
    const releases: (() => void)[] = [];
    const slow: Renderer = {
      name: 'slow',
      render: (request) => new Promise((resolve) => releases.push(() => resolve(request.image))),
    };
    const renderer = new GatedRenderer(slow, { gate });
    const image = { bytes: await photo(3), format: 'jpeg' as const, width: 96, height: 64 };
    const request = (owner: string) => ({
      image,
      plan: {
        source: 'awe' as const,
        target: 'fear' as const,
        caption: '',
        editedCaption: '',
        elements: [],
        instruction: '',
        planner: 't',
      },
      intensity: 0.5,
      seed: 1,
      owner,
    });
    const first = renderer.render(request('test:a'));
    const second = renderer.render(request('test:b'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(releases.length, 1, 'the second person waits for the one slot');
    releases[0]!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(releases.length, 2);
    releases[1]!();
    await second;
  });

  it('reads MOODSHIFT_MAX_CONCURRENT_DECODES and gates the configured tone renderer', async () => {
    assert.equal(loadConfig({}).maxConcurrentDecodes, 2);
    assert.equal(loadConfig({ MOODSHIFT_MAX_CONCURRENT_DECODES: '3' }).maxConcurrentDecodes, 3);
    assert.throws(
      () => loadConfig({ MOODSHIFT_MAX_CONCURRENT_DECODES: '0' }),
      /MOODSHIFT_MAX_CONCURRENT_DECODES="0" must be a whole number from 1 to 64/,
    );
    const engine = await createEngine(loadConfig({}));
    try {
      assert.ok(engine.renderer instanceof GatedRenderer);
      assert.equal(engine.renderer.name, 'tone');
    } finally {
      await engine.close();
    }
  });
});
