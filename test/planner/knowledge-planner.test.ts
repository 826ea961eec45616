import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ELEMENTS, EMOTIONS, type EmotionDistribution } from '../../src/emotions.ts';
import type { Estimator } from '../../src/estimator/tone-estimator.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import { describeTone, KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { VISUAL_FACTORS } from '../../src/planner/visual-factors.ts';
import { runPlannerConformance } from './planner.conformance.ts';

runPlannerConformance('knowledge', () => new KnowledgePlanner());

async function flat(r: number, g: number, b: number): Promise<CheckedImage> {
  const bytes = await sharp({ create: { width: 24, height: 16, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
  return { bytes, format: 'png', width: 24, height: 16 };
}

/** An estimator of our own that always reads the same emotion. */
function fixedEstimator(distribution: EmotionDistribution): Estimator & { calls: number } {
  return {
    name: 'fixed',
    calls: 0,
    async estimate() {
      this.calls++;
      return distribution;
    },
  };
}

const awed = Object.fromEntries(EMOTIONS.map((e) => [e, e === 'awe' ? 0.9 : 0.1 / 7])) as EmotionDistribution;

describe('knowledge planner', () => {
  it('takes the source from the estimator when the person named none', async () => {
    const estimator = fixedEstimator(awed);
    const plan = await new KnowledgePlanner({ estimator }).plan({
      image: await flat(90, 90, 90),
      target: 'sadness',
      intensity: 0.6,
    });
    assert.equal(plan.source, 'awe');
    assert.equal(plan.instruction, 'Please change the emotion of this image from awe to sadness');
    assert.deepEqual(plan.sourceDistribution, awed);
    assert.equal(estimator.calls, 1);
  });

  it('does not consult the estimator when the person named the source', async () => {
    const estimator = fixedEstimator(awed);
    const plan = await new KnowledgePlanner({ estimator }).plan({
      image: await flat(90, 90, 90),
      target: 'anger',
      source: 'contentment',
      intensity: 0.6,
    });
    assert.equal(plan.source, 'contentment');
    assert.equal(estimator.calls, 0);
  });

  it('describes the picture in colour and light terms', async () => {
    const planner = new KnowledgePlanner();
    const dark = await planner.plan({ image: await flat(20, 25, 45), target: 'awe', intensity: 0.6 });
    assert.match(dark.caption, /dark/);
    assert.match(dark.caption, /cool/);
    const sunny = await planner.plan({ image: await flat(250, 200, 120), target: 'awe', intensity: 0.6 });
    assert.match(sunny.caption, /bright/);
    assert.match(sunny.caption, /warm/);
  });

  it('describes the change with the target factors of the chosen elements', async () => {
    const planner = new KnowledgePlanner();
    const sad = await planner.plan({ image: await flat(200, 150, 90), target: 'sadness', intensity: 0.6 });
    assert.deepEqual(sad.elements, ['scene', 'color'], 'scene and colour by default');
    assert.match(sad.editedCaption, /overcast sky/);
    const disgust = await planner.plan({
      image: await flat(200, 150, 90),
      target: 'disgust',
      elements: ['object'],
      intensity: 0.6,
    });
    assert.match(disgust.editedCaption, /mould/);
    assert.doesNotMatch(disgust.editedCaption, /sickly/, 'colour factors only when colour is chosen');
  });

  it('says how strong the change is', async () => {
    const planner = new KnowledgePlanner();
    const image = await flat(120, 120, 120);
    const subtle = await planner.plan({ image, target: 'fear', intensity: 0.3 });
    const maximum = await planner.plan({ image, target: 'fear', intensity: 1 });
    assert.match(subtle.editedCaption, /a touch more/);
    assert.match(maximum.editedCaption, /overwhelmingly/);
  });

  it('gives the same plan for the same picture and request', async () => {
    const planner = new KnowledgePlanner();
    const image = await flat(60, 140, 200);
    const request = {
      image,
      target: 'excitement' as const,
      intensity: 0.8,
      elements: ['action' as const, 'color' as const],
    };
    assert.deepEqual(await planner.plan(request), await planner.plan({ ...request }));
  });

  it('has visual factors for every emotion and every element', () => {
    for (const emotion of EMOTIONS) {
      for (const element of ELEMENTS) assert.ok(VISUAL_FACTORS[emotion][element].length >= 2, `${emotion}/${element}`);
    }
  });

  it('writes a caption for extreme pictures', () => {
    assert.match(describeTone({ brightness: 0, saturation: 0, warmth: 0, contrast: 0, tint: 0 }), /^A dark/);
    assert.match(
      describeTone({ brightness: 0.5, saturation: 0.2, warmth: 0.05, contrast: 0.2, tint: 0 }),
      /^An evenly lit/,
    );
  });

  it('refuses options that make no sense, saying what to change', () => {
    assert.throws(() => new KnowledgePlanner({ defaultElements: [] }), /defaultElements must name at least one/);
    assert.throws(() => new KnowledgePlanner({ factorsPerElement: 0 }), /factorsPerElement/);
  });
});
