/**
 * @module The conformance suite every Planner passes (knowledge, onnx, llm…). It asserts only what
 * the Planner contract promises.
 *
 * Usage: `runPlannerConformance('knowledge', () => new KnowledgePlanner())` inside a test file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ELEMENTS, EMOTIONS, isElement, isEmotion } from '../../src/emotions.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import type { EditPlan, Planner } from '../../src/planner/planner.ts';

async function smallPhoto(name: string): Promise<CheckedImage> {
  const { data, info } = await sharp(new URL(`../fixtures/images/${name}`, import.meta.url).pathname)
    .resize(128, 128, { fit: 'inside' })
    .jpeg({ quality: 90 })
    .toBuffer({ resolveWithObject: true });
  return { bytes: data, format: 'jpeg', width: info.width, height: info.height };
}

function assertValidPlan(plan: EditPlan): void {
  assert.ok(isEmotion(plan.source), `source ${plan.source} is an emotion`);
  assert.ok(isEmotion(plan.target), `target ${plan.target} is an emotion`);
  assert.ok(plan.caption.trim().length > 0, 'caption is written');
  assert.ok(plan.editedCaption.trim().length > 0, 'edited caption is written');
  assert.ok(plan.elements.length > 0 && plan.elements.every(isElement), 'elements are named');
  assert.ok(plan.planner.length > 0, 'the planner signs the plan');
  assert.match(plan.instruction, /^Please change the emotion of this image /);
  if (plan.sourceDistribution) {
    const total = EMOTIONS.reduce((sum, e) => sum + plan.sourceDistribution![e], 0);
    assert.ok(Math.abs(total - 1) < 1e-6, 'the distribution adds up to 1');
  }
}

export function runPlannerConformance(name: string, create: () => Promise<Planner> | Planner): void {
  describe(`Planner conformance: ${name}`, () => {
    let planner: Planner;
    let photo: CheckedImage;

    before(async () => {
      planner = await create();
      photo = await smallPhoto('coffee.png');
    });
    after(async () => {
      await planner.close?.();
    });

    it('writes a complete plan for the requested target', async () => {
      const plan = await planner.plan({ image: photo, target: 'sadness', intensity: 0.6 });
      assertValidPlan(plan);
      assert.equal(plan.target, 'sadness');
      assert.ok(plan.instruction.includes('sadness'));
    });

    it('keeps the source the person named and puts it in the instruction', async () => {
      const plan = await planner.plan({ image: photo, target: 'fear', source: 'contentment', intensity: 0.6 });
      assertValidPlan(plan);
      assert.equal(plan.source, 'contentment');
      assert.equal(plan.instruction, 'Please change the emotion of this image from contentment to fear');
    });

    it('changes the elements the person named', async () => {
      const plan = await planner.plan({ image: photo, target: 'disgust', elements: ['object'], intensity: 0.6 });
      assertValidPlan(plan);
      assert.deepEqual(plan.elements, ['object']);
    });

    it('plans every target', async () => {
      for (const target of EMOTIONS) {
        const plan = await planner.plan({ image: photo, target, intensity: 0.8 });
        assertValidPlan(plan);
        assert.equal(plan.target, target);
      }
    });

    it('accepts every element', async () => {
      const plan = await planner.plan({ image: photo, target: 'awe', elements: [...ELEMENTS], intensity: 0.6 });
      assertValidPlan(plan);
    });

    it('refuses to start when the request is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(planner.plan({ image: photo, target: 'awe', intensity: 0.6, signal: controller.signal }));
    });
  });
}
