/**
 * @module Scene atmosphere: per-emotion light and weather over the picture, strongest on the
 * background and the sky, mild on the person so skin keeps natural tones.
 *
 * The colour grade (`tone-renderer.ts`) moves five global statistics; people read a mood from
 * the light itself: where it falls, what colour it is, whether the air is clear or foggy. Each
 * target has an {@link ATMOSPHERES} recipe, after the lighting conventions of film and
 * photography:
 *
 * | target | light | air and sky |
 * | --- | --- | --- |
 * | fear | low-key: a small pool of cold blue side light on the subject, the rest falls into the dark (deep vignette), hard contrast; colours kept (drained, the picture reads as sadness) | sky to a deep cold blue |
 * | sadness | flat, dim, cool | cool grey fog, thicker higher up and far away; overcast sky; colours drained |
 * | anger | harsh red-orange side light, hard contrast, crushed shadows | sky to a burning red-orange |
 * | disgust | dim, murky, sickly yellow-green cast | grime (blotchy dark mottling), bilious sky |
 * | awe | golden light from above, glow (bloom) around the highlights | luminous golden sky |
 * | contentment | soft golden light, gentle glow, soft contrast | warm sky |
 * | excitement | vivid, punchy: saturated, hard, bright | deep saturated sky |
 * | amusement | bright, cheerful, warm | bright clear sky |
 *
 * The sky is estimated on a small copy ({@link estimateSky}): not the person, high in the
 * picture, sky-coloured (blue, bright grey or white, or sunset warm and bright), smooth (low
 * local gradient), and connected to the top edge through such pixels.
 *
 * Intensity scales every parameter from no change (so "more" and "less" scale the same edit,
 * always from the original). The seed picks the side the light comes from and jitters its
 * angle, the vignette's centre, the fog's density and the grime's pattern, so "try again" is a
 * visibly different variant and the same seed gives the same bytes.
 */
import sharp from 'sharp';
import type { Emotion } from '../emotions.ts';
import type { RawPixels } from './face-warp.ts';
import { mulberry32 } from './seeded-random.ts';

type Rgb = readonly [number, number, number];

/** One target's atmosphere at intensity 1. Multipliers are 1 and amounts 0 for "no change". */
export interface Atmosphere {
  /** Brightness multiplier of the background and of the person. */
  exposure: [background: number, person: number];
  /** Saturation multiplier about luma. */
  saturation: [background: number, person: number];
  /** Contrast slope about `pivot`. */
  contrast: [background: number, person: number];
  /** Black point pulled down (crushed shadows), 0–0.3 of the range. */
  crush: number;
  /** Colour of the light (channel multipliers) on the background and on the person. */
  cast: [background: Rgb, person: Rgb];
  /** Fog: its colour (0–1) and how much of it lies over the background, the sky and the person. */
  fog?: { colour: Rgb; background: number; sky: number; person: number };
  /** The sky turned toward this colour (0–1), keeping its own light and dark, by this much. */
  sky?: { colour: Rgb; amount: number };
  /**
   * The light's pool: outside a circle around the subject the picture darkens by `depth`
   * (a vignette, on the person at `personShare` of it); `radius` is a share of the picture's
   * diagonal.
   */
  pool?: { depth: number; radius: number; personShare: number };
  /** Side light: brighter on the lit side, darker on the other, by ± `strength`; `angle` in degrees from the right, downward positive (mirrored by the seed). */
  sideLight?: { strength: number; angle: number };
  /** Bloom around the highlights, in its colour. */
  glow?: { amount: number; colour: Rgb };
  /** Blotchy dark mottling of the background (grime), in its colour. */
  grime?: { amount: number; colour: Rgb };
}

/** The recipes; amplitudes are this project's, set by eye on the shared pictures. */
export const ATMOSPHERES: Readonly<Record<Emotion, Atmosphere>> = {
  fear: {
    exposure: [0.88, 0.95],
    saturation: [1.05, 0.92],
    contrast: [1.5, 1.22],
    crush: 0.05,
    cast: [
      [0.76, 0.97, 1.2],
      [0.93, 1, 1.06],
    ],
    sky: { colour: [0.12, 0.22, 0.38], amount: 0.6 },
    pool: { depth: 0.85, radius: 0.08, personShare: 0.7 },
    sideLight: { strength: 0.45, angle: 20 },
  },
  sadness: {
    exposure: [0.9, 0.97],
    saturation: [0.4, 0.85],
    contrast: [0.72, 0.95],
    crush: 0,
    cast: [
      [0.93, 0.98, 1.08],
      [0.98, 0.99, 1.02],
    ],
    fog: { colour: [0.58, 0.63, 0.7], background: 0.42, sky: 0.55, person: 0.04 },
    sky: { colour: [0.7, 0.72, 0.75], amount: 0.8 },
    pool: { depth: 0.2, radius: 0.35, personShare: 0.3 },
  },
  anger: {
    exposure: [0.78, 0.95],
    saturation: [1.25, 1],
    contrast: [1.45, 1.12],
    crush: 0.1,
    cast: [
      [1.25, 0.8, 0.58],
      [1.05, 0.98, 0.93],
    ],
    sky: { colour: [0.7, 0.2, 0.06], amount: 0.75 },
    pool: { depth: 0.45, radius: 0.3, personShare: 0.35 },
    sideLight: { strength: 0.25, angle: 10 },
  },
  disgust: {
    exposure: [0.85, 0.95],
    saturation: [0.7, 0.88],
    contrast: [0.88, 0.95],
    crush: 0.02,
    cast: [
      [0.96, 1.06, 0.68],
      [0.98, 1.03, 0.88],
    ],
    sky: { colour: [0.68, 0.7, 0.45], amount: 0.65 },
    grime: { amount: 0.4, colour: [0.3, 0.3, 0.12] },
    pool: { depth: 0.3, radius: 0.32, personShare: 0.3 },
  },
  awe: {
    exposure: [1.06, 1.03],
    saturation: [1.2, 1.02],
    contrast: [1.18, 1.04],
    crush: 0,
    cast: [
      [1.12, 1.02, 0.8],
      [1.05, 1.01, 0.93],
    ],
    sky: { colour: [1, 0.78, 0.45], amount: 0.55 },
    glow: { amount: 0.4, colour: [1, 0.86, 0.6] },
    sideLight: { strength: 0.15, angle: -60 },
  },
  contentment: {
    exposure: [1.06, 1.03],
    saturation: [1.05, 1],
    contrast: [0.9, 0.95],
    crush: 0,
    cast: [
      [1.1, 1.02, 0.84],
      [1.04, 1.01, 0.95],
    ],
    sky: { colour: [1, 0.85, 0.66], amount: 0.35 },
    glow: { amount: 0.3, colour: [1, 0.9, 0.72] },
    sideLight: { strength: 0.1, angle: -40 },
  },
  excitement: {
    exposure: [1.06, 1.03],
    saturation: [1.7, 1.18],
    contrast: [1.3, 1.12],
    crush: 0.03,
    cast: [
      [1.06, 1, 0.96],
      [1.03, 1, 0.98],
    ],
    sky: { colour: [0.1, 0.42, 0.95], amount: 0.45 },
    glow: { amount: 0.15, colour: [1, 0.95, 0.85] },
  },
  amusement: {
    exposure: [1.12, 1.06],
    saturation: [1.3, 1.08],
    contrast: [1.05, 1],
    crush: 0,
    cast: [
      [1.06, 1.02, 0.94],
      [1.03, 1.01, 0.98],
    ],
    sky: { colour: [0.45, 0.72, 1], amount: 0.4 },
    glow: { amount: 0.12, colour: [1, 0.96, 0.88] },
  },
};

/** Where the subject is: the faces, or else the person's centre of mass. */
export interface Subject {
  /** Centre, in picture pixels. */
  centre: [number, number];
  /** Rough size (a face's height, or the person's), in pixels. */
  size: number;
}

export interface AtmosphereInput {
  /** RGB pixels (3 channels), edited in place. */
  pixels: RawPixels;
  /** The person mask at the picture's size, 0–255 (undefined: no person). */
  person?: Uint8Array;
  /** The subject the light falls on; undefined lights the picture's centre. */
  subject?: Subject;
  target: Emotion;
  /** 0–1. */
  intensity: number;
  seed: number;
  /**
   * A colour grade to apply first, in the same pass over the pixels (`pixels` are then the
   * ungraded picture): the person's grade where the mask is 255, the background's where it is 0,
   * mixed between. The small copies the sky and the glow are read from are graded the same way.
   */
  grade?: { background: PixelGrade; person: PixelGrade };
}

/**
 * An affine colour grade on 0–255 values: `out = shade × (matrix × in) + offset`, clipped to
 * 0–255, where `shade` is 1 in the middle and `1 − vignette` in the far corners
 * (1 − vignette × d⁴, d² the squared distance from `centre` over 0.75², at most 1).
 */
export interface PixelGrade {
  /** Row-major 3 × 3. */
  matrix: readonly number[];
  offset: readonly [number, number, number];
  vignette: number;
  /** Vignette centre as a fraction of width and height. */
  centre: readonly [number, number];
}

/** Field grid: the long side of the small maps (sky, light, grime) drawn before enlarging. */
const FIELD_SIZE = 96;

/**
 * Applies the target's atmosphere (see the module note), after `input.grade` when given.
 * Deterministic for a seed.
 */
export async function applyAtmosphere(
  input: AtmosphereInput,
  tick: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
): Promise<void> {
  const { pixels, grade, intensity, ...rest } = input;
  if (pixels.channels !== 3) throw new RangeError(`applyAtmosphere works on RGB, got ${pixels.channels} channels`);
  if (Math.max(0, Math.min(1, intensity)) === 0) {
    if (grade) await gradePixels(pixels, input.person, grade, tick);
    return;
  }
  await drawAtmosphere(await prepareAtmosphere({ ...rest, pixels }), pixels, intensity, grade, tick);
}

/**
 * What the atmosphere of one picture needs that depends neither on the intensity nor on the
 * grade (the small copy, the person's maps, the light's direction, the grime), so that it can be
 * drawn at several intensities and after several grades (the probes in `tone-renderer.ts`).
 */
export interface PreparedAtmosphere {
  target: Emotion;
  width: number;
  height: number;
  person: Uint8Array | undefined;
  /** Size of the small maps. */
  fw: number;
  fh: number;
  /** The ungraded picture at the maps' size. */
  small: Uint8Array;
  smallPerson: Uint8Array | undefined;
  lightMask: Uint8Array | undefined;
  grime: Float32Array | undefined;
  light: [number, number];
  centre: [number, number];
  subjectRadius: number;
  diagonal: number;
  fogDensity: number;
  /** The graded small copy and its sky, per grade (the key `none` without one). */
  looks: WeakMap<object, { small: Uint8Array; sky: Float32Array }>;
}

const NO_GRADE = {};

/** Prepares the atmosphere of `input.pixels` (which it reads, and does not change). */
export async function prepareAtmosphere(
  input: Omit<AtmosphereInput, 'intensity' | 'grade'>,
): Promise<PreparedAtmosphere> {
  const { pixels, person, target, seed } = input;
  const { data, width, height, channels } = pixels;
  if (channels !== 3) throw new RangeError(`applyAtmosphere works on RGB, got ${channels} channels`);
  const recipe = ATMOSPHERES[target];
  const random = mulberry32(seed ^ 0xa7305);
  const mirror = random() < 0.5 ? -1 : 1;
  const angle = ((recipe.sideLight?.angle ?? 0) + (random() - 0.5) * 30) * (Math.PI / 180);
  const light: [number, number] = [Math.cos(angle) * mirror, Math.sin(angle)];
  const jitter: [number, number] = [(random() - 0.5) * 0.12, (random() - 0.5) * 0.1];
  const fogDensity = 0.85 + 0.3 * random();
  const noiseSeed = Math.floor(random() * 2 ** 31);
  // The small maps: sky, light (pool and side light), grime; enlarged smoothly as they are read.
  const fw = width >= height ? FIELD_SIZE : Math.max(2, Math.round((FIELD_SIZE * width) / height));
  const fh = width >= height ? Math.max(2, Math.round((FIELD_SIZE * height) / width)) : FIELD_SIZE;
  // A small picture (the probes' thumbnail) has its maps resized here, not by sharp.
  const local = width * height <= JS_MAX_PIXELS;
  const [small, smallPerson] = await Promise.all([
    resized(data, width, height, 3, fw, fh, local),
    person ? resized(person, width, height, 1, fw, fh, local) : undefined,
  ]);
  const centre: [number, number] = input.subject
    ? [input.subject.centre[0] / width + jitter[0], input.subject.centre[1] / height + jitter[1]]
    : [0.5 + jitter[0], 0.42 + jitter[1]];
  const diagonal = Math.hypot(width, height);
  return {
    target,
    width,
    height,
    person,
    fw,
    fh,
    small,
    smallPerson,
    // The light does not stop at the person's outline (that leaves a bright rim where the mask
    // is soft): it follows a widely blurred copy of the mask.
    lightMask: smallPerson ? blurLocal(smallPerson, fw, fh, 1, Math.max(1, FIELD_SIZE / 30)) : undefined,
    grime: recipe.grime ? valueNoise(fw, fh, noiseSeed) : undefined,
    light,
    centre,
    subjectRadius: input.subject ? Math.max(input.subject.size / diagonal, 0.08) : 0.15,
    diagonal,
    fogDensity,
    looks: new WeakMap(),
  };
}

/**
 * Draws a prepared atmosphere over `pixels` (the picture it was prepared from, or a copy), in
 * place, at an intensity, after `grade` when given.
 */
export async function drawAtmosphere(
  prepared: PreparedAtmosphere,
  pixels: RawPixels,
  intensity: number,
  grade?: { background: PixelGrade; person: PixelGrade },
  tick: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
): Promise<void> {
  const { data, width, height } = pixels;
  const { target, fw, fh, person, smallPerson, lightMask, grime, light, centre, diagonal, subjectRadius, fogDensity } =
    prepared;
  const s = Math.max(0, Math.min(1, intensity));
  if (s === 0) {
    if (grade) await gradePixels(pixels, person, grade, tick);
    return;
  }
  const recipe = ATMOSPHERES[target];
  let look = prepared.looks.get(grade ?? NO_GRADE);
  if (!look) {
    // The small copy as the full picture will be graded (the grade is per pixel, so grading a
    // smaller copy differs only where the grade clips), and its sky.
    const small = Uint8Array.from(prepared.small);
    if (grade) gradeSmallCopy({ data: small, width: fw, height: fh, channels: 3 }, person, width, height, grade);
    look = { small, sky: estimateSky({ pixels: small, width: fw, height: fh }, smallPerson) };
    prepared.looks.set(grade ?? NO_GRADE, look);
  }
  const { small, sky } = look;
  const ease = (value: number) => 1 + (value - 1) * s;
  const [expB, expP] = recipe.exposure.map(ease) as [number, number];
  const poolPersonShare = recipe.pool?.personShare ?? 1;
  const field = Buffer.alloc(fw * fh * 3);
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const k = y * fw + x;
      const u = (x + 0.5) / fw;
      const v = (y + 0.5) / fh;
      const du = ((u - centre[0]) * width) / diagonal;
      const dv = ((v - centre[1]) * height) / diagonal;
      const distance = Math.sqrt(du * du + dv * dv);
      // Light, 0–255 around 128 = unchanged: the pool darkens away from the subject, the side
      // light brightens one side.
      let lit = 1;
      if (recipe.pool) {
        const inner = recipe.pool.radius + subjectRadius * 0.5;
        const t = smoothstep(inner, inner + 0.35, distance);
        lit *= 1 - recipe.pool.depth * s * t;
      }
      if (recipe.sideLight) {
        const along = (du * light[0] + dv * light[1]) / Math.max(subjectRadius * 2, 0.2);
        lit *= 1 + recipe.sideLight.strength * s * Math.max(-1, Math.min(1, along));
      }
      field[k * 3] = Math.round(sky[k]! * 255);
      const m = lightMask ? lightMask[k]! / 255 : 0;
      const relit = (1 + (lit - 1) * (1 + (poolPersonShare - 1) * m)) * (expB + (expP - expB) * m);
      field[k * 3 + 1] = Math.max(0, Math.min(255, Math.round(relit * 128)));
      field[k * 3 + 2] = grime ? Math.round(grime[k]! * 255) : 0;
    }
  }
  // A blur hides the grid; the per-pixel pass enlarges the maps bilinearly as it reads them.
  const maps = smallMap(blurLocal(field, fw, fh, 3, 1), fw, fh, width);
  // Glow: the highlights, blurred wide on a small copy, enlarged the same way.
  let glow: SmallMap | undefined;
  if (recipe.glow) {
    const copy = Uint8Array.from(small);
    for (let i = 0; i < copy.length; i += 3) {
      const luma = (0.299 * copy[i]! + 0.587 * copy[i + 1]! + 0.114 * copy[i + 2]!) / 255;
      const bright = smoothstep(0.5, 0.95, luma);
      for (let c = 0; c < 3; c++) copy[i + c] = Math.round(255 * bright * recipe.glow.colour[c]!);
    }
    glow = smallMap(blurLocal(copy, fw, fh, 3, Math.max(1, fw / 40)), fw, fh, width);
  }

  // The per-pixel pass. Each parameter eased from "no change" by the intensity; those that
  // depend on how much a pixel is person (the mask, 0–255) are tabled per mask value.
  const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
  const [satB, satP] = recipe.saturation.map(ease) as [number, number];
  const [conB, conP] = recipe.contrast.map(ease) as [number, number];
  const castB = recipe.cast[0].map(ease);
  const castP = recipe.cast[1].map(ease);
  const crush = recipe.crush * s;
  const pivot = 0.45;
  const tables = {
    saturation: new Float32Array(256),
    // Light's colour, contrast about the pivot and crushed shadows folded into one slope and offset:
    // ((x × cast − pivot) × con + pivot − crush) × stretch = x × gain + offset.
    gain: [new Float32Array(256), new Float32Array(256), new Float32Array(256)] as const,
    offset: new Float32Array(256),
    glow: new Float32Array(256),
  };
  const glowAmount = recipe.glow ? recipe.glow.amount * s : 0;
  for (let k = 0; k < 256; k++) {
    const m = k / 255;
    tables.saturation[k] = lerp(satB, satP, m);
    const con = lerp(conB, conP, m);
    const cr = crush * lerp(1, 0.5, m);
    const stretch = 1 / (1 - cr);
    for (let c = 0; c < 3; c++) tables.gain[c]![k] = lerp(castB[c]!, castP[c]!, m) * con * stretch;
    tables.offset[k] = (pivot * (1 - con) - cr) * stretch;
    tables.glow[k] = glowAmount * lerp(1, 0.6, m);
  }
  const fog = recipe.fog;
  const kernel: Kernel = {
    data,
    width,
    height,
    person,
    maps,
    glow,
    grade: grade ? gradeTables(grade, width) : undefined,
    lit: true,
    tables,
    skyAmount: recipe.sky ? recipe.sky.amount * s : 0,
    skyColour: recipe.sky?.colour ?? [0, 0, 0],
    grimeAmount: recipe.grime ? recipe.grime.amount * s : 0,
    grimeColour: recipe.grime?.colour ?? [0, 0, 0],
    fogColour: fog?.colour,
    fogB: fog ? fog.background * s * fogDensity : 0,
    fogS: fog ? fog.sky * s * fogDensity : 0,
    fogP: fog ? fog.person * s * fogDensity : 0,
  };
  const rowsPerTick = Math.max(16, Math.floor(262_144 / width));
  for (let y = 0; y < height; y += rowsPerTick) {
    if (y > 0) await tick();
    shadeRows(kernel, y, Math.min(height, y + rowsPerTick));
  }
}

/** What {@link shadeRows} needs: the picture, its maps, and the eased parameters. */
interface Kernel {
  data: Uint8Array;
  width: number;
  height: number;
  person: Uint8Array | undefined;
  /** Sky (band 0), light (band 1, 128 = unchanged) and grime (band 2) maps, 0–255. */
  maps: SmallMap | undefined;
  glow: SmallMap | undefined;
  /** The colour grade done first, if any. */
  grade: GradeTables | undefined;
  /** Whether the atmosphere is drawn (false: the grade only). */
  lit: boolean;
  tables: {
    saturation: Float32Array;
    gain: readonly [Float32Array, Float32Array, Float32Array];
    offset: Float32Array;
    glow: Float32Array;
  };
  skyAmount: number;
  skyColour: Rgb;
  grimeAmount: number;
  grimeColour: Rgb;
  fogColour: Rgb | undefined;
  fogB: number;
  fogS: number;
  fogP: number;
}

/**
 * A small three-band map (sky, light and grime; or the glow) and how the picture's columns
 * read it: bilinearly, pixel centres aligned, edges extended.
 */
interface SmallMap {
  values: Uint8Array;
  width: number;
  height: number;
  /** Per picture column: the left and right map column (already × 3) and the weight of the right. */
  left: Int32Array;
  right: Int32Array;
  weight: Float32Array;
  /** The current picture row, interpolated between two map rows. */
  row: Float32Array;
}

function smallMap(values: Uint8Array, width: number, height: number, pictureWidth: number): SmallMap {
  const left = new Int32Array(pictureWidth);
  const right = new Int32Array(pictureWidth);
  const weight = new Float32Array(pictureWidth);
  for (let x = 0; x < pictureWidth; x++) {
    const sx = Math.min(width - 1, Math.max(0, ((x + 0.5) * width) / pictureWidth - 0.5));
    const x0 = Math.floor(sx);
    left[x] = x0 * 3;
    right[x] = Math.min(width - 1, x0 + 1) * 3;
    weight[x] = sx - x0;
  }
  return { values, width, height, left, right, weight, row: new Float32Array(width * 3) };
}

/** Fills `map.row` with the map interpolated at the picture's row `y` of `pictureHeight`. */
function mapRow(map: SmallMap, y: number, pictureHeight: number): void {
  const { values, width, height, row } = map;
  const sy = Math.min(height - 1, Math.max(0, ((y + 0.5) * height) / pictureHeight - 0.5));
  const y0 = Math.floor(sy);
  const t = sy - y0;
  const a = y0 * width * 3;
  const b = Math.min(height - 1, y0 + 1) * width * 3;
  for (let j = 0; j < width * 3; j++) row[j] = values[a + j]! + (values[b + j]! - values[a + j]!) * t;
}

/**
 * The per-pixel pass over rows `y0` to `y1`, in place: the sky, saturation, light (exposure,
 * pool, side light and colour), contrast and crushed shadows, grime, fog and glow.
 */
function shadeRows(k: Kernel, y0: number, y1: number): void {
  const { data, width, height, person, skyAmount, grimeAmount, fogB, fogS, fogP } = k;
  const maps = k.maps;
  const glow = k.glow;
  const { saturation, offset } = k.tables;
  const [gainR, gainG, gainB] = k.tables.gain;
  const glowTable = k.tables.glow;
  const [skyR, skyG, skyB] = k.skyColour;
  const [grimeR, grimeG, grimeB] = k.grimeColour;
  const fogged = k.fogColour !== undefined;
  const lit = k.lit;
  // Written through a clamped view: values are clipped to 0–255 and rounded as they are stored.
  const out = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
  const [fogR, fogG, fogBl] = k.fogColour ?? [0, 0, 0];
  const inv = 1 / 255;
  const grade = k.grade;
  const pm = grade?.person ?? IDENTITY;
  const bm = grade?.background ?? IDENTITY;
  const columnDistance = grade?.columnDistance;
  const vignette = grade?.vignette ?? 0;
  for (let y = y0; y < y1; y++) {
    const v = y / height;
    const fogRow = fogB * (0.7 + 0.5 * (1 - v));
    const rowDistance = grade ? (((y + 0.5) / height - grade.centre[1]) / 0.75) ** 2 : 0;
    if (maps) mapRow(maps, y, height);
    if (glow) mapRow(glow, y, height);
    const mapValues = maps ? maps.row : EMPTY_ROW;
    const glowValues = glow ? glow.row : EMPTY_ROW;
    for (let x = 0, p = y * width, i = p * 3; x < width; x++, p++, i += 3) {
      const m8 = person ? person[p]! : 0;
      const m = m8 * inv;
      const b = 1 - m;
      let r = data[i]! * inv;
      let g = data[i + 1]! * inv;
      let bl = data[i + 2]! * inv;
      if (grade) {
        // The colour grade: the person's and the background's, mixed by the mask.
        const r0 = data[i]!;
        const g0 = data[i + 1]!;
        const b0 = data[i + 2]!;
        let br = 0;
        let bg = 0;
        let bb = 0;
        if (m8 < 255) {
          let shade = 1;
          if (vignette > 0) {
            const d = Math.min(1, columnDistance![x]! + rowDistance);
            shade = 1 - vignette * d * d;
          }
          br = shade * (bm[0]! * r0 + bm[1]! * g0 + bm[2]! * b0) + bm[9]!;
          bg = shade * (bm[3]! * r0 + bm[4]! * g0 + bm[5]! * b0) + bm[10]!;
          bb = shade * (bm[6]! * r0 + bm[7]! * g0 + bm[8]! * b0) + bm[11]!;
          br = br <= 0 ? 0 : br >= 1 ? 1 : br;
          bg = bg <= 0 ? 0 : bg >= 1 ? 1 : bg;
          bb = bb <= 0 ? 0 : bb >= 1 ? 1 : bb;
        }
        if (m8 > 0) {
          let pr = pm[0]! * r0 + pm[1]! * g0 + pm[2]! * b0 + pm[9]!;
          let pg = pm[3]! * r0 + pm[4]! * g0 + pm[5]! * b0 + pm[10]!;
          let pb = pm[6]! * r0 + pm[7]! * g0 + pm[8]! * b0 + pm[11]!;
          pr = pr <= 0 ? 0 : pr >= 1 ? 1 : pr;
          pg = pg <= 0 ? 0 : pg >= 1 ? 1 : pg;
          pb = pb <= 0 ? 0 : pb >= 1 ? 1 : pb;
          br += (pr - br) * m;
          bg += (pg - bg) * m;
          bb += (pb - bb) * m;
        }
        r = br;
        g = bg;
        bl = bb;
      }
      if (!lit || !maps) {
        out[i] = r * 255;
        out[i + 1] = g * 255;
        out[i + 2] = bl * 255;
        continue;
      }
      const ml = maps.left[x]!;
      const mr = maps.right[x]!;
      const mt = maps.weight[x]!;
      // Sky first, in the picture's own light and dark.
      let skyHere = (mapValues[ml]! + (mapValues[mr]! - mapValues[ml]!) * mt) * inv * b;
      if (skyHere > 0) {
        // The map is coarse; each pixel must also look like sky itself, so the edges follow it.
        const luma = 0.299 * r + 0.587 * g + 0.114 * bl;
        const max = r > g ? (r > bl ? r : bl) : g > bl ? g : bl;
        const min = r < g ? (r < bl ? r : bl) : g < bl ? g : bl;
        const blue = smoothstep(-0.02, 0.08, bl - r) * smoothstep(0.18, 0.32, luma);
        const overcast = (1 - smoothstep(0.08, 0.2, max - min)) * smoothstep(0.5, 0.68, luma);
        const sunset = r > bl ? 0.8 * smoothstep(0.38, 0.52, luma) : 0;
        skyHere *= blue > overcast ? (blue > sunset ? blue : sunset) : overcast > sunset ? overcast : sunset;
        if (skyAmount > 0 && skyHere > 0) {
          const t = skyAmount * skyHere;
          const shade = 0.45 + 0.9 * luma;
          r += (Math.min(1, skyR * shade) - r) * t;
          g += (Math.min(1, skyG * shade) - g) * t;
          bl += (Math.min(1, skyB * shade) - bl) * t;
        }
      }
      // Saturation about luma.
      const sat = saturation[m8]!;
      const luma = 0.299 * r + 0.587 * g + 0.114 * bl;
      r = luma + (r - luma) * sat;
      g = luma + (g - luma) * sat;
      bl = luma + (bl - luma) * sat;
      // Light (exposure, the pool and side light, milder on the person) in its colour; contrast
      // about the pivot, shadows crushed.
      const light = (mapValues[ml + 1]! + (mapValues[mr + 1]! - mapValues[ml + 1]!) * mt) / 128;
      const o = offset[m8]!;
      r = r * light * gainR[m8]! + o;
      g = g * light * gainG[m8]! + o;
      bl = bl * light * gainB[m8]! + o;
      // Grime: blotchy darkening toward a dirty colour, on the background.
      if (grimeAmount > 0) {
        const t = grimeAmount * (mapValues[ml + 2]! + (mapValues[mr + 2]! - mapValues[ml + 2]!) * mt) * inv * b;
        r += (grimeR * (r + 0.2) - r) * t;
        g += (grimeG * (g + 0.2) - g) * t;
        bl += (grimeB * (bl + 0.2) - bl) * t;
      }
      // Fog: thicker on the sky and higher up, thin on the person.
      if (fogged) {
        const t = Math.min(0.85, fogRow + (fogP - fogRow) * m + fogS * skyHere);
        r += (fogR - r) * t;
        g += (fogG - g) * t;
        bl += (fogBl - bl) * t;
      }
      // Glow: screen the blurred highlights over.
      if (glow) {
        const gl = glow.left[x]!;
        const gr = glow.right[x]!;
        const gt = glow.weight[x]!;
        const t = glowTable[m8]! * inv;
        r = 1 - (1 - r) * (1 - t * (glowValues[gl]! + (glowValues[gr]! - glowValues[gl]!) * gt));
        g = 1 - (1 - g) * (1 - t * (glowValues[gl + 1]! + (glowValues[gr + 1]! - glowValues[gl + 1]!) * gt));
        bl = 1 - (1 - bl) * (1 - t * (glowValues[gl + 2]! + (glowValues[gr + 2]! - glowValues[gl + 2]!) * gt));
      }
      out[i] = r * 255;
      out[i + 1] = g * 255;
      out[i + 2] = bl * 255;
    }
  }
}

/**
 * The maps of pictures no larger than this many pixels are resized and blurred here rather than
 * by sharp: the atmosphere probes (`tone-renderer.ts`) light a 64-pixel thumbnail up to six
 * times, and each of a dozen sharp round trips costs more than the pixels.
 */
const JS_MAX_PIXELS = 128 * 128;

/** `src` resized to `w2 × h2` with a Lanczos-3 kernel (sharp's default; with `local`, here). */
async function resized(
  src: Uint8Array,
  w: number,
  h: number,
  channels: 1 | 3,
  w2: number,
  h2: number,
  local: boolean,
): Promise<Uint8Array> {
  if (local) return resizeSmall(src, w, h, channels, w2, h2);
  const pipeline = sharp(src, { raw: { width: w, height: h, channels } }).resize(w2, h2, { fit: 'fill' });
  // One band: without this, libvips hands back a resized mask as sRGB (three bands).
  return (channels === 1 ? pipeline.extractChannel(0) : pipeline).raw().toBuffer();
}

/** A small map (up to a few hundred pixels a side) resized with a Lanczos-3 kernel, here rather than by sharp. */
export function resizeSmall(
  src: Uint8Array,
  w: number,
  h: number,
  channels: 1 | 3,
  w2: number,
  h2: number,
): Uint8Array {
  return lanczosLocal(lanczosLocal(src, w, h, channels, w2, h, true), w2, h, channels, w2, h2, false);
}

/**
 * One separable Lanczos-3 pass over a small map (pixel centres aligned, edges extended, the
 * kernel widened when shrinking), along rows (`horizontal`) or columns.
 */
function lanczosLocal(
  src: Uint8Array,
  w: number,
  h: number,
  channels: 1 | 3,
  w2: number,
  h2: number,
  horizontal: boolean,
): Uint8Array {
  const [n, n2] = horizontal ? [w, w2] : [h, h2];
  const scale = Math.max(1, n / n2);
  const span = 2 * Math.ceil(3 * scale) + 1;
  // Per output position, `span` source positions (clamped) and their weights.
  const index = new Int32Array(n2 * span);
  const weight = new Float64Array(n2 * span);
  for (let o = 0; o < n2; o++) {
    const centre = ((o + 0.5) * n) / n2 - 0.5;
    const first = Math.floor(centre) - (span - 1) / 2 + 1;
    let total = 0;
    for (let k = 0; k < span; k++) {
      const t = (first + k - centre) / scale;
      const value =
        t === 0
          ? 1
          : Math.abs(t) >= 3
            ? 0
            : (3 * Math.sin(Math.PI * t) * Math.sin((Math.PI * t) / 3)) / (Math.PI * Math.PI * t * t);
      index[o * span + k] = Math.min(n - 1, Math.max(0, first + k));
      weight[o * span + k] = value;
      total += value;
    }
    for (let k = 0; k < span; k++) weight[o * span + k]! /= total;
  }
  const out = new Uint8Array(w2 * h2 * channels);
  // Distance between neighbours along the pass, and between lines across it, in values.
  const step = horizontal ? channels : w * channels;
  for (let line = 0; line < (horizontal ? h : w); line++) {
    const base = horizontal ? line * w * channels : line * channels;
    for (let o = 0; o < n2; o++) {
      const target = horizontal ? (line * w2 + o) * channels : (o * w2 + line) * channels;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = o * span, end = k + span; k < end; k++) sum += weight[k]! * src[base + index[k]! * step + c]!;
        out[target + c] = sum <= 0 ? 0 : sum >= 255 ? 255 : Math.round(sum);
      }
    }
  }
  return out;
}

/**
 * A Gaussian blur of a small map, separably, edges extended; like sharp's `blur(sigma)`, the
 * kernel stops where it falls below 0.2 of its peak.
 */
function blurLocal(src: Uint8Array, w: number, h: number, channels: 1 | 3, sigma: number): Uint8Array {
  const radius = Math.max(1, Math.floor(sigma * Math.sqrt(-2 * Math.log(0.2))));
  const taps = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let k = 0; k <= 2 * radius; k++) total += taps[k] = Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma));
  for (let k = 0; k <= 2 * radius; k++) taps[k]! /= total;
  const values = Float32Array.from(src);
  // Along rows, then along columns, each line copied into a buffer padded by its edge values.
  const longest = Math.max(w, h);
  const padded = new Float32Array(longest + 2 * radius);
  const blurLines = (count: number, length: number, lineStep: number, step: number) => {
    for (let line = 0; line < count; line++) {
      for (let c = 0; c < channels; c++) {
        const base = line * lineStep + c;
        for (let j = 0; j < length; j++) padded[radius + j] = values[base + j * step]!;
        for (let j = 0; j < radius; j++) {
          padded[j] = padded[radius]!;
          padded[radius + length + j] = padded[radius + length - 1]!;
        }
        for (let j = 0; j < length; j++) {
          let sum = 0;
          for (let k = 0; k <= 2 * radius; k++) sum += taps[k]! * padded[j + k]!;
          values[base + j * step] = sum;
        }
      }
    }
  };
  blurLines(h, w, w * channels, channels);
  blurLines(w, h, channels, w * channels);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]!);
  return out;
}

/** A grade's matrix and offsets (12 numbers, on 0–255 in, 0–1 out) and the vignette's column term. */
interface GradeTables {
  background: Float64Array;
  person: Float64Array;
  vignette: number;
  centre: readonly [number, number];
  /** Per column, the squared horizontal distance from the vignette centre over 0.75². */
  columnDistance: Float64Array;
}

const EMPTY_ROW = new Float32Array(0);
const IDENTITY = Float64Array.of(1 / 255, 0, 0, 0, 1 / 255, 0, 0, 0, 1 / 255, 0, 0, 0);

function gradeTables(grade: { background: PixelGrade; person: PixelGrade }, width: number): GradeTables {
  const table = (g: PixelGrade) =>
    Float64Array.from([...g.matrix.map((x) => x / 255), ...g.offset.map((x) => x / 255)]);
  // The person's grade has no vignette (the background's carries it, as a grade of its own would).
  const { vignette, centre } = grade.background;
  const columnDistance = new Float64Array(width);
  for (let x = 0; x < width; x++) columnDistance[x] = (((x + 0.5) / width - centre[0]) / 0.75) ** 2;
  return { background: table(grade.background), person: table(grade.person), vignette, centre, columnDistance };
}

/** A kernel that grades only (no atmosphere). */
function gradeOnlyKernel(
  data: Uint8Array,
  width: number,
  height: number,
  person: Uint8Array | undefined,
  grade: { background: PixelGrade; person: PixelGrade },
): Kernel {
  const none = new Float32Array(0);
  return {
    data,
    width,
    height,
    person,
    maps: undefined,
    glow: undefined,
    grade: gradeTables(grade, width),
    lit: false,
    tables: { saturation: none, gain: [none, none, none], offset: none, glow: none },
    skyAmount: 0,
    skyColour: [0, 0, 0],
    grimeAmount: 0,
    grimeColour: [0, 0, 0],
    fogColour: undefined,
    fogB: 0,
    fogS: 0,
    fogP: 0,
  };
}

/** Grades `pixels` in place (the person's grade where `person` is 255, the background's at 0). */
export async function gradePixels(
  pixels: RawPixels,
  person: Uint8Array | undefined,
  grade: { background: PixelGrade; person: PixelGrade },
  tick: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
): Promise<void> {
  const { data, width, height } = pixels;
  const kernel = gradeOnlyKernel(data, width, height, person, grade);
  const rowsPerTick = Math.max(16, Math.floor(262_144 / width));
  for (let y = 0; y < height; y += rowsPerTick) {
    if (y > 0) await tick();
    shadeRows(kernel, y, Math.min(height, y + rowsPerTick));
  }
}

/**
 * Grades a small copy of a picture in place as the picture itself will be, the person's share
 * of each pixel read from the full-size mask at the pixel's centre.
 */
function gradeSmallCopy(
  copy: RawPixels,
  person: Uint8Array | undefined,
  width: number,
  height: number,
  grade: { background: PixelGrade; person: PixelGrade },
): void {
  const mask = person ? new Uint8Array(copy.width * copy.height) : undefined;
  if (mask && person) {
    for (let y = 0; y < copy.height; y++) {
      const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / copy.height));
      for (let x = 0; x < copy.width; x++)
        mask[y * copy.width + x] =
          person[sy * width + Math.min(width - 1, Math.floor(((x + 0.5) * width) / copy.width))]!;
    }
  }
  shadeRows(gradeOnlyKernel(copy.data, copy.width, copy.height, mask, grade), 0, copy.height);
}

/**
 * How likely each pixel of a small RGB copy is sky, 0–1: not the person, high in the picture,
 * sky-coloured (blue; bright grey or white; bright sunset warm in the upper part), smooth, and
 * connected to the top edge through likely pixels.
 */
export function estimateSky(
  image: { pixels: Uint8Array; width: number; height: number },
  person?: Uint8Array,
): Float32Array {
  const { pixels, width, height } = image;
  const n = width * height;
  const likely = new Float32Array(n);
  const lumaAt = (xx: number, yy: number) => {
    const j = (yy * width + xx) * 3;
    return (0.299 * pixels[j]! + 0.587 * pixels[j + 1]! + 0.114 * pixels[j + 2]!) / 255;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = y * width + x;
      const r = pixels[k * 3]! / 255;
      const g = pixels[k * 3 + 1]! / 255;
      const b = pixels[k * 3 + 2]! / 255;
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      const blue = b > r && b >= g * 0.92 && luma > 0.25 ? 1 : 0;
      const overcast = max - min < 0.12 && luma > 0.62 ? 0.8 : 0;
      const sunset = r > b && luma > 0.45 && y < height * 0.5 ? 0.6 : 0;
      const colour = Math.max(blue, overcast, sunset);
      // Texture: the largest difference to the four neighbours (edges extended).
      const edge = Math.max(
        Math.abs(lumaAt(Math.min(width - 1, x + 1), y) - luma),
        Math.abs(lumaAt(Math.max(0, x - 1), y) - luma),
        Math.abs(lumaAt(x, Math.min(height - 1, y + 1)) - luma),
        Math.abs(lumaAt(x, Math.max(0, y - 1)) - luma),
      );
      const smooth = 1 - smoothstep(0.03, 0.12, edge);
      const high = 1 - smoothstep(0.35, 0.75, y / height);
      // The person is not sky, but is left out at full size (the small mask's soft edge would
      // leave a rim of untouched background around them); here it only stops the flood.
      const notPerson = person && person[k]! > 200 ? 0 : 1;
      likely[k] = colour * smooth * high * notPerson;
    }
  }
  // Connected to the top: flood from the top row through pixels above 0.25 (clouds and sky
  // between them count once reached).
  const reached = new Uint8Array(n);
  const queue: number[] = [];
  for (let x = 0; x < width; x++) {
    if (likely[x]! > 0.25) {
      reached[x] = 1;
      queue.push(x);
    }
  }
  const visit = (j: number) => {
    if (reached[j] || likely[j]! <= 0.25) return;
    reached[j] = 1;
    queue.push(j);
  };
  while (queue.length > 0) {
    const k = queue.pop()!;
    const x = k % width;
    const y = (k - x) / width;
    if (x + 1 < width) visit(k + 1);
    if (x > 0) visit(k - 1);
    if (y + 1 < height) visit(k + width);
    if (y > 0) visit(k - width);
  }
  const found = new Float32Array(n);
  for (let k = 0; k < n; k++) found[k] = reached[k] ? Math.min(1, likely[k]! * 1.4) : 0;
  // The texture test leaves out the sky along every edge (a hair line, a roof); widen the map by
  // two cells (the largest value around), and let each full-size pixel's own colour say where
  // the sky stops.
  const sky = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = 0;
      for (let yy = Math.max(0, y - 2); yy <= Math.min(height - 1, y + 2); yy++) {
        for (let xx = Math.max(0, x - 2); xx <= Math.min(width - 1, x + 2); xx++)
          best = Math.max(best, found[yy * width + xx]!);
      }
      sky[y * width + x] = best;
    }
  }
  return sky;
}

/** Smooth blotches, 0–1: two octaves of value noise over the grid. */
function valueNoise(width: number, height: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const octave = (cells: number) => {
    const gw = cells + 2;
    const gh = Math.ceil((cells * height) / width) + 2;
    const lattice = Float32Array.from({ length: gw * gh }, () => random());
    return (u: number, v: number) => {
      const x = u * cells;
      const y = v * cells;
      const ix = Math.floor(x);
      const iy = Math.floor(y);
      const tx = smoothstep(0, 1, x - ix);
      const ty = smoothstep(0, 1, y - iy);
      const at = (a: number, b: number) => lattice[Math.min(gh - 1, b) * gw + Math.min(gw - 1, a)]!;
      return (
        (1 - ty) * ((1 - tx) * at(ix, iy) + tx * at(ix + 1, iy)) +
        ty * ((1 - tx) * at(ix, iy + 1) + tx * at(ix + 1, iy + 1))
      );
    };
  };
  const coarse = octave(6);
  const fine = octave(17);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = 0.65 * coarse(x / width, y / height) + 0.35 * fine(x / width, y / height);
      out[y * width + x] = smoothstep(0.45, 0.8, value);
    }
  }
  return out;
}

function smoothstep(low: number, high: number, x: number): number {
  const t = Math.max(0, Math.min(1, (x - low) / (high - low)));
  return t * t * (3 - 2 * t);
}
