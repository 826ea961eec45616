/**
 * @module What the vision runtime hands back: plain data that crosses a worker boundary
 * (numbers, arrays, typed arrays), with no tensors or classes in it.
 */

/** Raw interleaved 8-bit RGB pixels. */
export interface RgbImage {
  width: number;
  height: number;
  /** `width × height × 3` bytes, row by row. */
  pixels: Uint8Array;
}

/** face-api's seven expression classes (FER-2013 labels). */
export const EXPRESSIONS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type Expression = (typeof EXPRESSIONS)[number];

/** NSFWJS's five classes, in the order of the model's outputs. */
export const SAFETY_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type SafetyClass = (typeof SAFETY_CLASSES)[number];
/** The picture-safety classifier's probability of each class; they sum to 1. */
export type SafetyScores = Record<SafetyClass, number>;

/** One face as the models read it, in the pixel coordinates of the image it was read from. */
export interface FaceReading {
  /** Detector box: left, top, width, height. */
  box: { x: number; y: number; width: number; height: number };
  /** Detector confidence, 0–1 (SSD MobileNet v1). */
  score: number;
  /** The 68 iBUG-300W landmarks, `[x, y]` each: jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67. */
  landmarks: [number, number][];
  /** Probability of each expression; they sum to 1. */
  expressions: Record<Expression, number>;
  /** face-api's 128-d identity descriptor; two photos of one person are usually under 0.6 apart (Euclidean). */
  descriptor: number[];
}

/** Person (selfie) segmentation: how likely each pixel belongs to a person, 0–255. */
export interface PersonMask {
  width: number;
  height: number;
  /** `width × height` bytes. */
  alpha: Uint8Array;
}

/** Everything one analysis of a picture found. */
export interface VisionAnalysis {
  /** Width and height of the image the coordinates refer to (the analysed copy, possibly downscaled). */
  width: number;
  height: number;
  faces: FaceReading[];
  /** Undefined when the segmentation model is switched off. */
  personMask?: PersonMask;
  /** Milliseconds the worker spent per model. */
  timings: Record<string, number>;
}

/** Euclidean distance of two identity descriptors. */
export function descriptorDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}
