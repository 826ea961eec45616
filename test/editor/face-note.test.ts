/**
 * The edited caption says what carries the feeling when the faces could not (issue 15, item 5):
 * the Editor ends it with the renderer's face note, once, and drops it when a later render of
 * the same plan ("more", "try again") no longer needs it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { Editor } from '../../src/editor.ts';
import { FACE_NOTES } from '../../src/messages.ts';
import { RulesNormaliser } from '../../src/normaliser/rules-normaliser.ts';
import type { EditPlan, Planner, PlanRequest } from '../../src/planner/planner.ts';
import type { FaceNote, RenderRequest, RenderResult, Renderer } from '../../src/renderer/renderer.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { MemoryConversationStore } from '../../src/store/memory-store.ts';
import type { Reply, Turn } from '../../src/turn.ts';

const CAPTION = 'Her smile fades and her face falls.';

/** A planner whose edited caption speaks of the face. */
const planner: Planner = {
  name: 'face-caption',
  async plan(request: PlanRequest): Promise<EditPlan> {
    return {
      source: 'amusement',
      target: request.target,
      caption: 'A smiling woman.',
      editedCaption: CAPTION,
      elements: request.elements ?? ['facial', 'scene', 'color'],
      instruction: '',
      planner: 'face-caption',
    };
  },
};

/** The colour-only renderer, reporting whatever face note the test sets next. */
class NotingRenderer implements Renderer {
  readonly name = 'noting';
  readonly elements = ['facial', 'scene', 'color'] as const;
  note: FaceNote | undefined;
  readonly #tone = new ToneRenderer({ vision: false });
  async render(request: RenderRequest): Promise<RenderResult> {
    const result = await this.#tone.render(request);
    return this.note ? { ...result, faceNote: this.note } : result;
  }
}

describe('face notes in the edited caption', () => {
  it('ends the caption with what carries the feeling, once, and drops it when the face carried it', async () => {
    const renderer = new NotingRenderer();
    const editor = new Editor({
      store: new MemoryConversationStore(),
      normaliser: new RulesNormaliser(),
      planner,
      renderer: renderer as unknown as Renderer,
    });
    const photo = await sharp(readFileSync(new URL('../fixtures/images/astronaut.png', import.meta.url)))
      .resize(128)
      .png()
      .toBuffer();
    const key = { platform: 'test', chat: 'c', user: 'u' };
    let n = 0;
    const say = async (text: string, image?: Buffer, action?: Turn['action']): Promise<Reply> => {
      const replies = await editor.handle({
        key,
        messageId: `m${++n}`,
        text,
        images: image ? [{ declaredBytes: image.length, fetch: async () => image }] : [],
        actor: { id: 'u', name: 'Tester', isModerator: false },
        action,
      });
      return replies[0]!;
    };
    renderer.note = 'open-smile';
    const sad = await say('make this sadder', photo);
    assert.ok(sad.text.endsWith(`${CAPTION} ${FACE_NOTES['open-smile']}`), sad.text);
    // "Try again" renders the same plan again: the note is not repeated.
    const retried = await say('', undefined, { kind: 'retry', editId: sad.editId } as Turn['action']);
    assert.equal(retried.text.split(FACE_NOTES['open-smile']).length, 2, retried.text);
    // A render whose face carried the feeling says nothing of the light.
    renderer.note = undefined;
    const again = await say('', undefined, { kind: 'retry', editId: retried.editId } as Turn['action']);
    assert.ok(again.text.endsWith(CAPTION), again.text);
  });
});
