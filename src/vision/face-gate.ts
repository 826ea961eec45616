/**
 * @module Which detected faces are real, frontal-enough human faces. face-api's detector "finds"
 * faces in cats (chelsea.png at 0.93) and pizzas, so a detection must also pass three checks
 * before the estimator reads it or the renderer warps it:
 *
 * 1. the detector's score is at least `minScore`;
 * 2. the 68 landmarks have a human face's proportions, measured in the face's own frame (x along
 *    the line between the eye centres, in units of their distance `d`): mouth width 0.6–1.3 d,
 *    eyes to mouth 0.85–1.35 d, eyes to chin 1.35–2.2 d, the nose tip between the eyes (0.15–0.85
 *    of the way from the left to the right eye), the brows above the eyes, and most of the box
 *    inside the picture. The ranges hold the shared portraits (0.75–1.05 d, 0.94–1.08 d,
 *    1.5–1.72 d) with room to spare; the cat measures 0.51 d, 0.75 d and 1.26 d. A profile
 *    (cameraman, eyes to mouth 2.05 d) fails too and is left alone rather than distorted.
 * 3. the person mask covers at least `minPersonMask` of the face box (when there is a mask).
 */
import type { FaceReading, PersonMask } from './vision-types.ts';

export interface FaceGateOptions {
  /** Smallest detector score. @defaultValue 0.5 */
  minScore?: number;
  /** Smallest mean person-mask value inside the face box, 0–1. @defaultValue 0.4 */
  minPersonMask?: number;
  /** Smallest share of the face box that lies inside the picture. @defaultValue 0.85 */
  minInside?: number;
  /** Smallest distance between the eye centres, in pixels of the picture (smaller faces are too small to edit). @defaultValue 8 */
  minEyeDistance?: number;
}

const DEFAULTS: Required<FaceGateOptions> = { minScore: 0.5, minPersonMask: 0.4, minInside: 0.85, minEyeDistance: 8 };

/** A face's own frame: origin between the eyes, x toward the right eye, unit = eye distance. */
export interface FaceFrame {
  origin: [number, number];
  /** Unit vector along the eye line. */
  ux: [number, number];
  /** Unit vector down the face (perpendicular to `ux`). */
  uy: [number, number];
  /** Distance between the eye centres, in pixels. */
  eyeDistance: number;
}

export interface GatedFace {
  face: FaceReading;
  frame: FaceFrame;
  /** Share of the picture the face box covers, 0–1. */
  area: number;
  /** Why it was refused, or undefined when it passed. */
  refusal?: string;
}

export function faceFrame(landmarks: readonly (readonly [number, number])[]): FaceFrame {
  const left = centroid(landmarks.slice(36, 42));
  const right = centroid(landmarks.slice(42, 48));
  const dx = right[0] - left[0];
  const dy = right[1] - left[1];
  const eyeDistance = Math.max(1e-6, Math.hypot(dx, dy));
  const ux: [number, number] = [dx / eyeDistance, dy / eyeDistance];
  return { origin: [(left[0] + right[0]) / 2, (left[1] + right[1]) / 2], ux, uy: [-ux[1], ux[0]], eyeDistance };
}

/** A picture point in the face frame. */
export function toFrame(frame: FaceFrame, [x, y]: readonly [number, number]): [number, number] {
  const px = x - frame.origin[0];
  const py = y - frame.origin[1];
  return [
    (px * frame.ux[0] + py * frame.ux[1]) / frame.eyeDistance,
    (px * frame.uy[0] + py * frame.uy[1]) / frame.eyeDistance,
  ];
}

/** A face-frame offset as a picture offset. */
export function fromFrameOffset(frame: FaceFrame, [u, v]: readonly [number, number]): [number, number] {
  const d = frame.eyeDistance;
  return [d * (u * frame.ux[0] + v * frame.uy[0]), d * (u * frame.ux[1] + v * frame.uy[1])];
}

/** Every detected face with its frame and, for the ones that fail, the reason. */
export function gateFaces(
  faces: readonly FaceReading[],
  picture: { width: number; height: number; personMask?: PersonMask },
  options: FaceGateOptions = {},
): GatedFace[] {
  const o = { ...DEFAULTS, ...options };
  return faces.map((face) => {
    const frame = faceFrame(face.landmarks);
    const { x, y, width, height } = face.box;
    const area = (width * height) / (picture.width * picture.height);
    const gated: GatedFace = { face, frame, area };
    const refuse = (why: string) => ({ ...gated, refusal: why });
    if (face.score < o.minScore) return refuse(`detector score ${face.score.toFixed(2)} < ${o.minScore}`);
    const inside =
      (Math.max(0, Math.min(x + width, picture.width) - Math.max(x, 0)) *
        Math.max(0, Math.min(y + height, picture.height) - Math.max(y, 0))) /
      (width * height);
    if (inside < o.minInside) return refuse(`only ${(inside * 100).toFixed(0)}% of the face box is in the picture`);
    if (frame.eyeDistance < o.minEyeDistance) return refuse(`eyes ${frame.eyeDistance.toFixed(1)} px apart: too small`);
    const at = (i: number) => toFrame(frame, face.landmarks[i]!);
    const mouthLeft = at(48);
    const mouthRight = at(54);
    const mouthWidth = Math.hypot(mouthRight[0] - mouthLeft[0], mouthRight[1] - mouthLeft[1]);
    const mouthY = centroid(face.landmarks.slice(48, 68).map((_, k) => at(48 + k)))[1];
    const chinY = at(8)[1];
    const nose = at(33)[0] + 0.5; // 0 at the left eye centre, 1 at the right
    const browY = centroid(face.landmarks.slice(17, 27).map((_, k) => at(17 + k)))[1];
    const checks: [boolean, string][] = [
      [mouthWidth >= 0.6 && mouthWidth <= 1.3, `mouth ${mouthWidth.toFixed(2)} eye-distances wide`],
      [mouthY >= 0.85 && mouthY <= 1.35, `mouth ${mouthY.toFixed(2)} eye-distances below the eyes`],
      [chinY >= 1.35 && chinY <= 2.2, `chin ${chinY.toFixed(2)} eye-distances below the eyes`],
      [nose >= 0.15 && nose <= 0.85, `nose tip at ${nose.toFixed(2)} of the way between the eyes`],
      [browY < -0.1, `brows ${browY.toFixed(2)} eye-distances from the eyes`],
    ];
    const failed = checks.find(([ok]) => !ok);
    if (failed) return refuse(`landmarks are not a frontal human face (${failed[1]})`);
    if (picture.personMask) {
      const cover = maskCover(picture.personMask, face.box, picture);
      if (cover < o.minPersonMask) return refuse(`person mask covers ${(cover * 100).toFixed(0)}% of the face`);
    }
    return gated;
  });
}

/** The faces that passed. */
export function acceptedFaces(gated: readonly GatedFace[]): GatedFace[] {
  return gated.filter((g) => !g.refusal);
}

/** Mean mask value (0–1) inside a box given in picture coordinates. */
export function maskCover(
  mask: PersonMask,
  box: FaceReading['box'],
  picture: { width: number; height: number },
): number {
  const x0 = Math.max(0, Math.floor((box.x / picture.width) * mask.width));
  const x1 = Math.min(mask.width, Math.ceil(((box.x + box.width) / picture.width) * mask.width));
  const y0 = Math.max(0, Math.floor((box.y / picture.height) * mask.height));
  const y1 = Math.min(mask.height, Math.ceil(((box.y + box.height) / picture.height) * mask.height));
  let sum = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++, count++) sum += mask.alpha[y * mask.width + x]!;
  return count ? sum / count / 255 : 0;
}

function centroid(points: readonly (readonly [number, number])[]): [number, number] {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p[0];
    y += p[1];
  }
  return [x / points.length, y / points.length];
}
