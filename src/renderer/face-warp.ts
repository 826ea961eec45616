/**
 * @module Facial expression edits: each target emotion is a documented set of facial action
 * units (FACS, Ekman & Friesen 1978; the prototypes of EMFACS), each action unit a set of
 * landmark displacements; the face is then warped smoothly so the landmarks land where the
 * action units put them.
 *
 * - Displacements are in the face's own frame (`face-gate.ts`: x along the eye line, y down the
 *   face, unit = the distance between the eye centres, `d`), so they are the same on every face
 *   whatever its size or roll, and scale with the intensity.
 * - The warp is moving-least-squares (affine; Schaefer, McPhail & Warren 2006) on the 68
 *   landmarks plus two cheek points, with a ring of fixed points around the face. It is
 *   evaluated on a coarse grid (a few pixels a cell, from the face's size) and interpolated, and
 *   faded to exactly nothing at the ring (a smoothstep feather), so pixels outside the ring are
 *   not touched at all and there is no seam.
 * - Smiles: for negative and calm targets the renderer first takes the smile out (`unsmile`: the
 *   corners come down and in by how much they are raised now, with the skin just beyond them).
 *   Toward a negative target they go on below the lips' middle ({@link CORNER_DROP}) and the
 *   lower lip's middle comes up, so the smile's curve flattens: a smile only brought level still
 *   reads as one. Open, toothy smiles: moving the corners does not hide teeth; the lips close over
 *   part of the gap (`closeLips`: the inner lips move toward each other by a share of the gap,
 *   squeezing the teeth into a thin band; fear too, a tense mouth), and an open mouth drops its
 *   jaw no further. A broad grin still reads as a forced, strained smile rather than a
 *   sad face at moderate intensity; the light (tone and scene grade) carries the rest, and
 *   {@link FaceWarpResult.openSmiles} tells the caller so.
 * - Teeth toward a negative target: the warp squeezes a toothy smile's teeth into a band that
 *   comes to points at the corners (fangs); {@link coverTeeth} covers them smoothly with the lips'
 *   colour or the mouth's shadow. A broad grin (corners more than {@link BROAD_GRIN_LIFT} above
 *   the lips' middle, lips apart) toward sadness, anger or fear has its lips closed instead
 *   ({@link closeMouth}: the lips' own pixels stretched over the teeth, a darker seam between
 *   them; painting that much mouth a flat colour moves face-api's identity descriptor past 0.45),
 *   and spends less of the identity budget on the brows ({@link BROAD_GRIN_UNITS}).
 * - The seed varies each action unit's amplitude by ±10 %, so "try again" differs a little.
 */
import type { Emotion } from '../emotions.ts';
import { fromFrameOffset, toFrame, type FaceFrame, type GatedFace } from '../vision/face-gate.ts';
import { mulberry32 } from './seeded-random.ts';

/** FACS action units this renderer can draw, plus two composite moves of its own. */
export type ActionUnit =
  | 'AU1'
  | 'AU2'
  | 'AU4'
  | 'AU5'
  | 'AU6'
  | 'AU7'
  | 'AU9'
  | 'AU10'
  | 'AU12'
  | 'AU15'
  | 'AU20'
  | 'AU23'
  | 'AU26'
  | 'unsmile'
  | 'closeLips'
  | 'sneer';

/**
 * Landmark index (0–67), one of the two cheek points (68: the subject's right cheek, on the
 * picture's left; 69: the other) or one of the two corner points (70, 71: the skin just outside
 * the mouth corners, where a smile's crease is, on the picture's left and right).
 */
type Point = number;
/** `[left point, right point, outward, down]`: the left point moves `-outward`, the right `+outward` along the eye line. */
type PairMove = [Point, Point, number, number];

/**
 * Static action units: landmark moves in eye distances, for the picture-left and picture-right
 * point of each pair. Amplitudes are this project's choice, set by eye on the shared portraits
 * so that each unit is visible at intensity 1 without changing who the person is.
 */
export const ACTION_UNITS: Readonly<
  Record<Exclude<ActionUnit, 'unsmile' | 'closeLips' | 'sneer'>, readonly PairMove[]>
> = {
  /** Inner brow raiser. */
  AU1: [
    [21, 22, 0.01, -0.13],
    [20, 23, 0, -0.08],
    [19, 24, 0, -0.035],
  ],
  /** Outer brow raiser. */
  AU2: [
    [17, 26, 0, -0.1],
    [18, 25, 0, -0.1],
    [19, 24, 0, -0.08],
    [20, 23, 0, -0.04],
  ],
  /** Brow lowerer: down and together. */
  AU4: [
    [21, 22, -0.05, 0.08],
    [20, 23, -0.03, 0.065],
    [19, 24, -0.01, 0.045],
    [18, 25, 0, 0.03],
    [17, 26, 0, 0.02],
  ],
  /** Upper lid raiser: eyes wider. */
  AU5: [
    [37, 44, 0, -0.04],
    [38, 43, 0, -0.04],
  ],
  /** Cheek raiser: cheeks and lower lids up. */
  AU6: [
    [41, 46, 0, -0.025],
    [40, 47, 0, -0.025],
    [68, 69, 0.01, -0.07],
    [36, 45, 0, -0.01],
  ],
  /** Lid tightener: lower lids up, upper lids a little down. */
  AU7: [
    [41, 46, 0, -0.035],
    [40, 47, 0, -0.035],
    [37, 44, 0, 0.015],
    [38, 43, 0, 0.015],
  ],
  /** Nose wrinkler: nose wings and tip up, inner brows a little down. */
  AU9: [
    [31, 35, 0.01, -0.06],
    [32, 34, 0, -0.045],
    [33, 33, 0, -0.04],
    [21, 22, -0.01, 0.035],
  ],
  /** Upper lip raiser. */
  AU10: [
    [50, 52, 0, -0.07],
    [51, 51, 0, -0.06],
    [49, 53, 0, -0.045],
    [61, 63, 0, -0.06],
    [62, 62, 0, -0.055],
    [31, 35, 0, -0.02],
  ],
  /** Lip corner puller: corners out and up, and the skin just beyond them. */
  AU12: [
    [48, 54, 0.06, -0.075],
    [60, 64, 0.045, -0.065],
    [70, 71, 0.045, -0.055],
    [49, 53, 0.02, -0.03],
    [59, 55, 0.02, -0.035],
    [68, 69, 0, -0.03],
  ],
  /** Lip corner depressor: corners down, and the skin just beyond them. */
  AU15: [
    [48, 54, -0.01, 0.1],
    [60, 64, -0.01, 0.08],
    [70, 71, 0, 0.075],
    [49, 53, 0, 0.035],
    [59, 55, 0, 0.045],
  ],
  /** Lip stretcher: corners sideways. */
  AU20: [
    [48, 54, 0.08, 0.02],
    [60, 64, 0.07, 0.015],
    [70, 71, 0.06, 0.015],
    [49, 53, 0.04, 0],
    [59, 55, 0.04, 0],
  ],
  /** Lip tightener: lips narrower and thinner. */
  AU23: [
    [48, 54, -0.035, 0],
    [60, 64, -0.03, 0],
    [50, 52, 0, 0.015],
    [51, 51, 0, 0.015],
    [56, 58, 0, -0.015],
    [57, 57, 0, -0.015],
  ],
  /** Jaw drop: lower lip and chin down. */
  AU26: [
    [56, 58, 0, 0.08],
    [57, 57, 0, 0.085],
    [65, 67, 0, 0.09],
    [66, 66, 0, 0.095],
    [7, 9, 0, 0.07],
    [8, 8, 0, 0.075],
    [6, 10, 0, 0.05],
    [5, 11, 0, 0.03],
  ],
};

/**
 * Each target's action units and their weights (the EMFACS prototypes, with `unsmile` and
 * `closeLips` for faces that smile now): sadness AU1+4+15, amusement AU6+12, anger AU4+5+7+23,
 * fear AU1+2+4+5+20+26, disgust AU9+10 (+4, +15), awe AU1+2+5+26, contentment a soft AU6+12,
 * excitement AU1+2+5+6+12+26.
 */
export const EMOTION_ACTION_UNITS: Readonly<Record<Emotion, Partial<Record<ActionUnit, number>>>> = {
  sadness: { AU1: 1, AU4: 0.45, AU15: 1, unsmile: 1.7, closeLips: 1.7, AU6: -0.7 },
  anger: { AU4: 1, AU5: 0.45, AU7: 0.85, AU23: 0.9, unsmile: 1.7, closeLips: 1.7, AU6: -0.5 },
  fear: { AU1: 1, AU2: 0.8, AU4: 0.45, AU5: 0.9, AU20: 0.5, AU26: 0.6, unsmile: 1.5, closeLips: 0.6, AU6: -0.3 },
  disgust: { AU9: 0.6, AU10: 0.45, AU4: 0.4, AU15: 0.3, unsmile: 1.1, sneer: 1 },
  awe: { AU1: 0.8, AU2: 1, AU5: 0.9, AU26: 0.7, unsmile: 1 },
  amusement: { AU6: 1, AU12: 1.1, AU26: 0.15 },
  excitement: { AU1: 0.35, AU2: 0.6, AU5: 0.6, AU6: 0.8, AU12: 0.9, AU26: 0.45 },
  contentment: { AU6: 0.5, AU12: 0.6, closeLips: 0.3 },
};

/**
 * How far above the lips' middle the corners of an open smile sit (eye distances) for it to be a
 * broad grin: the astronaut's grin lifts them 0.12; a smile with the teeth together between
 * parted lips (portrait-anne-helene-smile) 0.05.
 */
export const BROAD_GRIN_LIFT = 0.06;

/**
 * Toward a negative target, a broad grin's action units are scaled by these (the others stay):
 * closing its lips (which is what stops it reading as a smile) costs much of face-api's identity
 * budget, so the brows move less (0.6: still visibly raised), and the lips are not stretched
 * further sideways (AU20: a grin's mouth is wide already). Measured on astronaut.png at intensity
 * 1, descriptor distance toward sadness 0.45 → 0.42, toward fear 0.49 → 0.42, with the lips closed.
 */
export const BROAD_GRIN_UNITS: Readonly<Partial<Record<ActionUnit, number>>> = { AU1: 0.6, AU2: 0.6, AU20: 0 };

/**
 * A broad grin toward disgust, after {@link BROAD_GRIN_UNITS}: its lips close too
 * ({@link CLOSE_MOUTH}), so the brows spend less (AU4); the upper lip rises on one side (a sneer,
 * `sneer`) rather than both (AU10, which would bare the teeth it closed over again), and the nose
 * wrinkle is shaded ({@link wrinkleNose}) rather than warped (AU9: moving the nose costs face-api's
 * identity about 0.1). Measured on astronaut.png at intensity 1, seeds 1–4: descriptor distance
 * 0.41–0.43 (the grin warp alone was 0.43 at seed 1; sneer 1 instead of 0.7: 0.43–0.45).
 */
export const BROAD_GRIN_DISGUST_UNITS: Readonly<Partial<Record<ActionUnit, number>>> = {
  AU4: 0.3,
  AU9: 0,
  AU10: 0,
  sneer: 0.7,
};

/**
 * One side of the upper lip and the nose wing above it raised (AU10 unilateral, with AU9 on that
 * side: a sneer), on the picture's left; landmarks in eye distances, `[point, along, down]`.
 */
export const SNEER: readonly (readonly [Point, number, number])[] = [
  [49, 0, -0.075],
  [50, 0, -0.07],
  [51, 0, -0.03],
  [60, 0, -0.03],
  [61, 0, -0.065],
  [62, 0, -0.03],
  [31, 0, -0.05],
  [32, 0, -0.03],
];

/**
 * How far {@link closeMouth} closes a broad grin's lips toward each target (at intensity 0.6 and
 * above): sadness, anger and fear close them (a still, pressed or tense mouth), disgust too (a
 * grin's teeth between raised corners read as a smile, not as a raised upper lip: its lips close
 * and one side of the upper lip rises, {@link BROAD_GRIN_DISGUST_UNITS}); the positive targets
 * keep the smile.
 */
export const CLOSE_MOUTH: Readonly<Record<Emotion, number>> = {
  sadness: 1,
  anger: 1,
  fear: 1,
  disgust: 1,
  awe: 0,
  contentment: 0,
  amusement: 0,
  excitement: 0,
};

/**
 * Whether {@link closeMouth} closes the gap the pixels show teeth in (where the landmarks' gap is
 * narrower), per target: fear (the lips meet cleanly, no grey teeth left along the seam; on
 * astronaut.png at intensity 1 the identity distance stays 0.40–0.42 over seeds 1–4). Sadness and
 * anger follow the landmarks only: stretching their lips further moves it to 0.43–0.46.
 */
export const FOLLOW_TEETH: Readonly<Record<Emotion, boolean>> = {
  sadness: false,
  anger: false,
  fear: true,
  disgust: false,
  awe: false,
  contentment: false,
  amusement: false,
  excitement: false,
};

export interface FaceWarpOptions {
  /** Multiplies every displacement (1 is the table as written, at intensity 1). @defaultValue 1.25 */
  strength?: number;
  /** The fixed ring around the face, as a multiple of the face's half-extent (larger spreads the warp wider). @defaultValue 1.35 */
  ringScale?: number;
  /** Grid cell of the warp field, in eye distances (the field is interpolated between). @defaultValue 0.06 */
  gridCell?: number;
  /** MLS weight falloff 1 / |p − v|^(2α): 1.5 or 2 (more local, so lips that meet stay apart in the map). @defaultValue 2 */
  mlsAlpha?: 1.5 | 2;
}

const DEFAULTS: Required<FaceWarpOptions> = { strength: 1.25, ringScale: 1.35, gridCell: 0.06, mlsAlpha: 2 };

/** Decoded pixels, edited in place. */
export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export interface FaceWarpResult {
  /** Faces warped. */
  warped: number;
  /** Of those, faces with an open smile the warp could only partly undo (the light carries more). */
  openSmiles: number;
  /** The pixel box each warp touched (nothing outside it changed). */
  regions: { x0: number; y0: number; x1: number; y1: number }[];
}

/** The control points of one face before and after the edit, in picture pixels. */
export interface FaceMotion {
  from: [number, number][];
  to: [number, number][];
  /** The fixed ring: centre and semi-axes along the face frame's axes, in pixels. */
  ring: { centre: [number, number]; a: number; b: number };
  /** Lips apart over the teeth, the corners raised. */
  openSmile: boolean;
  /** How far the corners sat above the middle of the lips before the edit, in eye distances. */
  lift: number;
  /** An open smile with the corners more than {@link BROAD_GRIN_LIFT} up. */
  broadGrin: boolean;
}

/** Where a face's landmarks move for a target at an intensity (0–1). */
export function faceMotion(
  gated: GatedFace,
  target: Emotion,
  intensity: number,
  random: () => number,
  options: FaceWarpOptions = {},
): FaceMotion {
  const o = { ...DEFAULTS, ...options };
  const { frame, face } = gated;
  const points = face.landmarks.map((p) => [p[0], p[1]] as [number, number]);
  // Cheek points: halfway between the jaw and the nose wings, a little above.
  const cheek = (jaw: number, wing: number, eye: number): [number, number] => {
    const [jx, jy] = points[jaw]!;
    const [wx, wy] = points[wing]!;
    const [ex, ey] = points[eye]!;
    return [0.4 * jx + 0.4 * wx + 0.2 * ex, 0.4 * jy + 0.4 * wy + 0.2 * ey];
  };
  points.push(cheek(2, 31, 41), cheek(14, 35, 46));
  // Corner points: beyond each mouth corner by a sixth of the mouth's width, so the skin around
  // the corners (a smile's crease) moves with them rather than staying where the smile put it.
  const beyond = (corner: number, other: number): [number, number] => {
    const [cx, cy] = points[corner]!;
    const [ox, oy] = points[other]!;
    return [cx + (cx - ox) / 6, cy + (cy - oy) / 6];
  };
  points.push(beyond(48, 54), beyond(54, 48));
  const inFrame = points.map((p) => toFrame(frame, p));
  const moves = points.map(() => [0, 0] as [number, number]);
  const add = (i: number, du: number, dv: number) => {
    moves[i]![0] += du;
    moves[i]![1] += dv;
  };
  // A little more than linear at low intensities (a subtle edit should still show on the face),
  // yet "more" (0.6 → 0.8 or 0.9) still moves the landmarks about 1.4 times as far.
  const scale = o.strength * Math.max(0, Math.min(1, intensity)) ** 0.85;
  const units = EMOTION_ACTION_UNITS[target];
  const lift = cornerLift(inFrame);
  const gap = innerLipGap(inFrame);
  // Lips apart over the teeth and the corners raised: a grin, or a smile with the teeth
  // together between parted lips.
  const openSmile = lift > 0.035 && gap > 0.08;
  const negative = CORNER_DROP[target] > 0;
  const broadGrin = openSmile && lift > BROAD_GRIN_LIFT;
  for (const [unit, weight] of Object.entries(units) as [ActionUnit, number][]) {
    // A mouth already open in a smile drops its jaw no further toward a negative target (that
    // deepens the smile's curve); a broad grin spends less on the brows (its lips close).
    const damped =
      (unit === 'AU26' && openSmile && negative ? 0.3 : 1) *
      (broadGrin && negative ? (BROAD_GRIN_UNITS[unit] ?? 1) : 1) *
      (broadGrin && target === 'disgust' ? (BROAD_GRIN_DISGUST_UNITS[unit] ?? 1) : 1);
    // The sneer is a broad grin's only (other faces keep their seeded amplitudes as they were).
    if (unit === 'sneer' && !(broadGrin && target === 'disgust')) continue;
    const amount = weight * damped * scale * (0.9 + 0.2 * random());
    if (unit === 'unsmile') {
      // Bring the corners down to where a relaxed mouth has them (level with the middle of the
      // lips), and in by as much as the smile pulled them out.
      const down = (Math.max(0, lift) + CORNER_DROP[target] * smoothstep(0.02, 0.06, lift)) * Math.min(1, amount);
      const width = inFrame[54]![0] - inFrame[48]![0];
      const inward = Math.max(0, width - 0.8) * 0.45 * Math.min(1, amount);
      for (const [l, r, share] of [
        [48, 54, 1],
        [60, 64, 0.95],
        [70, 71, 0.75],
        [49, 53, 0.5],
        [59, 55, 0.7],
        [58, 56, 0.35],
      ] as const) {
        add(l, inward * share, down * share);
        add(r, -inward * share, down * share);
      }
      if (negative) {
        // Flatten the smile's curve: the lower lip's middle comes up toward the lowered corners
        // (closing no more than a quarter of the gap between the lips).
        const flat = Math.min(0.5 * Math.max(0, lift), 0.25 * gap) * Math.min(1, amount);
        for (const [i, share] of [
          [57, 1],
          [66, 1],
          [56, 0.6],
          [58, 0.6],
          [65, 0.75],
          [67, 0.75],
        ] as const)
          add(i, 0, -flat * share);
      }
      continue;
    }
    if (unit === 'sneer') {
      for (const [i, du, dv] of SNEER) add(i, du * amount, dv * amount);
      continue;
    }
    if (unit === 'closeLips') {
      // Close a share of the gap between the inner lips (upper lip down, lower lip up).
      const close = Math.max(0, gap - 0.01) * Math.min(1, amount) * 0.36;
      for (const i of [61, 62, 63]) add(i, 0, close);
      for (const i of [50, 51, 52]) add(i, 0, close * 0.8);
      for (const i of [65, 66, 67]) add(i, 0, -close);
      for (const i of [56, 57, 58]) add(i, 0, -close * 0.8);
      // The sides of the lips too, or teeth stay bared at the corners.
      for (const i of [49, 53]) add(i, 0, close * 0.85);
      for (const i of [59, 55]) add(i, 0, -close * 0.85);
      continue;
    }
    for (const [l, r, outward, down] of ACTION_UNITS[unit]) {
      if (l === r) {
        add(l, 0, down * amount);
      } else {
        add(l, -outward * amount, down * amount);
        add(r, outward * amount, down * amount);
      }
    }
  }
  const to = points.map((p, i) => {
    const [dx, dy] = fromFrameOffset(frame, moves[i]!);
    return [p[0] + dx, p[1] + dy] as [number, number];
  });
  // The ring: an ellipse in the face frame around the jaw line and the brows, with room above
  // the brows for the forehead.
  let [uMin, uMax, vMin, vMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < 27; i++) {
    const [u, v] = inFrame[i]!;
    uMin = Math.min(uMin, u);
    uMax = Math.max(uMax, u);
    vMin = Math.min(vMin, v);
    vMax = Math.max(vMax, v);
  }
  vMin -= 0.35;
  const centreFrame: [number, number] = [(uMin + uMax) / 2, (vMin + vMax) / 2];
  const [cx, cy] = fromFrameOffset(frame, centreFrame);
  const ring = {
    centre: [frame.origin[0] + cx, frame.origin[1] + cy] as [number, number],
    a: ((uMax - uMin) / 2) * o.ringScale * frame.eyeDistance,
    b: ((vMax - vMin) / 2) * o.ringScale * frame.eyeDistance,
  };
  // Fixed points on the ring keep the warp inside it.
  const from = [...points];
  const fixed = [...to];
  for (let k = 0; k < 24; k++) {
    const t = (2 * Math.PI * k) / 24;
    const [ox, oy] = fromFrameOffset(frame, [
      (Math.cos(t) * ring.a) / frame.eyeDistance,
      (Math.sin(t) * ring.b) / frame.eyeDistance,
    ]);
    const p: [number, number] = [ring.centre[0] + ox, ring.centre[1] + oy];
    from.push(p);
    fixed.push(p);
  }
  return { from, to: fixed, ring, openSmile, lift, broadGrin };
}

/**
 * Warps every given face of `pixels` (in place) toward the target. Deterministic for a seed.
 * Faces must have passed the gate (`face-gate.ts`); their coordinates are those of `pixels`.
 * `yieldEvery` rows it awaits `tick` so that a large picture does not hold the event loop.
 */
export async function warpFaces(
  pixels: RawPixels,
  faces: readonly GatedFace[],
  target: Emotion,
  intensity: number,
  seed: number,
  options: FaceWarpOptions = {},
  tick: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
): Promise<FaceWarpResult> {
  const o = { ...DEFAULTS, ...options };
  const random = mulberry32(seed ^ 0x5eed);
  const result: FaceWarpResult = { warped: 0, openSmiles: 0, regions: [] };
  for (const gated of faces) {
    const motion = faceMotion(gated, target, intensity, random, o);
    const region = await applyMotion(pixels, motion, gated, o, tick);
    if (!region) continue;
    const shade = TEETH_SHADE[target] * Math.max(0, Math.min(1, 0.4 + intensity));
    // Toward a negative target, any smile (corners raised) that shows teeth has them covered
    // smoothly (coverTeeth); a broad grin has its lips closed over them, and what teeth are left
    // between the lips (at the seam and the corners) covered at half strength.
    const cover = COVER_TEETH[target] * Math.max(0, Math.min(1, 0.4 + intensity));
    const close = CLOSE_MOUTH[target] * Math.max(0, Math.min(1, 0.4 + intensity));
    const closed = close > 0 && motion.broadGrin;
    if (closed) closeMouth(pixels, motion.to, gated.frame, close, FOLLOW_TEETH[target]);
    if (closed && target === 'disgust')
      wrinkleNose(pixels, motion.to, gated.frame, Math.max(0, Math.min(1, 0.4 + intensity)));
    const covered =
      cover > 0 &&
      motion.lift > 0.035 &&
      (closed
        ? coverTeeth(
            pixels,
            motion.to,
            gated.frame.eyeDistance,
            0.5 * cover,
            target === 'disgust' ? 0 : MOUTH_SHADOW[target],
            1,
            true,
          )
        : coverTeeth(pixels, motion.to, gated.frame.eyeDistance, cover, MOUTH_SHADOW[target], BROAD_GRIN));
    // Otherwise only a broad open smile (lips apart over the teeth, corners well up): where the
    // teeth are together, or in a gentler smile between parted lips, the lips' colour is hard to
    // tell from the teeth's shadow, and painting over them dirties the teeth (the warp still
    // narrows them).
    if (!closed && !covered && motion.openSmile && motion.lift > 0.06 && shade > 0)
      shadeTeeth(pixels, motion.to, gated.frame.eyeDistance, shade);
    result.warped++;
    if (motion.openSmile) result.openSmiles++;
    result.regions.push(region);
  }
  return result;
}

async function applyMotion(
  pixels: RawPixels,
  motion: FaceMotion,
  gated: GatedFace,
  o: Required<FaceWarpOptions>,
  tick: () => Promise<void>,
) {
  const { width, height, channels, data } = pixels;
  const { frame } = gated;
  const { centre, a, b } = motion.ring;
  const reach = Math.max(a, b);
  const x0 = Math.max(0, Math.floor(centre[0] - reach));
  const x1 = Math.min(width, Math.ceil(centre[0] + reach));
  const y0 = Math.max(0, Math.floor(centre[1] - reach));
  const y1 = Math.min(height, Math.ceil(centre[1] + reach));
  if (x1 <= x0 || y1 <= y0) return undefined;
  const moving = motion.from.some(
    (p, i) => Math.abs(p[0] - motion.to[i]![0]) + Math.abs(p[1] - motion.to[i]![1]) > 1e-3,
  );
  if (!moving) return undefined;
  // Backward map: for each output pixel, where in the source it comes from. MLS from the moved
  // points to the original ones, on a grid.
  const cell = Math.max(2, Math.round(o.gridCell * frame.eyeDistance));
  const gw = Math.ceil((x1 - x0) / cell) + 1;
  const gh = Math.ceil((y1 - y0) / cell) + 1;
  const field = new Float32Array(gw * gh * 2);
  const P = motion.to;
  const Q = motion.from;
  const n = P.length;
  const weights = new Float64Array(n);
  const alphaTwo = o.mlsAlpha === 2;
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const vx = x0 + gx * cell;
      const vy = y0 + gy * cell;
      const feather = ringFeather(vx, vy, centre, a, b, frame.ux);
      if (feather <= 0) continue;
      let sw = 0;
      let pxs = 0;
      let pys = 0;
      let qxs = 0;
      let qys = 0;
      let exact = -1;
      for (let i = 0; i < n; i++) {
        const dx = P[i]![0] - vx;
        const dy = P[i]![1] - vy;
        const d2 = dx * dx + dy * dy;
        if (d2 < 1e-8) {
          exact = i;
          break;
        }
        const w = alphaTwo ? 1 / (d2 * d2) : 1 / (d2 * Math.sqrt(d2));
        weights[i] = w;
        sw += w;
        pxs += w * P[i]![0];
        pys += w * P[i]![1];
        qxs += w * Q[i]![0];
        qys += w * Q[i]![1];
      }
      let fx: number;
      let fy: number;
      if (exact >= 0) {
        fx = Q[exact]![0];
        fy = Q[exact]![1];
      } else {
        const pcx = pxs / sw;
        const pcy = pys / sw;
        const qcx = qxs / sw;
        const qcy = qys / sw;
        let a00 = 0,
          a01 = 0,
          a11 = 0,
          b00 = 0,
          b01 = 0,
          b10 = 0,
          b11 = 0;
        for (let i = 0; i < n; i++) {
          const w = weights[i]!;
          const px = P[i]![0] - pcx;
          const py = P[i]![1] - pcy;
          const qx = Q[i]![0] - qcx;
          const qy = Q[i]![1] - qcy;
          a00 += w * px * px;
          a01 += w * px * py;
          a11 += w * py * py;
          b00 += w * px * qx;
          b01 += w * px * qy;
          b10 += w * py * qx;
          b11 += w * py * qy;
        }
        const det = a00 * a11 - a01 * a01;
        const rx = vx - pcx;
        const ry = vy - pcy;
        if (Math.abs(det) < 1e-9) {
          fx = vx + qcx - pcx;
          fy = vy + qcy - pcy;
        } else {
          // (v − p*) A⁻¹ B + q*, row vector times matrices.
          const i00 = a11 / det,
            i01 = -a01 / det,
            i11 = a00 / det;
          const tx = rx * i00 + ry * i01;
          const ty = rx * i01 + ry * i11;
          fx = tx * b00 + ty * b10 + qcx;
          fy = tx * b01 + ty * b11 + qcy;
        }
      }
      field[(gy * gw + gx) * 2] = (fx - vx) * feather;
      field[(gy * gw + gx) * 2 + 1] = (fy - vy) * feather;
    }
  }
  // Resample the region from a copy of it.
  const rw = x1 - x0;
  const rh = y1 - y0;
  const source = new Uint8Array(rw * rh * channels);
  for (let y = 0; y < rh; y++)
    source.set(
      data.subarray(((y0 + y) * width + x0) * channels, ((y0 + y) * width + x1) * channels),
      y * rw * channels,
    );
  const yieldEvery = Math.max(16, Math.floor(262_144 / rw));
  for (let y = y0; y < y1; y++) {
    if ((y - y0) % yieldEvery === yieldEvery - 1) await tick();
    const gyf = (y - y0) / cell;
    const gy = Math.min(gh - 2, Math.floor(gyf));
    const ty = gyf - gy;
    for (let x = x0; x < x1; x++) {
      const gxf = (x - x0) / cell;
      const gx = Math.min(gw - 2, Math.floor(gxf));
      const tx = gxf - gx;
      const k00 = (gy * gw + gx) * 2;
      const k10 = k00 + 2;
      const k01 = k00 + gw * 2;
      const k11 = k01 + 2;
      const dx =
        (1 - ty) * ((1 - tx) * field[k00]! + tx * field[k10]!) + ty * ((1 - tx) * field[k01]! + tx * field[k11]!);
      const dy =
        (1 - ty) * ((1 - tx) * field[k00 + 1]! + tx * field[k10 + 1]!) +
        ty * ((1 - tx) * field[k01 + 1]! + tx * field[k11 + 1]!);
      if (Math.abs(dx) < 1e-3 && Math.abs(dy) < 1e-3) continue;
      const sx = Math.min(rw - 1.001, Math.max(0, x + dx - x0));
      const sy = Math.min(rh - 1.001, Math.max(0, y + dy - y0));
      const ix = Math.floor(sx);
      const iy = Math.floor(sy);
      const fx = sx - ix;
      const fy = sy - iy;
      const s00 = (iy * rw + ix) * channels;
      const s10 = s00 + channels;
      const s01 = s00 + rw * channels;
      const s11 = s01 + channels;
      const out = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) {
        const value =
          (1 - fy) * ((1 - fx) * source[s00 + c]! + fx * source[s10 + c]!) +
          fy * ((1 - fx) * source[s01 + c]! + fx * source[s11 + c]!);
        data[out + c] = Math.round(value);
      }
    }
  }
  return { x0, y0, x1, y1 };
}

/**
 * How far below the middle of the lips `unsmile` takes the corners of a smiling mouth (one whose
 * corners are raised now), per target, in eye distances: a smile only brought level still reads
 * as a smile (the lower lip's curve, the cheeks), so toward a negative target the corners go on
 * down, most for sadness (the downturned mouth), least for anger (the mouth pressed straight).
 */
export const CORNER_DROP: Readonly<Record<Emotion, number>> = {
  sadness: 0.06,
  fear: 0.045,
  disgust: 0.025,
  anger: 0.025,
  awe: 0,
  contentment: 0,
  amusement: 0,
  excitement: 0,
};

/**
 * How far the lips close over the teeth of a smile, per target (at intensity 0.6 and above).
 * White teeth between the lips are what says "smile" when the corners have come down; with the
 * lips over them the mouth reads pressed (anger) or closed and still (sadness, contentment). Fear
 * and disgust keep them (a grimace, a raised upper lip show teeth; shaded, a small face's teeth
 * look dirty rather than hidden).
 */
export const TEETH_SHADE: Readonly<Record<Emotion, number>> = {
  sadness: 0.55,
  anger: 0.75,
  fear: 0,
  disgust: 0,
  awe: 0,
  contentment: 0.25,
  amusement: 0,
  excitement: 0,
};

/**
 * Closes the lips over the teeth between the (warped) inner lips: the pixels inside the inner
 * lip outline (landmarks 60–67), the bright ones most, move toward the lips' own colour, darker
 * toward the seam where the lips meet, feathered at the outline. Only pixels inside the mouth's
 * box change.
 */
export function shadeTeeth(
  pixels: RawPixels,
  points: readonly (readonly [number, number])[],
  eyeDistance: number,
  amount: number,
): void {
  const { data, width, height, channels } = pixels;
  const inner = points.slice(60, 68);
  const outer = points.slice(48, 60);
  const margin = Math.max(2, Math.ceil(0.06 * eyeDistance));
  const x0 = Math.max(0, Math.floor(Math.min(...outer.map((p) => p[0]))) - margin);
  const x1 = Math.min(width, Math.ceil(Math.max(...outer.map((p) => p[0]))) + margin);
  const y0 = Math.max(0, Math.floor(Math.min(...outer.map((p) => p[1]))) - margin);
  const y1 = Math.min(height, Math.ceil(Math.max(...outer.map((p) => p[1]))) + margin);
  const w = x1 - x0;
  const h = y1 - y0;
  if (w <= 2 || h <= 2) return;
  // Inside the outer lip outline (1); the lips' colour from its darker, redder pixels (teeth are
  // brighter and greyer than lips).
  const mouth = new Float32Array(w * h);
  const ring: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!insidePolygon(x0 + x + 0.5, y0 + y + 0.5, outer)) continue;
      mouth[y * w + x] = 1;
      if (!insidePolygon(x0 + x + 0.5, y0 + y + 0.5, inner)) ring.push(((y0 + y) * width + x0 + x) * channels);
    }
  }
  if (ring.length === 0) return;
  const lumaOf = (i: number) => 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  const ringLuma = ring.reduce((sum, i) => sum + lumaOf(i), 0) / ring.length;
  const lipPixels = ring.filter((i) => lumaOf(i) <= ringLuma);
  const lip = [0, 1, 2].map((c) => lipPixels.reduce((sum, i) => sum + data[i + c]!, 0) / Math.max(1, lipPixels.length));
  const lipLuma = 0.299 * lip[0]! + 0.587 * lip[1]! + 0.114 * lip[2]!;
  const lipChroma = Math.max(...lip) - Math.min(...lip);
  // Feather: a box blur of the outline, about 3 % of the eye distance wide.
  const radius = Math.max(1, Math.round(0.03 * eyeDistance));
  const soft = boxBlur(boxBlur(mouth, w, h, radius, true), w, h, radius, false);
  // The lips' seam: halfway between the inner upper and lower lip, and their half-gap, along x.
  const seamAt = lipSeam(inner);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const m = soft[y * w + x]!;
      if (m <= 0.01) continue;
      const i = ((y0 + y) * width + x0 + x) * channels;
      const [sy, half] = seamAt(x0 + x + 0.5);
      // Closed lips: the lips' colour, darker toward the seam between them.
      const fromSeam = Math.min(1, Math.abs(y0 + y + 0.5 - sy) / Math.max(1, half));
      const shade = 0.5 + 0.42 * fromSeam;
      // Teeth: brighter than the lips and greyer; the lips themselves stay as they are.
      const luma = lumaOf(i);
      const chroma = Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!);
      const teeth =
        Math.max(0, Math.min(1, (luma - lipLuma - 8) / 35)) * Math.max(0, Math.min(1, (lipChroma - chroma + 15) / 30));
      const t = amount * m * teeth;
      if (t <= 0) continue;
      for (let c = 0; c < 3; c++) data[i + c] = Math.round(data[i + c]! + (lip[c]! * shade - data[i + c]!) * t);
    }
  }
}

/** The share of the mouth's outline that is teeth above which {@link coverTeeth} leaves a grin to {@link shadeTeeth}. */
export const BROAD_GRIN = 0.33;

/**
 * How much of the teeth {@link coverTeeth} covers toward each negative target (at intensity 0.6
 * and above): all of them for sadness, anger and fear, most for disgust.
 */
export const COVER_TEETH: Readonly<Record<Emotion, number>> = {
  sadness: 1,
  anger: 1,
  fear: 1,
  disgust: 0.9,
  awe: 0,
  contentment: 0,
  amusement: 0,
  excitement: 0,
};

/**
 * How dark what covers the teeth is, per target (0: the lips' colour with a darker seam, closed
 * lips; 1: the shadow inside an open mouth): fear's tense mouth hangs open, disgust's raised lip
 * shows a dark gap, sadness and anger close the lips.
 */
export const MOUTH_SHADOW: Readonly<Record<Emotion, number>> = {
  sadness: 0.25,
  anger: 0,
  fear: 0.8,
  disgust: 0.45,
  awe: 0,
  contentment: 0,
  amusement: 0,
  excitement: 0,
};

/**
 * Covers the teeth of a smile turned toward a negative target, smoothly: the warp squeezes the
 * teeth into a band between the lips that comes to points at the corners (they read as fangs),
 * and the pixels left there, with the gaps between teeth and the fragments at the corners, go
 * under the lips' colour (closed lips, a darker seam between them) or into the mouth's shadow
 * (`shadow`, an open mouth). The cover is a blurred teeth map inside the (warped) outer lip
 * outline, feathered, so it has no tooth's outline. Returns false, changing nothing, where no
 * teeth show (closed lips, whose highlights are paler than the lips, come to about a tenth of the
 * mouth; a smile's teeth to a fifth and more) or where more than `broadest` of the mouth is
 * teeth (a broad grin: covering that much moves face-api's identity descriptor too far).
 * `always` covers whatever teeth the map finds, however few or many (what is left between lips
 * that {@link closeMouth} closed).
 */
export function coverTeeth(
  pixels: RawPixels,
  points: readonly (readonly [number, number])[],
  eyeDistance: number,
  amount: number,
  shadow: number,
  broadest: number,
  always = false,
): boolean {
  const { data, width, height, channels } = pixels;
  const inner = points.slice(60, 68);
  const outer = points.slice(48, 60);
  const margin = Math.max(2, Math.ceil(0.06 * eyeDistance));
  const x0 = Math.max(0, Math.floor(Math.min(...outer.map((p) => p[0]))) - margin);
  const x1 = Math.min(width, Math.ceil(Math.max(...outer.map((p) => p[0]))) + margin);
  const y0 = Math.max(0, Math.floor(Math.min(...outer.map((p) => p[1]))) - margin);
  const y1 = Math.min(height, Math.ceil(Math.max(...outer.map((p) => p[1]))) + margin);
  const w = x1 - x0;
  const h = y1 - y0;
  if (w <= 2 || h <= 2) return false;
  // Inside the outer lip outline (1); the lips' colour from its darker, redder pixels (teeth are
  // brighter and greyer than lips).
  const mouth = new Float32Array(w * h);
  const ring: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!insidePolygon(x0 + x + 0.5, y0 + y + 0.5, outer)) continue;
      mouth[y * w + x] = 1;
      if (!insidePolygon(x0 + x + 0.5, y0 + y + 0.5, inner)) ring.push(((y0 + y) * width + x0 + x) * channels);
    }
  }
  if (ring.length === 0) return false;
  const lumaOf = (i: number) => 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
  const ringLuma = ring.reduce((sum, i) => sum + lumaOf(i), 0) / ring.length;
  const chromaOf = (i: number) =>
    Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!);
  const ringChroma = ring.reduce((sum, i) => sum + chromaOf(i), 0) / ring.length;
  const darker = ring.filter((i) => lumaOf(i) <= ringLuma);
  const redder = darker.filter((i) => chromaOf(i) >= ringChroma);
  const lipPixels = redder.length >= 8 ? redder : darker;
  const lip = [0, 1, 2].map((c) => lipPixels.reduce((sum, i) => sum + data[i + c]!, 0) / Math.max(1, lipPixels.length));
  const lipLuma = 0.299 * lip[0]! + 0.587 * lip[1]! + 0.114 * lip[2]!;
  const lipChroma = Math.max(...lip) - Math.min(...lip);
  const lipSaturation = lipChroma / Math.max(1, ...lip);
  // The lips' seam: halfway between the inner upper and lower lip, and their half-gap, along x.
  const seamAt = lipSeam(inner);
  // What is covered: the lips' outline, a little beyond it (the outline is a few pixels out on
  // a small face), feathered.
  const reach = Math.max(1, Math.round(0.03 * eyeDistance));
  const cover = boxBlur(boxBlur(mouth, w, h, reach, true), w, h, reach, false);
  // Teeth: brighter than the lips and greyer. The map is blurred and raised, so that the gaps
  // between teeth and the small bright fragments the warp leaves at the corners go with the
  // teeth next to them, and what covers them has soft edges rather than a tooth's outline.
  const teethRaw = new Float32Array(w * h);
  let teethSum = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (cover[y * w + x]! <= 0.01) continue;
      const i = ((y0 + y) * width + x0 + x) * channels;
      const luma = lumaOf(i);
      const chroma = chromaOf(i);
      const bright = Math.max(0, Math.min(1, (luma - lipLuma - 8) / 30));
      teethRaw[y * w + x] = bright * Math.max(0, Math.min(1, (lipChroma - chroma + 15) / 30));
      // Whether teeth show at all is told more strictly (greyer than the lips by a share).
      const saturation = chroma / Math.max(1, data[i]!, data[i + 1]!, data[i + 2]!);
      if (mouth[y * w + x]! > 0)
        teethSum += bright * Math.max(0, Math.min(1, (0.8 * lipSaturation - saturation) / (0.25 * lipSaturation)));
    }
  }
  const spread = Math.max(1, Math.round(0.045 * eyeDistance));
  // Teeth show: a share of the mouth's outline that is bright and grey (closed lips, whose
  // highlights are paler, come to about a tenth; a smile's teeth to a fifth and more).
  let inMouth = 0;
  for (let k = 0; k < w * h; k++) if (mouth[k]! > 0) inMouth++;
  const share = teethSum / Math.max(1, inMouth);
  const shown = always ? 1 : smoothstep(0.11, 0.16, share);
  if (shown <= 0 || share > broadest) return false;
  const teethSoft = boxBlur(boxBlur(teethRaw, w, h, spread, true), w, h, spread, false);
  // The mouth's shadow: the lips' colour, darker.
  const dark = lip.map((c) => 0.3 * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Full up to the outline (teeth right under a lip's edge are covered too), feathered beyond.
      const m = Math.min(1, 1.7 * cover[y * w + x]!);
      if (m <= 0.01) continue;
      const teeth = Math.min(1, Math.max(teethRaw[y * w + x]!, 2.5 * teethSoft[y * w + x]!));
      const t = amount * shown * m * teeth;
      if (t <= 0) continue;
      const i = ((y0 + y) * width + x0 + x) * channels;
      const [sy, half] = seamAt(x0 + x + 0.5);
      // Closed lips: the lips' colour, darker toward the seam between them; an open mouth: its
      // shadow, lighter toward the lips.
      const fromSeam = Math.min(1, Math.abs(y0 + y + 0.5 - sy) / Math.max(1, 0.03 * eyeDistance, half));
      const shade = 0.95 - 0.5 * Math.exp(-((fromSeam / 0.35) ** 2));
      const open = shadow * Math.exp(-((fromSeam / 0.6) ** 2));
      for (let c = 0; c < 3; c++) {
        const target = lip[c]! * shade * (1 - open) + dark[c]! * open;
        data[i + c] = Math.round(data[i + c]! + (target - data[i + c]!) * t);
      }
    }
  }
  return true;
}

/** Piecewise-linear y of a polyline (sorted by x) at x. */
function along(poly: readonly (readonly [number, number])[], x: number): number {
  if (x <= poly[0]![0]) return poly[0]![1];
  for (let k = 1; k < poly.length; k++) {
    const [xa, ya] = poly[k - 1]!;
    const [xb, yb] = poly[k]!;
    if (x <= xb) return ya + ((yb - ya) * (x - xa)) / Math.max(1e-6, xb - xa);
  }
  return poly.at(-1)![1];
}

/** How much darker the seam where {@link closeMouth}'s lips meet is, at its middle. */
const SEAM_DARK = 0.4;

/** The lips' luma and saturation (of their darker, redder part), between the outer (48–59) and inner (60–67) lip outlines. */
function lipColour(
  data: Uint8Array,
  width: number,
  channels: number,
  points: readonly (readonly [number, number])[],
): { luma: number; saturation: number } | undefined {
  const outer = points.slice(48, 60);
  const inner = points.slice(60, 68);
  const lumas: number[] = [];
  const saturations: number[] = [];
  const height = data.length / channels / width;
  const x0 = Math.max(0, Math.floor(Math.min(...outer.map((p) => p[0]))));
  const x1 = Math.min(width, Math.ceil(Math.max(...outer.map((p) => p[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...outer.map((p) => p[1]))));
  const y1 = Math.min(height, Math.ceil(Math.max(...outer.map((p) => p[1]))));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (!insidePolygon(x + 0.5, y + 0.5, outer) || insidePolygon(x + 0.5, y + 0.5, inner)) continue;
      const i = (y * width + x) * channels;
      const high = Math.max(data[i]!, data[i + 1]!, data[i + 2]!);
      lumas.push(0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!);
      saturations.push((high - Math.min(data[i]!, data[i + 1]!, data[i + 2]!)) / Math.max(1, high));
    }
  }
  if (lumas.length < 8) return undefined;
  // The ring holds teeth too where the warp moved the inner outline over them: the lips are its
  // darker, more saturated part.
  const quantile = (values: number[], q: number) => values.sort((p, r) => p - r)[Math.floor(q * (values.length - 1))]!;
  return { luma: quantile(lumas, 0.3), saturation: quantile(saturations, 0.7) };
}

/**
 * Closes a grin's lips over its teeth (in place): along the mouth, in the face's frame, each
 * column between the (warped) outer lip outline, a little beyond it, is remapped so that the
 * upper lip's own pixels stretch down and the lower lip's up to meet at the middle of the gap
 * between the inner lips (`amount` 1: closed; less leaves a share of the gap), with a darker seam
 * where they meet. The lips keep their texture and shading (a flat colour over that much mouth
 * reads painted, and moves face-api's identity descriptor further). The gap narrows to nothing
 * at the outer corners (48 and 54 close both inner lip lines), so nothing changes beyond them.
 * `followTeeth` closes the gap the pixels show teeth in, where it is wider than the landmarks'.
 */
export function closeMouth(
  pixels: RawPixels,
  points: readonly (readonly [number, number])[],
  frame: FaceFrame,
  amount: number,
  followTeeth = false,
): void {
  const { data, width, height, channels } = pixels;
  const f = points.map((p) => toFrame(frame, p));
  const line = (idx: number[]) => idx.map((i) => f[i]!).sort((p, q) => p[0] - q[0]);
  const upperOuter = line([48, 49, 50, 51, 52, 53, 54]);
  const lowerOuter = line([54, 55, 56, 57, 58, 59, 48]);
  const upperInner = line([48, 60, 61, 62, 63, 64, 54]);
  const lowerInner = line([54, 64, 65, 66, 67, 60, 48]);
  const uMin = f[48]![0];
  const uMax = f[54]![0];
  // Beyond the outer lip outline by this many eye distances (the landmarks sit a pixel or two
  // inside a small face's lips), the skin stays put.
  const margin = 0.04;
  const outer = points.slice(48, 60);
  const pad = Math.ceil(0.1 * frame.eyeDistance) + 2;
  const x0 = Math.max(0, Math.floor(Math.min(...outer.map((p) => p[0]))) - pad);
  const x1 = Math.min(width, Math.ceil(Math.max(...outer.map((p) => p[0]))) + pad);
  const y0 = Math.max(0, Math.floor(Math.min(...outer.map((p) => p[1]))) - pad);
  const y1 = Math.min(height, Math.ceil(Math.max(...outer.map((p) => p[1]))) + pad);
  const rw = x1 - x0;
  const rh = y1 - y0;
  if (rw <= 2 || rh <= 2) return;
  const source = new Uint8Array(rw * rh * channels);
  for (let y = 0; y < rh; y++)
    source.set(
      data.subarray(((y0 + y) * width + x0) * channels, ((y0 + y) * width + x1) * channels),
      y * rw * channels,
    );
  // `followTeeth`: the teeth between the lips, column by column. The warp moves the inner lip
  // landmarks over the teeth, not the teeth with them, so the gap to close is where the pixels
  // are teeth (brighter than the lips and greyer), or the landmarks' gap where that is wider.
  const lip = lipColour(data, width, channels, points);
  const step = 1 / frame.eyeDistance;
  const columns = Math.max(1, Math.ceil((uMax - uMin) / step));
  const teethTop = new Float32Array(columns + 1).fill(Infinity);
  const teethBottom = new Float32Array(columns + 1).fill(-Infinity);
  if (lip && followTeeth) {
    for (let k = 0; k <= columns; k++) {
      const u = uMin + k * step;
      const upper = along(upperOuter, u);
      const lower = along(lowerOuter, u);
      for (let v = upper; v <= lower; v += step) {
        const [dx, dy] = fromFrameOffset(frame, [u, v]);
        const x = Math.round(frame.origin[0] + dx - 0.5);
        const y = Math.round(frame.origin[1] + dy - 0.5);
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const i = (y * width + x) * channels;
        const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
        const high = Math.max(data[i]!, data[i + 1]!, data[i + 2]!);
        const saturation = (high - Math.min(data[i]!, data[i + 1]!, data[i + 2]!)) / Math.max(1, high);
        if (luma < lip.luma + 12 || saturation > 0.75 * lip.saturation) continue;
        teethTop[k] = Math.min(teethTop[k]!, v - step);
        teethBottom[k] = Math.max(teethBottom[k]!, v + step);
      }
    }
  }
  // Widened by their neighbours (two pixels each side), so the closed gap has no steps.
  const widen = (values: Float32Array, pick: (p: number, q: number) => number) =>
    values.map((_, k) => {
      let out = values[k]!;
      for (let j = Math.max(0, k - 2); j <= Math.min(columns, k + 2); j++) out = pick(out, values[j]!);
      return out;
    });
  const wideTop = widen(teethTop, Math.min);
  const wideBottom = widen(teethBottom, Math.max);
  const seamWidth = Math.max(0.012, 1 / frame.eyeDistance);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const [u, v] = toFrame(frame, [x + 0.5, y + 0.5]);
      if (u <= uMin || u >= uMax) continue;
      const upper = along(upperOuter, u);
      const lower = along(lowerOuter, u);
      const k = Math.min(columns, Math.max(0, Math.round((u - uMin) / step)));
      const innerA = along(upperInner, u);
      const innerB = along(lowerInner, u);
      // Some of each lip is left to stretch (a quarter of it at least).
      const a = Math.max(Math.min(innerA, wideTop[k]!), upper + 0.25 * Math.max(0, innerA - upper));
      const b = Math.min(Math.max(innerB, wideBottom[k]!), lower - 0.25 * Math.max(0, lower - innerB));
      const gap = b - a;
      if (gap <= 0) continue;
      const top = upper - margin;
      const bottom = lower + margin;
      if (v <= top || v >= bottom) continue;
      const c = Math.min(1, amount);
      const s = Math.min(b, Math.max(a, (innerA + innerB) / 2));
      const a2 = a + c * (s - a);
      const b2 = b - c * (b - s);
      let vs: number;
      if (v < a2) vs = top + ((v - top) * (a - top)) / Math.max(1e-6, a2 - top);
      else if (v > b2) vs = bottom - ((bottom - v) * (bottom - b)) / Math.max(1e-6, bottom - b2);
      else vs = b2 > a2 ? a + ((v - a2) * (b - a)) / (b2 - a2) : s;
      const [dx, dy] = fromFrameOffset(frame, [u, vs]);
      const sx = Math.min(rw - 1.001, Math.max(0, frame.origin[0] + dx - 0.5 - x0));
      const sy = Math.min(rh - 1.001, Math.max(0, frame.origin[1] + dy - 0.5 - y0));
      const ix = Math.floor(sx);
      const iy = Math.floor(sy);
      const fx = sx - ix;
      const fy = sy - iy;
      const s00 = (iy * rw + ix) * channels;
      const s10 = s00 + channels;
      const s01 = s00 + rw * channels;
      const s11 = s01 + channels;
      const seam = 1 - SEAM_DARK * c * smoothstep(0, 0.03, gap) * Math.exp(-(((v - (a2 + b2) / 2) / seamWidth) ** 2));
      const out = (y * width + x) * channels;
      for (let ch = 0; ch < Math.min(3, channels); ch++) {
        const value =
          (1 - fy) * ((1 - fx) * source[s00 + ch]! + fx * source[s10 + ch]!) +
          fy * ((1 - fx) * source[s01 + ch]! + fx * source[s11 + ch]!);
        data[out + ch] = Math.round(value * seam);
      }
    }
  }
}

/**
 * The creases of a nose wrinkle and a sneer (AU9, AU10 on one side), shaded in place: three short
 * lines across the root of the nose (landmarks 27–29), each with a lighter ridge just above it,
 * and the fold from the nose wing down past the mouth corner on the picture's left (the side
 * {@link SNEER} raises), darker nearer the wing. `amount` 1: creases about a fifth darker.
 * The warp cannot draw these (moving the nose itself costs face-api's identity descriptor much:
 * AU9 alone about 0.1 on astronaut.png).
 */
export function wrinkleNose(
  pixels: RawPixels,
  points: readonly (readonly [number, number])[],
  frame: FaceFrame,
  amount: number,
): void {
  const { data, width, height, channels } = pixels;
  const f = points.map((p) => toFrame(frame, p));
  const segments: [number, number, number, number, number, number][] = [];
  // Across the nose root: u half-width, at three heights between 27 and 29.
  const [ru, rv] = f[27]!;
  const [, bv] = f[29]!;
  for (const [t, half, depth] of [
    [0.2, 0.09, 0.8],
    [0.5, 0.1, 0.6],
  ] as const) {
    const v = rv + t * (bv - rv);
    segments.push([ru - half, v + 0.008, ru + half, v - 0.008, depth, 0.022]);
  }
  // The fold on the sneer's side: from beside the nose wing (31) down and out past the corner (48).
  const [wu, wv] = f[31]!;
  const [cu, cv] = f[48]!;
  segments.push([wu - 0.04, wv - 0.04, cu - 0.05, cv - 0.02, 1, 0.03]);
  const us = segments.flatMap((g) => [g[0], g[2]]);
  const vs = segments.flatMap((g) => [g[1], g[3]]);
  const pad = 0.08;
  const corners = [
    [Math.min(...us) - pad, Math.min(...vs) - pad],
    [Math.max(...us) + pad, Math.min(...vs) - pad],
    [Math.min(...us) - pad, Math.max(...vs) + pad],
    [Math.max(...us) + pad, Math.max(...vs) + pad],
  ].map(([u, v]) => {
    const [dx, dy] = fromFrameOffset(frame, [u!, v!]);
    return [frame.origin[0] + dx, frame.origin[1] + dy];
  });
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[0]!))));
  const x1 = Math.min(width, Math.ceil(Math.max(...corners.map((c) => c[0]!))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c[1]!))));
  const y1 = Math.min(height, Math.ceil(Math.max(...corners.map((c) => c[1]!))));
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const [u, v] = toFrame(frame, [x + 0.5, y + 0.5]);
      let gain = 1;
      for (const [ua, va, ub, vb, depth, sigma] of segments) {
        const du = ub - ua;
        const dv = vb - va;
        const t = Math.max(0, Math.min(1, ((u - ua) * du + (v - va) * dv) / (du * du + dv * dv)));
        // Signed distance across the segment (positive below it), the ends faded.
        const across = ((u - ua) * dv - (v - va) * du) / Math.hypot(du, dv);
        const along = Math.sin(Math.PI * t);
        const crease = Math.exp(-((across / sigma) ** 2));
        const ridge = Math.exp(-(((across - 1.6 * sigma * Math.sign(du)) / sigma) ** 2));
        gain *= 1 - amount * along * depth * (0.14 * crease - 0.05 * ridge);
      }
      if (gain === 1) continue;
      const i = (y * width + x) * channels;
      for (let c = 0; c < Math.min(3, channels); c++)
        data[i + c] = Math.max(0, Math.min(255, Math.round(data[i + c]! * gain)));
    }
  }
}

function insidePolygon(x: number, y: number, polygon: readonly (readonly [number, number])[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** A box blur of a `w × h` map along rows (`horizontal`) or columns, `radius` each side. */
function boxBlur(values: Float32Array, w: number, h: number, radius: number, horizontal: boolean): Float32Array {
  const out = new Float32Array(values.length);
  const [outerCount, innerCount] = horizontal ? [h, w] : [w, h];
  for (let a = 0; a < outerCount; a++) {
    for (let b = 0; b < innerCount; b++) {
      let sum = 0;
      let n = 0;
      for (let k = Math.max(0, b - radius); k <= Math.min(innerCount - 1, b + radius); k++, n++)
        sum += values[horizontal ? a * w + k : k * w + a]!;
      out[horizontal ? a * w + b : b * w + a] = sum / n;
    }
  }
  return out;
}

/** 1 well inside the ring, easing to 0 at it (smoothstep from 70 % to 100 % of its radius). */
function ringFeather(
  x: number,
  y: number,
  centre: [number, number],
  a: number,
  b: number,
  ux: [number, number],
): number {
  const dx = x - centre[0];
  const dy = y - centre[1];
  const u = (dx * ux[0] + dy * ux[1]) / a;
  const v = (-dx * ux[1] + dy * ux[0]) / b;
  const r = Math.sqrt(u * u + v * v);
  if (r >= 1) return 0;
  if (r <= 0.7) return 1;
  const t = (1 - r) / 0.3;
  return t * t * (3 - 2 * t);
}

/** How far the mouth corners sit above the middle of the lips, in eye distances (a smile lifts them). */
export function cornerLift(inFrame: readonly (readonly [number, number])[]): number {
  const middle = (inFrame[51]![1] + inFrame[57]![1] + inFrame[62]![1] + inFrame[66]![1]) / 4;
  const corners = (inFrame[48]![1] + inFrame[54]![1]) / 2;
  return middle - corners;
}

/** The gap between the inner lips, in eye distances. */
export function innerLipGap(inFrame: readonly (readonly [number, number])[]): number {
  return Math.max(
    0,
    (inFrame[67]![1] - inFrame[61]![1] + inFrame[66]![1] - inFrame[62]![1] + inFrame[65]![1] - inFrame[63]![1]) / 3,
  );
}

function smoothstep(low: number, high: number, x: number): number {
  const t = Math.max(0, Math.min(1, (x - low) / (high - low)));
  return t * t * (3 - 2 * t);
}

/**
 * The lips' seam along x: for a column, the y halfway between the inner upper and lower lip
 * (landmarks 60–67, `inner[0..7]`) and their half-gap there, linear between the landmarks.
 */
function lipSeam(inner: readonly (readonly [number, number])[]): (x: number) => [number, number] {
  const seam: [number, number, number][] = [[inner[0]![0], inner[0]![1], 0]];
  for (const [u, l] of [
    [1, 7],
    [2, 6],
    [3, 5],
  ] as const) {
    seam.push([
      (inner[u]![0] + inner[l]![0]) / 2,
      (inner[u]![1] + inner[l]![1]) / 2,
      Math.abs(inner[l]![1] - inner[u]![1]) / 2,
    ]);
  }
  seam.push([inner[4]![0], inner[4]![1], 0]);
  seam.sort((a, b) => a[0] - b[0]);
  return (x: number): [number, number] => {
    if (x <= seam[0]![0]) return [seam[0]![1], seam[0]![2]];
    for (let k = 1; k < seam.length; k++) {
      const [xa, ya, ha] = seam[k - 1]!;
      const [xb, yb, hb] = seam[k]!;
      if (x <= xb) {
        const t = (x - xa) / Math.max(1e-6, xb - xa);
        return [ya + (yb - ya) * t, ha + (hb - ha) * t];
      }
    }
    return [seam.at(-1)![1], seam.at(-1)![2]];
  };
}
