/**
 * @module The Estimator contract (what emotion a picture shows now) and its embedded default,
 * the tone estimator.
 */
import { EMOTIONS, EMOTION_TABLE, type Emotion, type EmotionDistribution, type Pad } from '../emotions.ts';
import type { CheckedImage } from '../image/image.ts';
import { measureTone, standardiseTone, type StandardTone, type ToneFeatures } from './tone-features.ts';

/** A picture to a distribution over the eight emotions. */
export interface Estimator {
  readonly name: string;
  estimate(image: CheckedImage): Promise<EmotionDistribution>;
}

/**
 * The tone model's numbers, exported so that the tone renderer grades along the same model the
 * estimator reads (see `tone-renderer.ts`).
 */
export const TONE_MODEL = {
  /**
   * Valdez & Mehrabian (1994), "Effects of color on emotions", J. Experimental Psychology:
   * General 123(4): regression of pleasure, arousal and dominance on standardised brightness (B)
   * and saturation (S): P = .69 B + .22 S, A = −.31 B + .60 S, D = −.76 B + .32 S.
   */
  valdezMehrabian: {
    pleasure: { brightness: 0.69, saturation: 0.22 },
    arousal: { brightness: -0.31, saturation: 0.6 },
    dominance: { brightness: -0.76, saturation: 0.32 },
  },
  /** From standard-deviation units to the [−1, 1] PAD scale of `emotions.ts` (estimate). */
  padScale: 0.3,
  /** Warm colours read as more pleasant (estimate, after the colour-emotion literature). */
  warmthToPleasure: 0.1,
  /** Hard contrast reads as more arousing (estimate). */
  contrastToArousal: 0.1,
  /**
   * Dominance is the least reliable axis for colour alone, so it counts less in the distance
   * to each emotion (estimate).
   */
  dominanceWeight: 0.3,
  /** Softmax temperature over squared PAD distances: lower is more decisive (estimate). */
  temperature: 0.15,
  /** A green or sickly-yellow cast reads as disgust (estimate): added to its score per z of tint. */
  tintToDisgust: 0.5,
  /**
   * Added to disgust's score: colour alone rarely says "disgust" without a sickly cast, so a
   * merely dark, dull picture should read as sad before it reads as disgusting (estimate). A
   * constant, so it changes no grade direction of the tone renderer.
   */
  disgustPrior: -0.6,
} as const;

/** The PAD position the tone model reads from standardised statistics. */
export function padOfTone(z: StandardTone): Pad {
  const vm = TONE_MODEL.valdezMehrabian;
  const k = TONE_MODEL.padScale;
  return {
    pleasure:
      k * (vm.pleasure.brightness * z.brightness + vm.pleasure.saturation * z.saturation) +
      TONE_MODEL.warmthToPleasure * z.warmth,
    arousal:
      k * (vm.arousal.brightness * z.brightness + vm.arousal.saturation * z.saturation) +
      TONE_MODEL.contrastToArousal * z.contrast,
    dominance: k * (vm.dominance.brightness * z.brightness + vm.dominance.saturation * z.saturation),
  };
}

/** The unnormalised log-probability of each emotion for standardised statistics. */
export function toneScores(z: StandardTone): Record<Emotion, number> {
  const pad = padOfTone(z);
  const scores = {} as Record<Emotion, number>;
  for (const emotion of EMOTIONS) {
    const target = EMOTION_TABLE[emotion].pad;
    const distance =
      (pad.pleasure - target.pleasure) ** 2 +
      (pad.arousal - target.arousal) ** 2 +
      TONE_MODEL.dominanceWeight * (pad.dominance - target.dominance) ** 2;
    scores[emotion] =
      -distance / TONE_MODEL.temperature +
      (emotion === 'disgust' ? TONE_MODEL.disgustPrior + TONE_MODEL.tintToDisgust * z.tint : 0);
  }
  return scores;
}

/** The distribution the tone model gives for a picture's statistics. */
export function distributionOfTone(features: ToneFeatures): EmotionDistribution {
  const scores = toneScores(standardiseTone(features));
  const top = Math.max(...EMOTIONS.map((e) => scores[e]));
  const distribution = {} as EmotionDistribution;
  let total = 0;
  for (const emotion of EMOTIONS) {
    distribution[emotion] = Math.exp(scores[emotion] - top);
    total += distribution[emotion];
  }
  for (const emotion of EMOTIONS) distribution[emotion] /= total;
  return distribution;
}

/**
 * The embedded estimator. It reads brightness, saturation, warmth, contrast and tint from a
 * 64-pixel downscale, standardises them, places the picture in pleasure–arousal–dominance space
 * with Valdez & Mehrabian's relations (nudged by warmth and contrast), and turns the distance to
 * each emotion's PAD position into probabilities (softmax).
 *
 * It is a heuristic: it sees colour and light only, not faces, objects or scenes, so a bright
 * photo of a funeral reads as pleasant. It is good for what the tone renderer changes and as a
 * default guess of the source emotion, not as a judgement of what a picture means.
 */
export class ToneEstimator implements Estimator {
  readonly name = 'tone';

  async estimate(image: CheckedImage): Promise<EmotionDistribution> {
    return distributionOfTone(await measureTone(image.bytes));
  }
}

const defaultEstimator = new ToneEstimator();

/** The tone estimator's distribution for a checked picture. */
export function estimateEmotion(image: CheckedImage): Promise<EmotionDistribution> {
  return defaultEstimator.estimate(image);
}
