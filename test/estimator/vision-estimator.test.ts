import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMOTIONS, type Emotion, type EmotionDistribution } from '../../src/emotions.ts';
import { checkImage } from '../../src/image/input-checks.ts';
import { ToneEstimator } from '../../src/estimator/tone-estimator.ts';
import { EXPRESSION_TO_EMOTION, VisionEstimator } from '../../src/estimator/vision-estimator.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';

const fixture = async (name: string) =>
  checkImage(readFileSync(new URL(`../fixtures/images/${name}`, import.meta.url)));
const positive = (d: EmotionDistribution) => d.amusement + d.awe + d.contentment + d.excitement;
const top = (d: EmotionDistribution): Emotion => EMOTIONS.reduce((a, b) => (d[b] > d[a] ? b : a));

describe('vision estimator (real models)', () => {
  const vision = new VisionRuntime();
  const estimator = new VisionEstimator({ vision });
  after(() => vision.close());

  it('maps every expression row to a distribution over the eight emotions', () => {
    for (const [row, mapping] of Object.entries(EXPRESSION_TO_EMOTION)) {
      const total = Object.values(mapping).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(total - 1) < 1e-9, `${row} sums to ${total}`);
    }
  });

  it("reads the astronaut's broad smile as a positive picture, more so than colour alone", async () => {
    const image = await fixture('astronaut.png');
    const result = await estimator.estimateFaces(image);
    assert.ok(result.faceWeight > 0.3, `face weight ${result.faceWeight}`);
    assert.ok(positive(result.distribution) > 0.6, JSON.stringify(result.distribution));
    assert.ok(positive(result.distribution) > positive(result.colour));
    assert.ok(['amusement', 'excitement', 'contentment'].includes(top(result.distribution)));
  });

  it('ignores the false face on the cat: its estimate is the colour estimate', async () => {
    const image = await fixture('chelsea.png');
    const result = await estimator.estimateFaces(image);
    assert.equal(result.faceWeight, 0);
    assert.deepEqual(result.distribution, await new ToneEstimator().estimate(image));
  });

  it('reads the sadness the facial edit put on a smiling face', async () => {
    const image = await fixture('portrait-jesper-smirk.jpg');
    const before = await estimator.estimate(image);
    const plan = {
      source: 'amusement' as const,
      target: 'sadness' as const,
      caption: '',
      editedCaption: '',
      elements: ['facial' as const],
      instruction: '',
      planner: 'test',
    };
    const edited = await new ToneRenderer({ vision }).render({ image, plan, intensity: 0.8, seed: 1 });
    const after = await estimator.estimate(edited);
    assert.ok(
      after.sadness > before.sadness + 0.2,
      `sadness ${before.sadness.toFixed(2)} → ${after.sadness.toFixed(2)}`,
    );
  });

  it('falls back to the colour estimate when the models cannot be loaded', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-models-'));
    const broken = new VisionRuntime({ paths: { faceApiModels: empty, humanModels: empty } });
    try {
      const image = await fixture('astronaut.png');
      assert.deepEqual(
        await new VisionEstimator({ vision: broken }).estimate(image),
        await new ToneEstimator().estimate(image),
      );
    } finally {
      await broken.close();
    }
  });
});
