/**
 * @module Face figures, read by the vision runtime (`src/vision/`: face-api's SSD detector,
 * 68 landmarks, FER-2013 expressions and 128-d identity descriptor; Vincent Mühler's face-api.js
 * after Zhang et al. 2017 and King's dlib ResNet descriptor), through the same face gate the
 * renderer and the estimator use, so only real frontal faces count.
 *
 * For each face of the original that passes the gate, the edited picture's detection that
 * overlaps it most (box IoU ≥ 0.3) is its edited self. Then:
 *
 * - expression reading: the edited face's top expression; `neutral` when that is neutral,
 *   otherwise the emotion that expression maps to by the estimator's table (`emotionsOfExpressions`
 *   in `src/estimator/vision-estimator.ts`). Face-Expr is the share of matched faces read as the
 *   target, in percent;
 * - identity distance: Euclidean distance of the original and edited descriptors. face-api's
 *   usual threshold for "the same person" is 0.6; Face-ID is the mean, lower is better.
 *
 * Pictures without a face that passes the gate have no face figures (they are not zeros).
 */
import { dominantEmotion, type Emotion } from '../../emotions.ts';
import { emotionsOfExpressions } from '../../estimator/vision-estimator.ts';
import { acceptedFaces, gateFaces } from '../../vision/face-gate.ts';
import type { VisionRuntime } from '../../vision/vision-runtime.ts';
import { descriptorDistance, EXPRESSIONS, type FaceReading, type VisionAnalysis } from '../../vision/vision-types.ts';

/** The identity distance under which face-api usually sees the same person. */
export const SAME_PERSON_DISTANCE = 0.6;

export interface FaceFigures {
  /** Faces of the original that passed the gate. */
  found: number;
  /** What each matched edited face reads as, in the original's face order. */
  readings: Array<Emotion | 'neutral'>;
  /** Identity distance of each matched face. */
  identityDistances: number[];
}

export type FaceOutcome = { figures: FaceFigures } | { unavailable: string };

export const VISION_UNAVAILABLE = (reason: string) => `not measured: vision runtime not available (${reason})`;
export const NO_FACES = 'not measured: no face in the originals passed the face gate';

function iou(a: FaceReading['box'], b: FaceReading['box']): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter || 1);
}

/** Scales an analysis' face boxes to a picture of `width` (the two pictures may be analysed at different sizes). */
function scaled(analysis: VisionAnalysis, width: number): FaceReading[] {
  const s = width / analysis.width;
  if (s === 1) return analysis.faces;
  return analysis.faces.map((f) => ({
    ...f,
    box: { x: f.box.x * s, y: f.box.y * s, width: f.box.width * s, height: f.box.height * s },
  }));
}

/** What one face reads as: `neutral`, or the emotion its top expression maps to. */
export function readFace(face: FaceReading, analysis: { width: number; height: number }): Emotion | 'neutral' {
  const top = EXPRESSIONS.reduce(
    (best, e) => (face.expressions[e] > face.expressions[best] ? e : best),
    EXPRESSIONS[0],
  );
  if (top === 'neutral') return 'neutral';
  const [gated] = gateFaces([face], analysis);
  return dominantEmotion(emotionsOfExpressions(gated!));
}

/** The face figures of one edit, or why the vision runtime could not give them. */
export async function measureFaces(vision: VisionRuntime, original: Buffer, edited: Buffer): Promise<FaceOutcome> {
  const before = await vision.tryAnalyse(original, 'the evaluation');
  const after = before && (await vision.tryAnalyse(edited, 'the evaluation'));
  if (!before || !after)
    return { unavailable: VISION_UNAVAILABLE(vision.unavailableReason ?? 'the models could not be loaded') };
  const originals = acceptedFaces(gateFaces(before.faces, before)).map((g) => g.face);
  const candidates = scaled(after, before.width);
  const figures: FaceFigures = { found: originals.length, readings: [], identityDistances: [] };
  for (const face of originals) {
    let best: { index: number; overlap: number } | undefined;
    candidates.forEach((candidate, index) => {
      const overlap = iou(face.box, candidate.box);
      if (overlap >= 0.3 && (!best || overlap > best.overlap)) best = { index, overlap };
    });
    if (!best) continue;
    const match = after.faces[best.index]!;
    figures.readings.push(readFace(match, after));
    figures.identityDistances.push(descriptorDistance(face.descriptor, match.descriptor));
  }
  return { figures };
}
