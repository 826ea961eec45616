/**
 * @module Picture safety: the classifier that reads every picture coming in and every edit going
 * out (NSFWJS on the vision runtime, off the event loop), and the rule that turns its scores into
 * "allowed" or "refused" for one scope's picture policy.
 *
 * The classifier reads five classes (Drawing, Hentai, Neutral, Porn, Sexy) that sum to 1. A
 * picture is refused when any class with a threshold reads at or above it. A classifier that
 * fails or takes too long fails closed where the rule blocks (the picture is refused with "I
 * couldn't check this picture") and open where it allows.
 *
 * Nothing here logs a picture, its name or its scores.
 */
import sharp from 'sharp';
import { VisionRuntime, sharedVisionRuntime } from '../vision/vision-runtime.ts';
import { SAFETY_CLASSES, type RgbImage, type SafetyClass, type SafetyScores } from '../vision/vision-types.ts';

export { SAFETY_CLASSES, type SafetyClass, type SafetyScores };

/** The NSFWJS models on offer: MobileNetV2 (fast, the default) or InceptionV3 (slower, larger). */
export const SAFETY_MODELS = ['MobileNetV2', 'InceptionV3'] as const;
export type SafetyModel = (typeof SAFETY_MODELS)[number];

const MODEL_ENTRIES = { MobileNetV2: 'safetyMobileNetV2', InceptionV3: 'safetyInceptionV3' } as const;

/** Reads a picture's class scores. */
export interface PictureClassifier {
  /** The model's name, for `/policy` and the README. */
  readonly model: string;
  classify(bytes: Buffer): Promise<SafetyScores>;
}

export interface VisionPictureClassifierOptions {
  /** @defaultValue the process's shared vision runtime */
  vision?: VisionRuntime;
  /** @defaultValue `MobileNetV2` */
  model?: SafetyModel;
  /**
   * The picture is shrunk (never cropped) to at most this long side before it crosses to the
   * worker; the model then resizes it to its own square. @defaultValue 448
   */
  maxSide?: number;
}

/** NSFWJS on the shared vision runtime (a worker thread, tfjs-wasm, weights from the npm package). */
export class VisionPictureClassifier implements PictureClassifier {
  readonly model: SafetyModel;
  readonly #vision: VisionRuntime;
  readonly #maxSide: number;

  constructor(options: VisionPictureClassifierOptions = {}) {
    this.model = options.model ?? 'MobileNetV2';
    if (!SAFETY_MODELS.includes(this.model)) throw new RangeError(`Picture-safety model must be one of ${SAFETY_MODELS.join(', ')}; got ${String(this.model)}.`);
    this.#vision = options.vision ?? sharedVisionRuntime();
    this.#maxSide = options.maxSide ?? 448;
    if (!(this.#maxSide >= 64)) throw new RangeError(`Picture-safety maxSide must be at least 64 pixels; got ${this.#maxSide}.`);
  }

  /** Class scores of an encoded picture. Throws when the runtime cannot load or run the model. */
  async classify(bytes: Buffer): Promise<SafetyScores> {
    // The first frame, oriented as shown; pictures reaching here passed the input checks already.
    const { data, info } = await sharp(bytes, { failOn: 'none' })
      .autoOrient()
      .resize(this.#maxSide, this.#maxSide, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    const image: RgbImage = { width: info.width, height: info.height, pixels };
    return this.#vision.run(MODEL_ENTRIES[this.model], image, [pixels.buffer as ArrayBuffer]);
  }
}

/** The class that scored highest. */
export function topClass(scores: SafetyScores): SafetyClass {
  let best: SafetyClass = 'Neutral';
  for (const name of SAFETY_CLASSES) if (scores[name] > scores[best]) best = name;
  return best;
}
