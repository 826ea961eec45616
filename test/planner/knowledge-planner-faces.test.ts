import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkImage } from '../../src/image/input-checks.ts';
import { VisionEstimator } from '../../src/estimator/vision-estimator.ts';
import { KnowledgePlanner } from '../../src/planner/knowledge-planner.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';

const fixture = async (name: string) =>
  checkImage(readFileSync(new URL(`../fixtures/images/${name}`, import.meta.url)));

describe('knowledge planner with the vision estimator (real models)', () => {
  const vision = new VisionRuntime();
  const planner = new KnowledgePlanner({ estimator: new VisionEstimator({ vision }) });
  after(() => vision.close());

  it("reads a smiling portrait's source from the face and plans a facial edit", async () => {
    const plan = await planner.plan({
      image: await fixture('astronaut.png'),
      target: 'sadness',
      elements: ['facial', 'scene', 'color'],
      intensity: 0.6,
    });
    assert.ok(['amusement', 'excitement', 'contentment'].includes(plan.source), plan.source);
    assert.deepEqual(plan.elements, ['facial', 'scene', 'color']);
  });

  it('promises no facial change on a picture without a real face (the cat)', async () => {
    const plan = await planner.plan({
      image: await fixture('chelsea.png'),
      target: 'sadness',
      elements: ['facial', 'scene', 'color'],
      intensity: 0.6,
    });
    assert.deepEqual(plan.elements, ['scene', 'color']);
    const faceOnly = await planner.plan({
      image: await fixture('chelsea.png'),
      target: 'fear',
      elements: ['facial'],
      intensity: 0.6,
    });
    assert.deepEqual(faceOnly.elements, ['color'], 'asked for a face where there is none, the light carries it');
  });
});
