/**
 * End to end: progress while an edit runs (queued with position, rendering step k of n),
 * and a graceful stop that lets the work in flight finish.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ToneRenderer } from '../../../src/renderer/tone-renderer.ts';
import type { Renderer } from '../../../src/renderer/renderer.ts';
import { editWithPhoto, moodEdit, startHarness, uploadPhoto, type Harness } from './harness.ts';

/**
 * The tone renderer behind a queue and a few steps. After each progress event it waits until
 * the fake Discord shows that text, so the test sees every step without depending on timing.
 */
class StagedRenderer implements Renderer {
  readonly name = 'staged-tone';
  readonly #tone = new ToneRenderer();
  shown: (text: string) => Promise<unknown> = async () => {};
  /** When set, rendering waits for it (to keep a turn in flight). */
  hold?: Promise<void>;

  async render(request: Parameters<Renderer['render']>[0]): ReturnType<Renderer['render']> {
    const steps: Array<[Parameters<NonNullable<typeof request.onProgress>>[0], string]> = [
      [{ stage: 'queued', position: 2 }, 'Queued: 2 ahead of you…'],
      [{ stage: 'rendering', step: 1, steps: 2 }, 'Rendering: step 1 of 2…'],
      [{ stage: 'rendering', step: 2, steps: 2 }, 'Rendering: step 2 of 2…'],
    ];
    for (const [progress, text] of steps) {
      request.onProgress?.(progress);
      await this.shown(text);
    }
    await this.hold;
    return this.#tone.render(request);
  }
}

describe('Discord: progress and a graceful stop', () => {
  let h: Harness;
  const renderer = new StagedRenderer();

  before(async () => {
    h = await startHarness({ parts: { renderer }, adapter: { progressIntervalMs: 100 } });
    renderer.shown = (text) =>
      h.fake.waitFor(
        () => [...h.fake.messages.values()].some((m) => m.history.some((s) => s.content === text)),
        20_000,
        `"${text}" on Discord`,
      );
  });
  after(() => h.close());

  it('edits the deferred reply through each stage, the picture last', async () => {
    const { picture } = await editWithPhoto(h, { feeling: 'sadder' });
    const texts = picture.history.map((s) => s.content);
    const order = [
      'Planning the edit…',
      'Queued: 2 ahead of you…',
      'Rendering: step 1 of 2…',
      'Rendering: step 2 of 2…',
    ].map((t) => texts.indexOf(t));
    assert.ok(
      order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!)),
      `stages in order: ${JSON.stringify(texts)}`,
    );
    assert.equal(picture.history.at(-1)!.attachments.length, 1, 'the picture is the last state');
  });

  it('finishes the edit in flight when stopped, and tells newcomers it is restarting', async () => {
    let release!: () => void;
    renderer.hold = new Promise<void>((resolve) => (release = resolve));
    const inFlight = moodEdit(h, { photo: await uploadPhoto(h.fake), feeling: 'scarier' });
    await h.fake.waitForText(inFlight, /Rendering: step 2 of 2/);

    let stopped = false;
    const stopping = h.adapter.stop().then(() => (stopped = true));
    assert.equal(h.adapter.isReady(), false, 'not ready while stopping');
    const newcomer = h.fake.slashCommand({ user: h.alice, channel: h.channel, command: 'mood', subcommand: 'help' });
    await h.fake.waitForText(newcomer, /restarting/);
    assert.equal(stopped, false, 'stop waits for the edit in flight');

    release();
    const picture = await h.fake.waitForPicture(inFlight);
    assert.match(picture.content, /→ fear/);
    await stopping;
    assert.equal(stopped, true);
  });
});
