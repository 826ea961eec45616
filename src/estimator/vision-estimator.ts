/**
 * @module The vision estimator: what emotion a picture shows, read from the faces in it (when
 * there are real ones) and its colour and light. A person reads a face first, so an expressive
 * face outweighs the colour; a neutral face, or none, leaves the colour estimate to speak.
 *
 * How a face's expression becomes the eight emotions ({@link EXPRESSION_TO_EMOTION}): face-api's
 * seven FER-2013 classes are mapped by this project's table, after the Mikels categories' meaning
 * and their arousal (DESIGN.md's PAD table): happy splits into amusement, contentment and
 * excitement by how open the mouth is (an open, toothy smile is more aroused); sad, angry,
 * disgusted and fearful map to their namesakes; surprised to awe with some excitement and fear.
 * Neutral maps to nothing: its share is how much the face leaves to the colour.
 *
 * Blending ({@link VisionEstimatorOptions.faceInfluence}): with `F` the faces' distribution
 * (each face weighted by its box area × expressiveness, 1 − neutral) and `C` the colour one,
 * the estimate is `(1 − w) C + w F`, `w = faceInfluence × size × expressiveness`, where `size`
 * rises from 0 to 1 as the largest face grows to `fullWeightFaceArea` of the picture.
 */
import { EMOTIONS, type Emotion, type EmotionDistribution } from '../emotions.ts';
import type { CheckedImage } from '../image/image.ts';
import { acceptedFaces, gateFaces, toFrame, type FaceGateOptions, type GatedFace } from '../vision/face-gate.ts';
import { sharedVisionRuntime, type VisionRuntime } from '../vision/vision-runtime.ts';
import { EXPRESSIONS, type Expression, type VisionAnalysis } from '../vision/vision-types.ts';
import { ToneEstimator, type Estimator } from './tone-estimator.ts';

type Mapping = Partial<Record<Emotion, number>>;

/**
 * Expression → emotions (rows sum to 1; neutral maps to none). `happy` has a closed-mouth and an
 * open-mouth row, blended by how open the mouth is ({@link mouthOpening}). Project estimates.
 */
export const EXPRESSION_TO_EMOTION: Readonly<
  Record<Exclude<Expression, 'happy' | 'neutral'>, Mapping> & { happyClosed: Mapping; happyOpen: Mapping }
> = {
  happyClosed: { contentment: 0.55, amusement: 0.35, excitement: 0.1 },
  happyOpen: { amusement: 0.5, excitement: 0.35, contentment: 0.15 },
  sad: { sadness: 1 },
  angry: { anger: 1 },
  disgusted: { disgust: 1 },
  fearful: { fear: 1 },
  surprised: { awe: 0.6, excitement: 0.25, fear: 0.15 },
};

export interface VisionEstimatorOptions {
  /** The vision runtime. @defaultValue the process's shared one */
  vision?: VisionRuntime;
  /** The colour estimate the faces are blended with. @defaultValue a `ToneEstimator` */
  colour?: Estimator;
  /** Weight of the faces when one large, fully expressive face fills the picture, 0–1. @defaultValue 0.8 */
  faceInfluence?: number;
  /** Face box share of the picture from which a face counts fully (smaller faces count less). @defaultValue 0.02 */
  fullWeightFaceArea?: number;
  /** Which detections count as faces. @defaultValue see `face-gate.ts` */
  gate?: FaceGateOptions;
}

/** What the faces of a picture say, beside the blended distribution. */
export interface FaceEstimate {
  distribution: EmotionDistribution;
  /** The colour-only distribution. */
  colour: EmotionDistribution;
  /** Faces that passed the gate, and the ones that did not (with why). */
  faces: GatedFace[];
  /** The weight the faces got in the blend, 0–1. */
  faceWeight: number;
  /** Undefined when the models were unavailable. */
  analysis?: VisionAnalysis;
}

export class VisionEstimator implements Estimator {
  readonly name = 'vision';
  readonly #vision: VisionRuntime;
  readonly #colour: Estimator;
  readonly #options: Required<Pick<VisionEstimatorOptions, 'faceInfluence' | 'fullWeightFaceArea'>> & {
    gate: FaceGateOptions;
  };

  constructor(options: VisionEstimatorOptions = {}) {
    this.#vision = options.vision ?? sharedVisionRuntime();
    this.#colour = options.colour ?? new ToneEstimator();
    this.#options = {
      faceInfluence: options.faceInfluence ?? 0.8,
      fullWeightFaceArea: options.fullWeightFaceArea ?? 0.02,
      gate: options.gate ?? {},
    };
    if (!(this.#options.faceInfluence >= 0 && this.#options.faceInfluence <= 1)) {
      throw new RangeError(
        `VisionEstimator option faceInfluence must be from 0 to 1, got ${this.#options.faceInfluence}.`,
      );
    }
    if (!(this.#options.fullWeightFaceArea > 0 && this.#options.fullWeightFaceArea <= 1)) {
      throw new RangeError(
        `VisionEstimator option fullWeightFaceArea must be above 0 and at most 1, got ${this.#options.fullWeightFaceArea}.`,
      );
    }
  }

  async estimate(image: CheckedImage): Promise<EmotionDistribution> {
    return (await this.estimateFaces(image)).distribution;
  }

  /** The estimate with the faces behind it. */
  async estimateFaces(image: CheckedImage): Promise<FaceEstimate> {
    const [colour, analysis] = await Promise.all([
      this.#colour.estimate(image),
      this.#vision.tryAnalyse(image.bytes, 'the emotion estimate'),
    ]);
    if (!analysis) return { distribution: colour, colour, faces: [], faceWeight: 0 };
    const faces = gateFaces(analysis.faces, analysis, this.#options.gate);
    const accepted = acceptedFaces(faces);
    let weighted = 0;
    let areaTotal = 0;
    let largest = 0;
    const fromFaces = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as EmotionDistribution;
    for (const gated of accepted) {
      const expressiveness = 1 - gated.face.expressions.neutral;
      const weight = gated.area * expressiveness;
      const mapped = emotionsOfExpressions(gated);
      for (const e of EMOTIONS) fromFaces[e] += weight * mapped[e];
      weighted += weight;
      areaTotal += gated.area;
      largest = Math.max(largest, gated.area);
    }
    if (weighted <= 0) return { distribution: colour, colour, faces, faceWeight: 0, analysis };
    const size = Math.min(1, largest / this.#options.fullWeightFaceArea);
    const faceWeight = this.#options.faceInfluence * size * (weighted / areaTotal);
    const distribution = {} as EmotionDistribution;
    for (const e of EMOTIONS) distribution[e] = (1 - faceWeight) * colour[e] + (faceWeight * fromFaces[e]) / weighted;
    return { distribution, colour, faces, faceWeight, analysis };
  }
}

/** One face's non-neutral expressions as a distribution over the eight emotions. */
export function emotionsOfExpressions(gated: GatedFace): EmotionDistribution {
  const out = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as EmotionDistribution;
  const open = mouthOpening(gated);
  let total = 0;
  for (const expression of EXPRESSIONS) {
    if (expression === 'neutral') continue;
    const p = gated.face.expressions[expression];
    const rows: [Mapping, number][] =
      expression === 'happy'
        ? [
            [EXPRESSION_TO_EMOTION.happyClosed, 1 - open],
            [EXPRESSION_TO_EMOTION.happyOpen, open],
          ]
        : [[EXPRESSION_TO_EMOTION[expression], 1]];
    for (const [row, share] of rows) {
      for (const [emotion, value] of Object.entries(row) as [Emotion, number][]) {
        out[emotion] += p * share * value;
        total += p * share * value;
      }
    }
  }
  if (total > 0) for (const e of EMOTIONS) out[e] /= total;
  return out;
}

/**
 * How open the mouth is, 0 (lips together) to 1 (open wide): the gap between the inner lips
 * (landmarks 61–63 and 65–67) in eye distances, 0 at none and 1 at 0.25 d or more.
 */
export function mouthOpening(gated: Pick<GatedFace, 'face' | 'frame'>): number {
  const y = (i: number) => toFrame(gated.frame, gated.face.landmarks[i]!)[1];
  const gap = (y(67) - y(61) + y(66) - y(62) + y(65) - y(63)) / 3;
  return Math.min(1, Math.max(0, gap / 0.25));
}
