import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { EMOTIONS, EMOTION_TABLE, dominantEmotion, type EmotionDistribution } from '../../src/emotions.ts';
import { distributionOfTone, estimateEmotion, padOfTone, ToneEstimator } from '../../src/estimator/tone-estimator.ts';
import { standardiseTone, TONE_REFERENCE } from '../../src/estimator/tone-features.ts';
import type { CheckedImage } from '../../src/image/image.ts';

/** A picture of one colour with gentle noise, so it has some contrast like a photo. */
async function picture(r: number, g: number, b: number, noise = 20): Promise<CheckedImage> {
  const width = 48;
  const height = 32;
  const pixels = Buffer.alloc(width * height * 3);
  let state = 11;
  for (let i = 0; i < pixels.length; i += 3) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const jitter = ((state >>> 16) % (2 * noise + 1)) - noise;
    pixels[i] = Math.max(0, Math.min(255, r + jitter));
    pixels[i + 1] = Math.max(0, Math.min(255, g + jitter));
    pixels[i + 2] = Math.max(0, Math.min(255, b + jitter));
  }
  const bytes = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  return { bytes, format: 'png', width, height };
}

const positive = (d: EmotionDistribution) =>
  EMOTIONS.filter((e) => EMOTION_TABLE[e].valence === 'positive').reduce((s, e) => s + d[e], 0);

describe('tone estimator', () => {
  it('gives a probability for each of the eight emotions, adding up to 1', async () => {
    const distribution = await new ToneEstimator().estimate(await picture(120, 110, 100));
    assert.deepEqual(Object.keys(distribution).sort(), [...EMOTIONS].sort());
    assert.ok(Math.abs(Object.values(distribution).reduce((a, b) => a + b, 0) - 1) < 1e-9);
    for (const p of Object.values(distribution)) assert.ok(p >= 0 && p <= 1);
  });

  it('reads a dark, blue, washed-out picture as sad or fearful', async () => {
    const distribution = await estimateEmotion(await picture(40, 48, 70, 8));
    assert.ok(['sadness', 'fear'].includes(dominantEmotion(distribution)), `read as ${dominantEmotion(distribution)}`);
    assert.ok(distribution.sadness + distribution.fear > 0.5);
  });

  it('reads a bright, warm, saturated picture as positive', async () => {
    const distribution = await estimateEmotion(await picture(250, 190, 60));
    assert.equal(EMOTION_TABLE[dominantEmotion(distribution)].valence, 'positive');
    assert.ok(positive(distribution) > 0.8);
  });

  it('reads a picture with a green cast as more disgusting than the same picture without it', async () => {
    const neutral = await estimateEmotion(await picture(110, 105, 95));
    const green = await estimateEmotion(await picture(95, 125, 80));
    assert.ok(green.disgust > neutral.disgust);
  });

  it('follows Valdez & Mehrabian: brighter is more pleasant, more saturated is more arousing', () => {
    const typical = standardiseTone({
      brightness: TONE_REFERENCE.brightness.mean,
      saturation: TONE_REFERENCE.saturation.mean,
      warmth: TONE_REFERENCE.warmth.mean,
      contrast: TONE_REFERENCE.contrast.mean,
      tint: TONE_REFERENCE.tint.mean,
    });
    const brighter = padOfTone({ ...typical, brightness: 1 });
    const vivid = padOfTone({ ...typical, saturation: 1 });
    const base = padOfTone(typical);
    assert.ok(brighter.pleasure > base.pleasure && brighter.dominance < base.dominance);
    assert.ok(vivid.arousal > base.arousal);
  });

  it('does not break on a black picture', () => {
    const distribution = distributionOfTone({ brightness: 0, saturation: 0, warmth: 0, contrast: 0, tint: 0 });
    assert.ok(EMOTIONS.every((e) => Number.isFinite(distribution[e])));
  });
});
