/**
 * @module The tone renderer (embedded default): a colour and light grade toward the target
 * emotion, in one sharp pipeline.
 *
 * How a grade is chosen. The tone estimator (`tone-estimator.ts`) reads five statistics of a
 * picture (brightness, saturation, warmth, contrast, tint) and places it in
 * pleasure–arousal–dominance space with Valdez & Mehrabian's relations; its score for each
 * emotion falls with the distance to that emotion's PAD position. The renderer walks five grade
 * parameters (saturation about luma, contrast about mid-grey, exposure, white balance, tint) on a
 * 21-pixel thumbnail of the picture, in small steps, each where the target's score rises most
 * against its closest rival, until the thumbnail's pixels have changed by `reach × intensity`
 * levels on average. The looks that come out of this are the familiar ones, for example:
 *
 * - sadness: much less saturated, cooler, softer, a little darker;
 * - anger: darker, more saturated, warmer; excitement: much more saturated, harder contrast;
 * - disgust: a sickly green cast; fear: cold and hard;
 * - awe: brighter, cooler, crisper; contentment: brighter, warmer, softer, calmer colours.
 *
 * Because each step is chosen on the picture's own thumbnail, a near-black photo or a
 * colourless one still moves the right way (a fixed recipe would add colour where it should
 * remove it). Then one sharp pipeline decodes, grades and encodes the full picture: for an
 * opaque picture the whole grade is a single 4 × 4 `recomb` (see `applyGrade`); with alpha it is
 * `recomb` + `linear`, and the optional vignette adds a `composite`.
 *
 * The seed lengthens or shortens the solver's stride a little, and moves the vignette centre
 * when there is one: the same seed gives the same bytes, another seed a barely different picture.
 */
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { EMOTIONS, EMOTION_TABLE, type Element, type Emotion } from '../emotions.ts';
import {
  standardiseTone,
  toneOfPixels,
  TONE_FEATURE_NAMES,
  type StandardTone,
  type ToneFeatures,
} from '../estimator/tone-features.ts';
import { distributionOfTone, toneScores } from '../estimator/tone-estimator.ts';
import type { CheckedImage, OutputFormat } from '../image/image.ts';
import {
  cachedThumbnail,
  shrinkThumbnail,
  thumbnailKey,
  thumbnailOf,
  thumbnailOfDecoded,
  type Thumbnail,
} from '../image/thumbnail-cache.ts';
import type { FaceNote, RenderRequest, RenderResult, Renderer } from './renderer.ts';
import { ErrorCode, UserError } from '../errors.ts';
import { acceptedFaces, gateFaces, type FaceGateOptions, type GatedFace } from '../vision/face-gate.ts';
import { sharedVisionRuntime, type VisionLogger, type VisionRuntime } from '../vision/vision-runtime.ts';
import type { PersonMask, VisionAnalysis } from '../vision/vision-types.ts';
import { warpFaces, type FaceWarpOptions, type RawPixels } from './face-warp.ts';
import {
  drawAtmosphere,
  gradePixels,
  prepareAtmosphere,
  resizeSmall,
  type PixelGrade,
  type Subject,
} from './atmosphere.ts';
import { mulberry32 } from './seeded-random.ts';

export interface ToneRendererOptions {
  /** JPEG quality of edited JPEG pictures, 1–100. @defaultValue 90 */
  jpegQuality?: number;
  /** WebP quality of edited WebP pictures, 1–100. @defaultValue 85 */
  webpQuality?: number;
  /** zlib level of edited PNG pictures, 0–9. @defaultValue 6 */
  pngCompressionLevel?: number;
  /** PNG adaptive row filtering: smaller files, slower encoding. @defaultValue false */
  pngAdaptiveFiltering?: boolean;
  /**
   * How far a grade at intensity 1 moves the picture: the mean absolute change of its pixels, in
   * levels of 255, measured on the thumbnail. Intensity scales it, so a higher intensity moves
   * the picture further (up to where colour alone can no longer make the picture read more like
   * the target; the grade stops there). @defaultValue 24
   */
  reach?: number;
  /**
   * Darken the corners toward negative emotions. It costs a full-size `composite`, which
   * about doubles the render time, so it is off by default. @defaultValue false
   */
  vignette?: boolean;
  /**
   * When no one has read a picture yet (no cached thumbnail), pictures up to this many pixels
   * are decoded once into memory (3–4 bytes a pixel) and both measured and graded from there,
   * instead of being decoded twice. Larger ones are decoded twice (a JPEG's thumbnail decode is
   * cheap) to bound memory. A JPEG's or WebP's thumbnail is always read from its bytes (shrunk
   * while decoded, as the estimator reads it), so that an edit does not depend on who read the
   * picture first. @defaultValue 16 000 000
   */
  decodeOnceMaxPixels?: number;
  /**
   * Time limit of each sharp pipeline of one render (decode, grade, encode), in whole seconds:
   * libvips is stopped when it runs out and the person is told the edit took too long.
   * @defaultValue 30
   */
  timeoutSeconds?: number;
  /**
   * The vision models (faces, person mask) behind the facial and scene edits. With `false` the
   * renderer changes colour and light only, as before. When the models fail to load or run, an
   * edit goes on without them (colour and light only) and the runtime logs why.
   * @defaultValue the process's shared `VisionRuntime`
   */
  vision?: VisionRuntime | false;
  /** How faces are warped toward the target (see `face-warp.ts`). @defaultValue that module's defaults */
  faceWarp?: FaceWarpOptions;
  /** Which detected faces are warped (see `face-gate.ts`). @defaultValue that module's defaults */
  faceGate?: FaceGateOptions;
  /** The scene grade: how the person and the background are graded apart. */
  scene?: SceneGradeOptions;
  /** Where notes about an edit go (faces warped, open smiles left to the light). @defaultValue none */
  logger?: VisionLogger;
}

/** How the person (found by the selfie mask) and the background are graded apart. */
export interface SceneGradeOptions {
  /**
   * The person's grade is solved at this share of the edit's intensity, so skin keeps natural
   * tones while the background carries the mood. @defaultValue 0.45
   */
  personShare?: number;
  /** The background's grade is solved at this multiple of the edit's intensity. @defaultValue 1.5 */
  backgroundBoost?: number;
  /**
   * When a face's open smile could only partly be undone by the warp (negative targets), the
   * light carries more: the grades are solved at this multiple again. @defaultValue 1.25
   */
  openSmileBoost?: number;
  /**
   * The scene's light and air (`atmosphere.ts`: low-key light for fear, fog for sadness, harsh
   * red light for anger, golden glow for awe...) at this multiple of the edit's intensity; 0
   * leaves them out. @defaultValue 1
   */
  atmosphere?: number;
  /** Where the atmosphere is used, the colour grade is solved at this share of the intensity. @defaultValue 0.5 */
  gradeWithAtmosphere?: number;
}

const SCENE_DEFAULTS: Required<SceneGradeOptions> = {
  personShare: 0.45,
  backgroundBoost: 1.5,
  openSmileBoost: 1.25,
  atmosphere: 1,
  gradeWithAtmosphere: 0.5,
};

/** Targets whose background also gets the low-key corners (a vignette): the dark, closed-in looks. */
const LOW_KEY_TARGETS: ReadonlySet<Emotion> = new Set(['fear', 'sadness', 'anger', 'disgust']);

type ResolvedOptions = Required<Omit<ToneRendererOptions, 'vision' | 'faceWarp' | 'faceGate' | 'scene' | 'logger'>> &
  Pick<ToneRendererOptions, 'faceWarp' | 'faceGate' | 'logger'> & { scene: Required<SceneGradeOptions> };

const DEFAULTS: Required<Omit<ToneRendererOptions, 'vision' | 'faceWarp' | 'faceGate' | 'scene' | 'logger'>> = {
  jpegQuality: 90,
  webpQuality: 85,
  pngCompressionLevel: 6,
  pngAdaptiveFiltering: false,
  reach: 24,
  vignette: false,
  decodeOnceMaxPixels: 16_000_000,
  timeoutSeconds: 30,
};

/** The pipeline parameters of one grade, on [0, 1] pixel values. */
export interface ToneGrade {
  /** Saturation multiplier about Rec. 601 luma (1 keeps colours). */
  saturation: number;
  /** Contrast slope about mid-grey (1 keeps contrast). */
  contrast: number;
  /** Brightness offset added to every channel. */
  exposure: number;
  /** Red minus blue offset: positive warms, negative cools. */
  warmth: number;
  /** Green minus magenta offset. */
  tint: number;
  /** How much the corners are darkened, 0–1 (0 with the vignette off). */
  vignette: number;
  /** Vignette centre as a fraction of width and height. */
  vignetteCentre: [number, number];
}

/**
 * The five grade parameters, each in units of a similar visible change: exposure in steps of
 * 0.1 (of [0, 1]), contrast and saturation in steps of 20 % and 30 % (on a log scale), white
 * balance in steps of 0.08 and tint, which shows sooner, in steps of 0.04.
 */
const PARAMETER_UNITS = [0.1, 0.2, 0.3, 0.08, 0.04] as const;
/** Limits of each parameter, in its own units (see {@link gradeOf}). */
const PARAMETER_LIMITS: readonly [number, number][] = [
  [-0.6, 0.6],
  [Math.log(0.4), Math.log(2.5)],
  [Math.log(0.03), Math.log(3)],
  [-0.4, 0.4],
  [-0.25, 0.25],
];
/** Length of one solver step, in parameter units. */
const SOLVER_STEP = 0.6;
const SOLVER_MAX_STEPS = 24;
/**
 * Long side of the thumbnail the grade is solved on. Colour statistics need few pixels, and
 * the solver simulates the grade on it about a hundred times per edit.
 */
const SOLVER_THUMBNAIL_SIZE = 21;
/** Finite-difference step for the Jacobian, in parameter units. */
const JACOBIAN_STEP = 0.02;

/**
 * Grades a picture toward the target emotion through colour and light only. Fast (one sharp
 * pipeline), deterministic for a seed, keeps size and format. See the module note.
 */
export class ToneRenderer implements Renderer {
  readonly name = 'tone';
  /** Faces, person and scene, and colour and light; colour and light only without the vision models. */
  readonly elements: readonly Element[];
  readonly options: Readonly<ResolvedOptions>;
  readonly #vision: VisionRuntime | undefined;

  constructor(options: ToneRendererOptions = {}) {
    const { vision, scene, ...rest } = options;
    const resolved: ResolvedOptions = { ...DEFAULTS, ...rest, scene: { ...SCENE_DEFAULTS, ...scene } };
    this.#vision = vision === false ? undefined : (vision ?? sharedVisionRuntime(options.logger));
    this.elements = this.#vision ? ['facial', 'scene', 'color'] : ['color'];
    requireRange('scene.personShare', resolved.scene.personShare, 0, 2, false);
    requireRange('scene.backgroundBoost', resolved.scene.backgroundBoost, 0, 3, false);
    requireRange('scene.atmosphere', resolved.scene.atmosphere, 0, 2, false);
    requireRange('scene.gradeWithAtmosphere', resolved.scene.gradeWithAtmosphere, 0, 1, false);
    requireRange('scene.openSmileBoost', resolved.scene.openSmileBoost, 1, 3, false);
    requireRange('jpegQuality', resolved.jpegQuality, 1, 100, true);
    requireRange('webpQuality', resolved.webpQuality, 1, 100, true);
    requireRange('pngCompressionLevel', resolved.pngCompressionLevel, 0, 9, true);
    requireRange('reach', resolved.reach, 0, 128, false);
    requireRange('decodeOnceMaxPixels', resolved.decodeOnceMaxPixels, 0, Number.MAX_SAFE_INTEGER, true);
    requireRange('timeoutSeconds', resolved.timeoutSeconds, 1, 3600, true);
    this.options = resolved;
  }

  async render(request: RenderRequest): Promise<RenderResult> {
    try {
      return await this.#render(request);
    } catch (cause) {
      if (cause instanceof Error && /^timeout/i.test(cause.message)) {
        throw new UserError(ErrorCode.RenderTimeout, { seconds: this.options.timeoutSeconds }, { cause });
      }
      throw cause;
    }
  }

  async #render(request: RenderRequest): Promise<RenderResult> {
    request.signal?.throwIfAborted();
    const wantsVision = request.plan.elements.includes('facial') || request.plan.elements.includes('scene');
    if (this.#vision && wantsVision) {
      const analysis = await this.#vision.tryAnalyse(request.image.bytes, 'the edit');
      request.signal?.throwIfAborted();
      if (analysis) return this.#renderWithVision(request, analysis);
    }
    const result = await this.#renderTone(request);
    // Faces were planned, but without the models none could be changed.
    return this.#vision && request.plan.elements.includes('facial') ? { ...result, faceNote: 'no-face' } : result;
  }

  /**
   * The vision path: warp the faces (facial), then grade the person and the background apart
   * (scene) or the whole picture (colour only), from one decode of the original.
   */
  async #renderWithVision(request: RenderRequest, analysis: VisionAnalysis): Promise<RenderResult> {
    const timeout = { seconds: this.options.timeoutSeconds };
    const steps = 3;
    const { image, plan } = request;
    const intensity = clampUnit(request.intensity);
    request.onProgress?.({ stage: 'rendering', step: 1, steps });
    const { data, info } = await sharp(image.bytes)
      .timeout(timeout)
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const key = thumbnailKey(image.bytes);
    const full =
      cachedThumbnail(key) ??
      (await thumbnailOfDecoded(
        key,
        { data, width: info.width, height: info.height, channels: info.channels },
        image.bytes,
      ));
    const pixels: RawPixels = {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: info.channels,
    };
    let openSmiles = 0;
    let faceNote: FaceNote | undefined;
    if (plan.elements.includes('facial')) {
      const faces = acceptedFaces(gateFaces(analysis.faces, analysis, this.options.faceGate));
      const warp = await warpFaces(pixels, faces, plan.target, intensity, request.seed, this.options.faceWarp);
      openSmiles = EMOTION_TABLE[plan.target].valence === 'negative' ? warp.openSmiles : 0;
      faceNote = warp.warped === 0 ? 'no-face' : openSmiles > 0 ? 'open-smile' : undefined;
      this.options.logger?.info(
        {
          faces: analysis.faces.length,
          warped: warp.warped,
          openSmiles,
          refused: gateFaces(analysis.faces, analysis, this.options.faceGate).flatMap((g) =>
            g.refusal ? [g.refusal] : [],
          ),
        },
        'facial edit',
      );
    }
    request.onProgress?.({ stage: 'rendering', step: 2, steps });
    request.signal?.throwIfAborted();
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
    const source = () => sharp(data, raw).timeout(timeout);
    const colour = plan.elements.includes('color') || plan.elements.includes('scene');
    const boost = openSmiles > 0 ? this.options.scene.openSmileBoost : 1;
    const split = plan.elements.includes('scene') && analysis.personMask !== undefined && info.channels === 3;
    const wantsAtmosphere = plan.elements.includes('scene') && info.channels === 3 && this.options.scene.atmosphere > 0;
    // The person mask at the picture's size, once, for the split grade and the atmosphere.
    const person =
      (split || wantsAtmosphere) && analysis.personMask
        ? await fullSizeMask(analysis.personMask, info.width, info.height, timeout)
        : undefined;
    const rgb = { data: pixels.data, width: info.width, height: info.height, channels: 3 };
    // Started now, so that sharp makes the small copies while the probes and the grades are
    // solved here (the atmosphere's intensity and the grade are only needed to draw it).
    const subject = wantsAtmosphere
      ? subjectOf(
          acceptedFaces(gateFaces(analysis.faces, analysis, this.options.faceGate)),
          person,
          info.width,
          info.height,
        )
      : undefined;
    const preparing = wantsAtmosphere
      ? prepareAtmosphere({
          pixels: rgb,
          ...(person ? { person } : {}),
          ...(subject ? { subject } : {}),
          target: plan.target,
          seed: request.seed,
        })
      : undefined;
    const thumbMasking = split
      ? sharp(analysis.personMask!.alpha, {
          raw: { width: analysis.personMask!.width, height: analysis.personMask!.height, channels: 1 },
        })
          .resize(
            shrinkThumbnail(full, SOLVER_THUMBNAIL_SIZE).width,
            shrinkThumbnail(full, SOLVER_THUMBNAIL_SIZE).height,
            { fit: 'fill' },
          )
          .extractChannel(0)
          .raw()
          .toBuffer()
      : undefined;
    // Awaited below, or not at all (no atmosphere, a single grade): not an unhandled rejection then.
    preparing?.catch(() => undefined);
    thumbMasking?.catch(() => undefined);
    // The scene's atmosphere, and how much of it the colour allows (see atmosphereScale).
    let atmosphere: { scale: number } | undefined;
    if (wantsAtmosphere) {
      const probes = ATMOSPHERE_PROBE_INTENSITIES.map((probe) => ({
        intensity: probe,
        reference: solveGrade(
          shrinkThumbnail(full, SOLVER_THUMBNAIL_SIZE),
          plan.target,
          probe * this.options.scene.gradeWithAtmosphere,
          request.seed,
          {
            reach: this.options.reach,
            vignette: false,
          },
        ),
      }));
      const scale = await atmosphereScale(
        full,
        probes,
        analysis.personMask,
        subject,
        info,
        plan.target,
        request.seed,
        timeout,
      );
      if (scale > 0) atmosphere = { scale };
    }
    // With the atmosphere, the grade is gentler (the two would otherwise fight over brightness,
    // so that "more" could change the picture less).
    const gradeIntensity = intensity * (atmosphere ? this.options.scene.gradeWithAtmosphere : 1);
    // The colour grade: one for the whole picture, or the person's and the background's apart.
    let grade: { background: ToneGrade; person: ToneGrade } | undefined;
    if (colour) {
      const thumb = shrinkThumbnail(full, SOLVER_THUMBNAIL_SIZE);
      const wholeGrade = () => solveGrade(thumb, plan.target, gradeIntensity * boost, request.seed, this.options);
      if (!split) {
        const whole = wholeGrade();
        grade = { background: whole, person: whole };
      } else {
        const scene = this.options.scene;
        const backgroundGrade = solveGrade(
          thumb,
          plan.target,
          gradeIntensity * boost * scene.backgroundBoost,
          request.seed,
          {
            reach: this.options.reach,
            vignette: this.options.vignette || LOW_KEY_TARGETS.has(plan.target),
          },
        );
        const personGrade = solveGrade(thumb, plan.target, gradeIntensity * boost * scene.personShare, request.seed, {
          reach: this.options.reach,
          vignette: false,
        });
        const whole = wholeGrade();
        const thumbMask = await thumbMasking!;
        // Grading the person and the background apart changes the picture's contrast and mix; on
        // a picture that is mostly person it can read less like the target than one grade would.
        // Then the one grade it is.
        grade = splitReadsAsTarget(thumb, personGrade, backgroundGrade, thumbMask, plan.target, whole)
          ? { background: backgroundGrade, person: personGrade }
          : { background: whole, person: whole };
      }
    }
    const pixelGrade = grade && { background: pixelGradeOf(grade.background), person: pixelGradeOf(grade.person) };
    let graded: Sharp;
    if (atmosphere) {
      // The grade, then the light and the air of the scene (atmosphere.ts), in one pass over the pixels.
      request.signal?.throwIfAborted();
      await drawAtmosphere(
        await preparing!,
        rgb,
        Math.min(1, intensity * boost * this.options.scene.atmosphere) * atmosphere.scale,
        pixelGrade,
      );
      graded = source();
    } else if (grade && grade.person !== grade.background) {
      // The person and the background graded apart, mixed by the mask, in one pass.
      await gradePixels(rgb, person, pixelGrade!);
      graded = source();
    } else if (grade) {
      graded = await applyGrade(source(), grade.background, image, info.channels);
    } else {
      graded = source();
    }
    const { data: bytes, info: out } = await encode(graded, image.format, this.options).toBuffer({
      resolveWithObject: true,
    });
    request.onProgress?.({ stage: 'rendering', step: 3, steps });
    return { bytes, format: image.format, width: out.width, height: out.height, ...(faceNote ? { faceNote } : {}) };
  }

  async #renderTone(request: RenderRequest): Promise<RenderResult> {
    const timeout = { seconds: this.options.timeoutSeconds };
    const steps = 2;
    request.onProgress?.({ stage: 'rendering', step: 1, steps });
    const { image, plan } = request;
    const key = thumbnailKey(image.bytes);
    let full = cachedThumbnail(key);
    let source: Sharp;
    if (!full && image.width * image.height <= this.options.decodeOnceMaxPixels) {
      // Nobody has read this picture yet: decode it once, take the thumbnail from the decoded
      // pixels, and grade those same pixels, rather than decode the file twice.
      const { data, info } = await sharp(image.bytes)
        .timeout(timeout)
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      const decoded = { data, width: info.width, height: info.height, channels: info.channels };
      full = await thumbnailOfDecoded(key, decoded, image.bytes);
      source = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).timeout(
        timeout,
      );
    } else {
      full ??= await thumbnailOf(image.bytes, key);
      source = sharp(image.bytes).timeout(timeout);
    }
    request.signal?.throwIfAborted();
    const grade = solveGrade(
      shrinkThumbnail(full, SOLVER_THUMBNAIL_SIZE),
      plan.target,
      clampUnit(request.intensity),
      request.seed,
      this.options,
    );
    const { data, info } = await encode(
      await applyGrade(source, grade, image, full.channels),
      image.format,
      this.options,
    ).toBuffer({
      resolveWithObject: true,
    });
    request.onProgress?.({ stage: 'rendering', step: 2, steps });
    return { bytes: data, format: image.format, width: info.width, height: info.height };
  }
}

/**
 * The grade for a target and intensity. It walks the five parameters in small steps; each step
 * goes where, according to the thumbnail's response to each parameter (a Jacobian measured by
 * simulation), the target's score rises most against its closest rival (max-margin), or where
 * its probability rises fastest when no step can beat every rival; a step that would lower the
 * target's probability (clipping) is shortened. It stops when the thumbnail's pixels have changed
 * by `reach × intensity` levels on average, or, when no step helps any more, at the farthest
 * point of the walk. The path does not depend on the intensity, only where it stops, so a higher
 * intensity goes at least as far.
 */
export function solveGrade(
  thumbnail: Thumbnail,
  target: Emotion,
  intensity: number,
  seed: number,
  options: Pick<Required<ToneRendererOptions>, 'reach' | 'vignette'>,
): ToneGrade {
  const random = mulberry32(seed);
  const vignetteCentre: [number, number] = [0.5 + (random() - 0.5) * 0.08, 0.5 + (random() - 0.5) * 0.08];
  // The seed's touch: a slightly longer or shorter stride along the path, so another seed lands
  // on a barely different grade that still raises the target.
  const stride = SOLVER_STEP * (0.85 + 0.3 * random());
  const vignette = options.vignette && EMOTION_TABLE[target].valence === 'negative' ? 0.3 * intensity : 0;
  const grade = (params: number[]) => gradeOf(params, vignette, vignetteCentre);
  const simulate = (params: number[]) => simulateGrade(thumbnail, grade(params));
  const targetLogProbability = (z: StandardTone) => {
    const scores = toneScores(z);
    const top = Math.max(...EMOTIONS.map((e) => scores[e]));
    return scores[target] - top - Math.log(EMOTIONS.reduce((sum, e) => sum + Math.exp(scores[e] - top), 0));
  };

  const budget = options.reach * intensity;
  const gradients = scoreGradients();
  let params = [0, 0, 0, 0, 0];
  const start = simulate(params);
  let here = standardiseTone(start.tone);
  let hereScore = targetLogProbability(here);
  let previous: number[] | undefined;
  // Where the walk has changed the picture most so far. Every point it accepts reads more like
  // the target than the one before; if it ends short of the budget, it ends at the farthest.
  let farthest = { params, moved: start.moved };
  let reachedBudget = false;
  for (let step = 0; step < SOLVER_MAX_STEPS && budget > 0; step++) {
    const jacobian = PARAMETER_UNITS.map((_, j) => {
      const nudged = params.map((p, i) => (i === j ? p + JACOBIAN_STEP : p));
      const there = standardiseTone(simulate(nudged).tone);
      return TONE_FEATURE_NAMES.map((name) => (there[name] - here[name]) / JACOBIAN_STEP);
    });
    const direction = stepDirection(jacobian, gradients, target, here, previous);
    if (!direction) break;
    previous = direction;
    // The direction is right for a small step; clipping can make a full one overshoot. Shorten
    // the step until the target reads at least as strongly as before, or stop the walk here.
    let length = stride;
    let next = clampParameters(params.map((p, i) => p + length * direction[i]!));
    let after = simulate(next);
    let afterTone = standardiseTone(after.tone);
    for (let tries = 0; targetLogProbability(afterTone) < hereScore && tries < 4; tries++) {
      length /= 2;
      next = clampParameters(params.map((p, i) => p + length * direction[i]!));
      after = simulate(next);
      afterTone = standardiseTone(after.tone);
    }
    if (targetLogProbability(afterTone) < hereScore) break;
    if (after.moved >= budget) {
      // Land on the budget: bisect the last step.
      let [low, high] = [0, 1];
      for (let k = 0; k < 5; k++) {
        const mid = (low + high) / 2;
        if (simulate(params.map((p, i) => p + mid * (next[i]! - p))).moved >= budget) high = mid;
        else low = mid;
      }
      params = params.map((p, i) => p + high * (next[i]! - p));
      reachedBudget = true;
      break;
    }
    if (next.every((p, i) => p === params[i])) break;
    params = next;
    here = afterTone;
    hereScore = targetLogProbability(here);
    if (after.moved > farthest.moved) farthest = { params, moved: after.moved };
  }
  return grade(reachedBudget ? params : farthest.params);
}

/** A grade as the atmosphere's pass does it: out = shade × (contrast × M × in) + base, on 0–255. */
function pixelGradeOf(grade: ToneGrade): PixelGrade {
  const m = saturationMatrix(grade.saturation);
  const c = grade.contrast;
  const offsets = channelOffsets(grade);
  return {
    matrix: m.flatMap((row) => row.map((x) => c * x)),
    offset: offsets.map((o) => 127.5 * (1 - c) + 255 * o) as [number, number, number],
    vignette: grade.vignette,
    centre: grade.vignetteCentre,
  };
}

/** Parameters (in their units) to a grade. */
function gradeOf(params: readonly number[], vignette: number, vignetteCentre: [number, number]): ToneGrade {
  const [exposure, logContrast, logSaturation, warmth, tint] = params.map((p, i) => p * PARAMETER_UNITS[i]!) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    exposure,
    contrast: Math.exp(logContrast),
    saturation: Math.exp(logSaturation),
    warmth,
    tint,
    vignette,
    vignetteCentre,
  };
}

function clampParameters(params: readonly number[]): number[] {
  return params.map((p, i) =>
    clamp(p, PARAMETER_LIMITS[i]![0] / PARAMETER_UNITS[i]!, PARAMETER_LIMITS[i]![1] / PARAMETER_UNITS[i]!),
  );
}

/**
 * Each emotion's tone score gradient in standardised statistics. The scores are linear in the
 * statistics up to a term shared by every emotion, so differences of these are exact.
 */
function scoreGradients(): Record<Emotion, number[]> {
  const zero = Object.fromEntries(TONE_FEATURE_NAMES.map((name) => [name, 0])) as StandardTone;
  const base = toneScores(zero);
  const gradient = {} as Record<Emotion, number[]>;
  for (const emotion of EMOTIONS) {
    gradient[emotion] = TONE_FEATURE_NAMES.map((name) => toneScores({ ...zero, [name]: 1 })[emotion] - base[emotion]);
  }
  return gradient;
}

/**
 * The unit step in parameters that raises the target's score most against its closest rival,
 * or, when no step beats every rival, the steepest rise of its probability. Undefined when the
 * picture does not respond (a flat thumbnail).
 */
function stepDirection(
  jacobian: number[][],
  gradients: Record<Emotion, number[]>,
  target: Emotion,
  here: StandardTone,
  previous?: readonly number[],
): number[] | undefined {
  // Chain rule: a score's gradient in parameters is Jᵀ × its gradient in statistics.
  const inParameters = (g: readonly number[]) =>
    jacobian.map((column) => column.reduce((sum, x, i) => sum + x * g[i]!, 0));
  const margins = EMOTIONS.filter((other) => other !== target).map((other) =>
    inParameters(gradients[target].map((g, i) => g - gradients[other][i]!)),
  );
  const unit = (v: number[]) => {
    const norm = Math.hypot(...v);
    return norm > 1e-9 ? v.map((x) => x / norm) : undefined;
  };
  const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
  let direction = previous
    ? [...previous]
    : unit(margins.reduce((sum, m) => sum.map((x, i) => x + m[i]!), [0, 0, 0, 0, 0]));
  if (direction) {
    // Subgradient ascent on the smallest margin, on the unit sphere (from the last step's direction, which is close).
    const iterations = previous ? 40 : 100;
    for (let k = 0; k < iterations; k++) {
      let worst = margins[0]!;
      let worstValue = Infinity;
      for (const m of margins) {
        const value = dot(m, direction);
        if (value < worstValue) [worst, worstValue] = [m, value];
      }
      direction = unit(direction.map((x, i) => x + (0.5 / Math.sqrt(k + 1)) * worst[i]!)) ?? direction;
    }
    if (Math.min(...margins.map((m) => dot(m, direction!))) > 0) return direction;
  }
  // No step beats every rival: follow the gradient of the target's log-probability instead.
  const scores = toneScores(here);
  const top = Math.max(...EMOTIONS.map((e) => scores[e]));
  const weights = EMOTIONS.map((e) => Math.exp(scores[e] - top));
  const total = weights.reduce((a, b) => a + b, 0);
  const expected = TONE_FEATURE_NAMES.map((_, i) =>
    EMOTIONS.reduce((sum, e, k) => sum + (weights[k]! / total) * gradients[e][i]!, 0),
  );
  return unit(inParameters(gradients[target].map((g, i) => g - expected[i]!)));
}

/**
 * Whether the person/background split of two grades reads at least as much like the target, on
 * the thumbnail, as the original does and as the single grade `whole` would at half strength.
 */
function splitReadsAsTarget(
  thumbnail: Thumbnail,
  person: ToneGrade,
  background: ToneGrade,
  mask: Uint8Array,
  target: Emotion,
  whole: ToneGrade,
): boolean {
  const { pixels, width, height } = thumbnail;
  const mixed = new Uint8Array(pixels.length);
  const gradePixel = (
    grade: ToneGrade,
    r: number,
    g: number,
    b: number,
    u: number,
    v: number,
  ): [number, number, number] => {
    const m = saturationMatrix(grade.saturation);
    const o = channelOffsets(grade);
    const scale = grade.contrast * vignetteShade(grade, u, v);
    return [0, 1, 2].map((k) =>
      toByte(scale * (m[k]![0]! * r + m[k]![1]! * g + m[k]![2]! * b) + 127.5 * (1 - grade.contrast) + 255 * o[k]!),
    ) as [number, number, number];
  };
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      const alpha = mask[y * width + x]! / 255;
      const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
      const p = gradePixel(person, r, g, b, (x + 0.5) / width, (y + 0.5) / height);
      const q = gradePixel(background, r, g, b, (x + 0.5) / width, (y + 0.5) / height);
      for (let k = 0; k < 3; k++) mixed[i + k] = Math.round(alpha * p[k]! + (1 - alpha) * q[k]!);
    }
  }
  const probability = (tone: ToneFeatures) => {
    const scores = toneScores(standardiseTone(tone));
    const top = Math.max(...EMOTIONS.map((e) => scores[e]));
    return Math.exp(scores[target] - top) / EMOTIONS.reduce((sum, e) => sum + Math.exp(scores[e] - top), 0);
  };
  const original = probability(toneOfPixels(pixels, 3));
  const split = probability(toneOfPixels(mixed, 3));
  const single = probability(simulateGrade(thumbnail, whole).tone);
  return split > original && split - original >= 0.5 * (single - original);
}

/** The thumbnail's pixels after a grade (as the pipeline grades them). */
function gradeThumbnail(thumbnail: Thumbnail, grade: ToneGrade): Buffer {
  const { pixels, width, height } = thumbnail;
  const out = Buffer.alloc(pixels.length);
  const m = saturationMatrix(grade.saturation);
  const o = channelOffsets(grade);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      const scale = grade.contrast * vignetteShade(grade, (x + 0.5) / width, (y + 0.5) / height);
      const [r, g, b] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
      for (let k = 0; k < 3; k++)
        out[i + k] = Math.round(
          toByte(scale * (m[k]![0]! * r + m[k]![1]! * g + m[k]![2]! * b) + 127.5 * (1 - grade.contrast) + 255 * o[k]!),
        );
    }
  }
  return out;
}

/** What a grade does to the thumbnail: its statistics after, and how far its pixels moved. */
export interface SimulatedGrade {
  tone: ToneFeatures;
  /** Mean absolute change of the pixels, in levels of 255. */
  moved: number;
}

/**
 * Grades the thumbnail as the pipeline grades the full picture (saturation matrix, vignette,
 * then contrast, exposure, white balance and tint, clipped to the 8-bit range), and
 * reads the result's statistics in the same pass. It runs about a hundred times per edit, so it
 * allocates nothing per pixel.
 */
export function simulateGrade(thumbnail: Thumbnail, grade: ToneGrade): SimulatedGrade {
  const { pixels, width, height } = thumbnail;
  const [[m00, m01, m02], [m10, m11, m12], [m20, m21, m22]] = saturationMatrix(grade.saturation);
  const [o0, o1, o2] = channelOffsets(grade);
  const c = grade.contrast;
  // out = c × (mixed × shade − 127.5) + 127.5 + 255 × offset = c × mixed × shade + base.
  const base0 = 127.5 * (1 - c) + 255 * o0;
  const base1 = 127.5 * (1 - c) + 255 * o1;
  const base2 = 127.5 * (1 - c) + 255 * o2;
  const vignetted = grade.vignette > 0;
  let luma = 0;
  let lumaSquared = 0;
  let chroma = 0;
  let warmth = 0;
  let tint = 0;
  let moved = 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      const scale = vignetted ? c * vignetteShade(grade, (x + 0.5) / width, (y + 0.5) / height) : c;
      const r = pixels[i]!;
      const g = pixels[i + 1]!;
      const b = pixels[i + 2]!;
      const R = toByte(scale * (m00 * r + m01 * g + m02 * b) + base0);
      const G = toByte(scale * (m10 * r + m11 * g + m12 * b) + base1);
      const B = toByte(scale * (m20 * r + m21 * g + m22 * b) + base2);
      moved += Math.abs(R - r) + Math.abs(G - g) + Math.abs(B - b);
      const l = 0.299 * R + 0.587 * G + 0.114 * B;
      luma += l;
      lumaSquared += l * l;
      chroma += (R > G ? (R > B ? R : B) : G > B ? G : B) - (R < G ? (R < B ? R : B) : G < B ? G : B);
      warmth += R - B;
      tint += G - (R + B) / 2;
    }
  }
  const count = Math.max(1, width * height);
  const brightness = luma / count / 255;
  return {
    tone: {
      brightness,
      saturation: chroma / count / 255,
      warmth: warmth / count / 255,
      contrast: Math.sqrt(Math.max(0, lumaSquared / count / 65025 - brightness * brightness)),
      tint: tint / count / 255,
    },
    moved: moved / (3 * count),
  };
}

/**
 * Clipped to [0, 255] like the pipeline's 8-bit output, but not rounded: the solver's Jacobian
 * takes differences of tiny steps, which rounding would drown.
 */
function toByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : value;
}

/**
 * The grade as sharp operations. The grade is affine (out = contrast × M × in + offsets). For an
 * opaque picture it runs as ONE 4 × 4 `recomb` over the picture joined with a constant band of
 * 255, which carries the offsets, the constant band being dropped again before encoding: one
 * pass over the pixels, like the floor's single `linear`. Otherwise (alpha, greyscale, or a
 * vignette) it runs as `recomb` (3 × 3) then `linear`, which keep alpha and leave room for the
 * composite.
 */
async function applyGrade(
  pipeline: Sharp,
  grade: ToneGrade,
  image: CheckedImage,
  channels: number | undefined,
): Promise<Sharp> {
  const offsets = channelOffsets(grade);
  const matrix = saturationMatrix(grade.saturation);
  const bases = offsets.map((offset) => 127.5 * (1 - grade.contrast) + 255 * offset);
  if (grade.vignette === 0 && channels === 3) {
    const c = grade.contrast;
    const row = (k: number): [number, number, number, number] => [
      c * matrix[k]![0]!,
      c * matrix[k]![1]!,
      c * matrix[k]![2]!,
      bases[k]! / 255,
    ];
    return pipeline
      .joinChannel(constantBand(image.width * image.height), {
        raw: { width: image.width, height: image.height, channels: 1 },
      })
      .recomb([row(0), row(1), row(2), [0, 0, 0, 1]])
      .removeAlpha();
  }
  pipeline = pipeline.recomb(matrix);
  if (grade.vignette > 0) {
    pipeline = pipeline.composite([
      {
        input: await vignetteMask(grade, image.width, image.height),
        raw: { width: image.width, height: image.height, channels: 1 },
        blend: 'multiply',
      },
    ]);
  }
  return pipeline.linear([grade.contrast, grade.contrast, grade.contrast], bases);
}

/**
 * The intensities at which {@link atmosphereScale} tries the grade and the atmosphere together: a
 * gentle and a strong one, since an atmosphere that helps gently can turn the colour the other
 * way when strong (rocket.jpg toward anger: a gentle red-orange, then only darkness).
 */
const ATMOSPHERE_PROBE_INTENSITIES = [0.4, 1];

/**
 * How much of the atmosphere to use (1, 0.6, 0.3 or 0): the most with which the original's
 * thumbnail, graded and lit at each of {@link ATMOSPHERE_PROBE_INTENSITIES} (each probe's
 * `reference`, the whole grade solved at that intensity), still reads more like the target, by its
 * colour, than the original does. A recipe that reads as the target to a person (a red-orange sky for anger) can,
 * on a bright picture, move the colour statistics the other way; then a gentler one, or none.
 * It does not depend on the edit's intensity, so "more" still changes the picture more than "less".
 */
async function atmosphereScale(
  original: Thumbnail,
  probes: ReadonlyArray<{ intensity: number; reference: ToneGrade }>,
  personMask: PersonMask | undefined,
  subject: Subject | undefined,
  picture: { width: number; height: number },
  target: Emotion,
  seed: number,
  timeout: { seconds: number },
): Promise<number> {
  const info = { width: original.width, height: original.height };
  // The person at the thumbnail's size, from the selfie mask softened as the full-size one is.
  const smallPerson = personMask
    ? resizeSmall(await softMask(personMask, timeout), personMask.width, personMask.height, 1, info.width, info.height)
    : undefined;
  const ratio = info.width / picture.width;
  const smallSubject = subject
    ? { centre: [subject.centre[0] * ratio, subject.centre[1] * ratio] as [number, number], size: subject.size * ratio }
    : undefined;
  // The tone estimator's own reading of the colour (a softmax over the eight emotions).
  const probability = (pixels: Uint8Array) => distributionOfTone(toneOfPixels(pixels, 3))[target];
  const before = probability(original.pixels);
  // Prepared once (the small maps, the person's, the light's direction), drawn for each probe
  // and scale, the probe's grade done in the same pass.
  const prepared = await prepareAtmosphere({
    pixels: { data: original.pixels, width: info.width, height: info.height, channels: 3 },
    ...(smallPerson ? { person: smallPerson } : {}),
    ...(smallSubject ? { subject: smallSubject } : {}),
    target,
    seed,
  });
  const looks = new Map(
    probes.map((probe) => {
      const grade = pixelGradeOf(probe.reference);
      return [
        probe,
        { grade: { background: grade, person: grade }, graded: probability(gradeThumbnail(original, probe.reference)) },
      ] as const;
    }),
  );
  const passes = async (scale: number, probe: { intensity: number; reference: ToneGrade }): Promise<boolean> => {
    // Each probe is quick, but up to six run back to back: other chats get a turn between them.
    await new Promise((resolve) => setImmediate(resolve));
    const { grade, graded } = looks.get(probe)!;
    const copy = Uint8Array.from(original.pixels);
    await drawAtmosphere(
      prepared,
      { data: copy, width: info.width, height: info.height, channels: 3 },
      probe.intensity * scale,
      grade,
      async () => {},
    );
    // With room to spare (the full-size picture is graded apart and lit a little differently
    // from the thumbnail): it keeps at least half of what the grade alone gains.
    const lit = probability(copy);
    return lit > before + 0.5 * Math.max(0, graded - before) && lit > before * 1.15;
  };
  for (const scale of [1, 0.6, 0.3]) {
    let all = true;
    for (const probe of probes) {
      all = await passes(scale, probe);
      if (!all) break;
    }
    if (all) return scale;
  }
  return 0;
}

/**
 * Where the light falls: the faces (their mean centre, the largest face's height), else the
 * person mask's centre of mass, else nowhere in particular (undefined).
 */
function subjectOf(
  faces: readonly GatedFace[],
  person: Uint8Array | undefined,
  width: number,
  height: number,
): Subject | undefined {
  if (faces.length > 0) {
    const centre: [number, number] = [0, 0];
    for (const { face } of faces) {
      centre[0] += (face.box.x + face.box.width / 2) / faces.length;
      centre[1] += (face.box.y + face.box.height / 2) / faces.length;
    }
    return { centre, size: Math.max(...faces.map(({ face }) => face.box.height)) };
  }
  if (!person) return undefined;
  let [sum, sx, sy] = [0, 0, 0];
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / 40_000)));
  for (let y = 0; y < height; y += step) {
    for (let x = 0; x < width; x += step) {
      const m = person[y * width + x]!;
      sum += m;
      sx += m * x;
      sy += m * y;
    }
  }
  const share = (sum * step * step) / 255 / (width * height);
  if (share < 0.02) return undefined;
  return { centre: [sx / sum, sy / sum], size: Math.sqrt(share * width * height) };
}

/** Pictures up to this many pixels share one kept band of 255s; larger ones get their own. */
const SHARED_BAND_MAX_PIXELS = 16_000_000;
let sharedBand = Buffer.alloc(0);

/** `pixels` bytes of 255, read-only: the constant band of the single-recomb path. */
function constantBand(pixels: number): Buffer {
  if (pixels > SHARED_BAND_MAX_PIXELS) return Buffer.alloc(pixels, 255);
  if (sharedBand.length < pixels) sharedBand = Buffer.alloc(Math.max(pixels, 1 << 20), 255);
  return sharedBand.subarray(0, pixels);
}

/** The selfie masks softened (see {@link fullSizeMask}), per mask: more, less and retries reuse them. */
const softMasks = new WeakMap<PersonMask, Promise<Buffer>>();

function softMask(mask: PersonMask, timeout: { seconds: number }): Promise<Buffer> {
  let soft = softMasks.get(mask);
  if (!soft) {
    soft = sharp(mask.alpha, { raw: { width: mask.width, height: mask.height, channels: 1 } })
      .timeout(timeout)
      .blur(1.2)
      .extractChannel(0)
      .raw()
      .toBuffer();
    softMasks.set(mask, soft);
    soft.catch(() => softMasks.delete(mask));
  }
  return soft;
}

/**
 * The selfie mask (256 × 256) at the picture's size, softened so the person's edge blends, and
 * enlarged bilinearly (pixel centres aligned) a row at a time, letting the event loop run
 * between bands of rows (a 12-megapixel mask takes tens of milliseconds).
 */
async function fullSizeMask(
  mask: PersonMask,
  width: number,
  height: number,
  timeout: { seconds: number },
): Promise<Uint8Array> {
  const soft = await softMask(mask, timeout);
  const { width: mw, height: mh } = mask;
  const out = new Uint8Array(width * height);
  const left = new Int32Array(width);
  const weight = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const sx = Math.min(mw - 1, Math.max(0, ((x + 0.5) * mw) / width - 0.5));
    left[x] = Math.max(0, Math.min(mw - 2, Math.floor(sx)));
    weight[x] = sx - left[x]!;
  }
  const row = new Float32Array(mw);
  const clamped = new Uint8ClampedArray(out.buffer);
  const rowsPerTick = Math.max(16, Math.floor(1_048_576 / width));
  for (let y = 0; y < height; y++) {
    if (y % rowsPerTick === rowsPerTick - 1) await new Promise((resolve) => setImmediate(resolve));
    const sy = Math.min(mh - 1, Math.max(0, ((y + 0.5) * mh) / height - 0.5));
    const y0 = Math.max(0, Math.min(mh - 2, Math.floor(sy)));
    const t = sy - y0;
    for (let j = 0; j < mw; j++) row[j] = soft[y0 * mw + j]! + (soft[(y0 + 1) * mw + j]! - soft[y0 * mw + j]!) * t;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      const l = left[x]!;
      clamped[i] = row[l]! + (row[l + 1]! - row[l]!) * weight[x]!;
    }
  }
  return out;
}

function encode(
  pipeline: Sharp,
  format: OutputFormat,
  options: Pick<ResolvedOptions, 'jpegQuality' | 'webpQuality' | 'pngCompressionLevel' | 'pngAdaptiveFiltering'>,
): Sharp {
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality: options.jpegQuality });
    case 'webp':
      return pipeline.webp({ quality: options.webpQuality });
    case 'png':
      return pipeline.png({
        compressionLevel: options.pngCompressionLevel,
        adaptiveFiltering: options.pngAdaptiveFiltering,
      });
  }
}

/** A saturation change that keeps Rec. 601 luma: (1 − s) × luma + s × colour. */
function saturationMatrix(s: number): [[number, number, number], [number, number, number], [number, number, number]] {
  const luma = [0.299, 0.587, 0.114];
  const row = (c: number): [number, number, number] =>
    [0, 1, 2].map((k) => (1 - s) * luma[k]! + (k === c ? s : 0)) as [number, number, number];
  return [row(0), row(1), row(2)];
}

/** Per-channel offsets (R, G, B) for exposure, warmth (R − B) and tint (G − (R + B) / 2). */
function channelOffsets(grade: ToneGrade): [number, number, number] {
  return [
    grade.exposure + grade.warmth / 2 - grade.tint / 3,
    grade.exposure + (2 * grade.tint) / 3,
    grade.exposure - grade.warmth / 2 - grade.tint / 3,
  ];
}

/** 1 in the middle, down to 1 − vignette in the far corners. */
function vignetteShade(grade: ToneGrade, u: number, v: number): number {
  if (grade.vignette <= 0) return 1;
  const dx = (u - grade.vignetteCentre[0]) / 0.75;
  const dy = (v - grade.vignetteCentre[1]) / 0.75;
  const distance = Math.min(1, dx * dx + dy * dy);
  return 1 - grade.vignette * distance * distance;
}

/** The vignette as a full-size single-channel mask, drawn at 32 × 32 and enlarged smoothly. */
async function vignetteMask(grade: ToneGrade, width: number, height: number): Promise<Buffer> {
  const size = 32;
  const small = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++)
      small[y * size + x] = Math.round(255 * vignetteShade(grade, x / (size - 1), y / (size - 1)));
  }
  return (
    sharp(small, { raw: { width: size, height: size, channels: 1 } })
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      // One band: without this, libvips hands back the resized mask as sRGB (three bands), and
      // reading it as one band stripes the picture.
      .extractChannel(0)
      .raw()
      .toBuffer()
  );
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function clampUnit(intensity: number): number {
  return Number.isFinite(intensity) ? clamp(intensity, 0, 1) : 0.6;
}

function requireRange(name: string, value: number, low: number, high: number, integer: boolean): void {
  if (!Number.isFinite(value) || value < low || value > high || (integer && !Number.isInteger(value))) {
    throw new RangeError(
      `ToneRenderer option ${name} must be ${integer ? 'an integer ' : 'a number '}from ${low} to ${high}, got ${value}.`,
    );
  }
}
