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
import { PICTURE_CLASSES, type PictureClass, type PictureRule, type PictureThresholds } from '../moderation/policy.ts';

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
    if (!SAFETY_MODELS.includes(this.model))
      throw new RangeError(
        `Picture-safety model must be one of ${SAFETY_MODELS.join(', ')}; got ${String(this.model)}.`,
      );
    this.#vision = options.vision ?? sharedVisionRuntime();
    this.#maxSide = options.maxSide ?? 448;
    if (!(this.#maxSide >= 64))
      throw new RangeError(`Picture-safety maxSide must be at least 64 pixels; got ${this.#maxSide}.`);
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

/** What a picture's check came to. */
export type PictureVerdict =
  | { verdict: 'allowed'; checked: boolean }
  | { verdict: 'refused'; class: PictureClass }
  | { verdict: 'unchecked'; reason: 'failed' | 'timeout' };

/** The class whose threshold the scores reach (the one furthest past it), or undefined. */
export function exceededClass(scores: SafetyScores, thresholds: PictureThresholds): PictureClass | undefined {
  let worst: PictureClass | undefined;
  let margin = -Infinity;
  for (const name of PICTURE_CLASSES) {
    const threshold = thresholds[name];
    // A threshold of 1 switches the class off.
    if (threshold === undefined || threshold >= 1) continue;
    const score = scores[name];
    if (score >= threshold && score - threshold > margin) {
      worst = name;
      margin = score - threshold;
    }
  }
  return worst;
}

export interface PictureSafetyOptions {
  classifier: PictureClassifier;
  /** Longest a check may take before it counts as failed, in milliseconds. @defaultValue 15 000 */
  timeoutMs?: number;
  /**
   * Extra time the checks get until one has succeeded (the model loads on the first; about 6 s
   * for MobileNetV2, 50 s for InceptionV3 on 2 cores). @defaultValue 120 000
   */
  loadTimeoutMs?: number;
}

/** The classifier under a time limit, and the rule applied to its scores. */
export class PictureSafety {
  readonly classifier: PictureClassifier;
  readonly timeoutMs: number;
  readonly loadTimeoutMs: number;
  #loaded = false;
  #warmUp: Promise<string | undefined> | undefined;

  constructor(options: PictureSafetyOptions) {
    this.classifier = options.classifier;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.loadTimeoutMs = options.loadTimeoutMs ?? 120_000;
    if (!(this.timeoutMs > 0)) throw new RangeError(`Picture-safety timeoutMs must be above 0; got ${this.timeoutMs}.`);
    if (!(this.loadTimeoutMs >= 0))
      throw new RangeError(`Picture-safety loadTimeoutMs must be 0 or more; got ${this.loadTimeoutMs}.`);
  }

  /** Whether a classification has succeeded (the model is loaded). */
  get loaded(): boolean {
    return this.#loaded;
  }

  /**
   * The verdict for one picture under `rule`. Under `allow` the classifier is not run at all.
   * Under `block` a classifier that throws or takes longer than `timeoutMs` gives `unchecked`,
   * which the caller refuses (fail closed). Never throws.
   */
  async check(
    bytes: Buffer,
    rule: { pictureRule: PictureRule; pictureThresholds: PictureThresholds },
  ): Promise<PictureVerdict> {
    if (rule.pictureRule === 'allow') return { verdict: 'allowed', checked: false };
    let timer: NodeJS.Timeout | undefined;
    const limit = this.timeoutMs + (this.#loaded ? 0 : this.loadTimeoutMs);
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limit);
    });
    try {
      const scores = await Promise.race([this.classifier.classify(bytes), timeout]);
      if (scores === 'timeout') return { verdict: 'unchecked', reason: 'timeout' };
      this.#loaded = true;
      const found = exceededClass(scores, rule.pictureThresholds);
      return found ? { verdict: 'refused', class: found } : { verdict: 'allowed', checked: true };
    } catch {
      return { verdict: 'unchecked', reason: 'failed' };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Loads the model ahead of the first picture by classifying a small grey square. Resolves with
   * the error message when it failed (the checks then fail closed until it loads), else undefined.
   */
  warmUp(): Promise<string | undefined> {
    this.#warmUp ??= (async () => {
      try {
        const grey = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#808080' } })
          .png()
          .toBuffer();
        await this.classifier.classify(grey);
        this.#loaded = true;
        return undefined;
      } catch (error) {
        this.#warmUp = undefined;
        return error instanceof Error ? error.message : String(error);
      }
    })();
    return this.#warmUp;
  }
}

const shared = new Map<string, PictureSafety>();

/**
 * The process's picture-safety check for a model and time limit, made on first use: NSFWJS on a
 * vision worker of its own (a hung face analysis never holds up a picture check, nor the
 * reverse), which loads the model on the first check or on `warmUp()`. Never closed: the
 * worker does not keep the process alive when idle.
 */
export function sharedPictureSafety(options: { model?: SafetyModel; timeoutMs?: number } = {}): PictureSafety {
  const model = options.model ?? 'MobileNetV2';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const key = `${model}:${timeoutMs}`;
  let safety = shared.get(key);
  if (!safety) {
    const vision = new VisionRuntime({
      callTimeoutMs: timeoutMs,
      loadTimeoutMs: 120_000,
      retryAfterMs: 5_000,
      cacheSize: 0,
    });
    safety = new PictureSafety({ classifier: new VisionPictureClassifier({ vision, model }), timeoutMs });
    shared.set(key, safety);
  }
  return safety;
}
