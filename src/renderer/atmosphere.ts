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
 * | fear | low-key: a small pool of cold side light on the subject, the rest falls into the dark (deep vignette) | sky to dark slate |
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
    exposure: [0.78, 0.92],
    saturation: [0.55, 0.8],
    contrast: [1.5, 1.2],
    crush: 0.07,
    cast: [[0.8, 0.96, 1.16], [0.95, 1, 1.04]],
    sky: { colour: [0.17, 0.2, 0.26], amount: 0.75 },
    pool: { depth: 0.85, radius: 0.08, personShare: 0.7 },
    sideLight: { strength: 0.45, angle: 20 },
  },
  sadness: {
    exposure: [0.9, 0.97],
    saturation: [0.4, 0.85],
    contrast: [0.72, 0.95],
    crush: 0,
    cast: [[0.93, 0.98, 1.08], [0.98, 0.99, 1.02]],
    fog: { colour: [0.58, 0.63, 0.7], background: 0.42, sky: 0.55, person: 0.04 },
    sky: { colour: [0.7, 0.72, 0.75], amount: 0.8 },
    pool: { depth: 0.2, radius: 0.35, personShare: 0.3 },
  },
  anger: {
    exposure: [0.78, 0.95],
    saturation: [1.25, 1],
    contrast: [1.45, 1.12],
    crush: 0.1,
    cast: [[1.25, 0.8, 0.58], [1.05, 0.98, 0.93]],
    sky: { colour: [0.7, 0.2, 0.06], amount: 0.75 },
    pool: { depth: 0.45, radius: 0.3, personShare: 0.35 },
    sideLight: { strength: 0.25, angle: 10 },
  },
  disgust: {
    exposure: [0.85, 0.95],
    saturation: [0.7, 0.88],
    contrast: [0.88, 0.95],
    crush: 0.02,
    cast: [[0.96, 1.06, 0.68], [0.98, 1.03, 0.88]],
    sky: { colour: [0.68, 0.7, 0.45], amount: 0.65 },
    grime: { amount: 0.4, colour: [0.3, 0.3, 0.12] },
    pool: { depth: 0.3, radius: 0.32, personShare: 0.3 },
  },
  awe: {
    exposure: [1.06, 1.03],
    saturation: [1.2, 1.02],
    contrast: [1.18, 1.04],
    crush: 0,
    cast: [[1.12, 1.02, 0.8], [1.05, 1.01, 0.93]],
    sky: { colour: [1, 0.78, 0.45], amount: 0.55 },
    glow: { amount: 0.4, colour: [1, 0.86, 0.6] },
    sideLight: { strength: 0.15, angle: -60 },
  },
  contentment: {
    exposure: [1.06, 1.03],
    saturation: [1.05, 1],
    contrast: [0.9, 0.95],
    crush: 0,
    cast: [[1.1, 1.02, 0.84], [1.04, 1.01, 0.95]],
    sky: { colour: [1, 0.85, 0.66], amount: 0.35 },
    glow: { amount: 0.3, colour: [1, 0.9, 0.72] },
    sideLight: { strength: 0.1, angle: -40 },
  },
  excitement: {
    exposure: [1.06, 1.03],
    saturation: [1.7, 1.18],
    contrast: [1.3, 1.12],
    crush: 0.03,
    cast: [[1.06, 1, 0.96], [1.03, 1, 0.98]],
    sky: { colour: [0.1, 0.42, 0.95], amount: 0.45 },
    glow: { amount: 0.15, colour: [1, 0.95, 0.85] },
  },
  amusement: {
    exposure: [1.12, 1.06],
    saturation: [1.3, 1.08],
    contrast: [1.05, 1],
    crush: 0,
    cast: [[1.06, 1.02, 0.94], [1.03, 1.01, 0.98]],
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
}

/** Field grid: the long side of the small maps (sky, light, grime) drawn before enlarging. */
const FIELD_SIZE = 96;

/** Applies the target's atmosphere (see the module note). Deterministic for a seed. */
export async function applyAtmosphere(input: AtmosphereInput, tick: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): Promise<void> {
  const { pixels, person, target, seed } = input;
  const { data, width, height, channels } = pixels;
  if (channels !== 3) throw new RangeError(`applyAtmosphere works on RGB, got ${channels} channels`);
  const s = Math.max(0, Math.min(1, input.intensity));
  if (s === 0) return;
  const recipe = ATMOSPHERES[target];
  const random = mulberry32(seed ^ 0xa7305);
  const mirror = random() < 0.5 ? -1 : 1;
  const angle = ((recipe.sideLight?.angle ?? 0) + (random() - 0.5) * 30) * (Math.PI / 180);
  const light: [number, number] = [Math.cos(angle) * mirror, Math.sin(angle)];
  const jitter: [number, number] = [(random() - 0.5) * 0.12, (random() - 0.5) * 0.1];
  const fogDensity = 0.85 + 0.3 * random();
  const noiseSeed = Math.floor(random() * 2 ** 31);

  // The small maps: sky, light (pool and side light), grime; then enlarged smoothly.
  const fw = width >= height ? FIELD_SIZE : Math.max(2, Math.round((FIELD_SIZE * width) / height));
  const fh = width >= height ? Math.max(2, Math.round((FIELD_SIZE * height) / width)) : FIELD_SIZE;
  const small = await sharp(data, { raw: { width, height, channels: 3 } }).resize(fw, fh, { fit: 'fill' }).raw().toBuffer();
  const smallPerson = person
    ? await sharp(person, { raw: { width, height, channels: 1 } }).resize(fw, fh, { fit: 'fill' }).extractChannel(0).raw().toBuffer()
    : undefined;
  const sky = estimateSky({ pixels: small, width: fw, height: fh }, smallPerson);
  const centre: [number, number] = input.subject
    ? [input.subject.centre[0] / width + jitter[0], input.subject.centre[1] / height + jitter[1]]
    : [0.5 + jitter[0], 0.42 + jitter[1]];
  const diagonal = Math.hypot(width, height);
  const subjectRadius = input.subject ? Math.max(input.subject.size / diagonal, 0.08) : 0.15;
  const grime = recipe.grime ? valueNoise(fw, fh, noiseSeed) : undefined;
  // The light does not stop at the person's outline (that leaves a bright rim where the mask is
  // soft): it follows a widely blurred copy of the mask.
  const lightMask = smallPerson
    ? await sharp(smallPerson, { raw: { width: fw, height: fh, channels: 1 } }).blur(Math.max(1, FIELD_SIZE / 30)).extractChannel(0).raw().toBuffer()
    : undefined;
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
      const distance = Math.hypot(du, dv);
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
  // Three bands (no alpha, so sharp does not premultiply), enlarged with a linear kernel after
  // a blur that hides the grid.
  const maps = await sharp(field, { raw: { width: fw, height: fh, channels: 3 } })
    .blur(1)
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  // Glow: the highlights, blurred wide on a small copy, enlarged.
  let glow: Buffer | undefined;
  if (recipe.glow) {
    const gw = Math.max(2, Math.round(fw * 2));
    const gh = Math.max(2, Math.round(fh * 2));
    const copy = await sharp(data, { raw: { width, height, channels: 3 } }).resize(gw, gh, { fit: 'fill' }).raw().toBuffer();
    for (let i = 0; i < copy.length; i += 3) {
      const luma = (0.299 * copy[i]! + 0.587 * copy[i + 1]! + 0.114 * copy[i + 2]!) / 255;
      const bright = smoothstep(0.5, 0.95, luma);
      for (let c = 0; c < 3; c++) copy[i + c] = Math.round(255 * bright * recipe.glow.colour[c]!);
    }
    glow = await sharp(copy, { raw: { width: gw, height: gh, channels: 3 } })
      .blur(Math.max(1, gw / 40))
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer();
  }

  // The per-pixel pass. Each parameter eased from "no change" by the intensity.
  const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
  const [satB, satP] = recipe.saturation.map(ease) as [number, number];
  const [conB, conP] = recipe.contrast.map(ease) as [number, number];
  const castB = recipe.cast[0].map(ease);
  const castP = recipe.cast[1].map(ease);
  const crush = recipe.crush * s;
  const fog = recipe.fog;
  const fogB = fog ? fog.background * s * fogDensity : 0;
  const fogS = fog ? fog.sky * s * fogDensity : 0;
  const fogP = fog ? fog.person * s * fogDensity : 0;
  const skyAmount = recipe.sky ? recipe.sky.amount * s : 0;
  const skyColour = recipe.sky?.colour ?? [0, 0, 0];
  const glowAmount = recipe.glow ? recipe.glow.amount * s : 0;
  const grimeAmount = recipe.grime ? recipe.grime.amount * s : 0;
  const grimeColour = recipe.grime?.colour ?? [0, 0, 0];
  const pivot = 0.45;
  const rowsPerTick = Math.max(16, Math.floor(262_144 / width));
  for (let y = 0; y < height; y++) {
    if (y % rowsPerTick === rowsPerTick - 1) await tick();
    const v = y / height;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const i = p * 3;
      const m = person ? person[p]! / 255 : 0;
      const b = 1 - m;
      let r = data[i]! / 255;
      let g = data[i + 1]! / 255;
      let bl = data[i + 2]! / 255;
      // Sky first, in the picture's own light and dark.
      let skyHere = (maps[i]! / 255) * b;
      if (skyHere > 0) {
        // The map is coarse; each pixel must also look like sky itself, so the edges follow it.
        const luma = 0.299 * r + 0.587 * g + 0.114 * bl;
        const max = r > g ? (r > bl ? r : bl) : g > bl ? g : bl;
        const min = r < g ? (r < bl ? r : bl) : g < bl ? g : bl;
        const blue = smoothstep(-0.02, 0.08, bl - r) * smoothstep(0.18, 0.32, luma);
        const overcast = (1 - smoothstep(0.08, 0.2, max - min)) * smoothstep(0.5, 0.68, luma);
        const sunset = r > bl ? 0.8 * smoothstep(0.38, 0.52, luma) : 0;
        skyHere *= Math.max(blue, overcast, sunset);
      }
      if (skyAmount > 0 && skyHere > 0) {
        const luma = 0.299 * r + 0.587 * g + 0.114 * bl;
        const t = skyAmount * skyHere;
        const shade = 0.45 + 0.9 * luma;
        r = lerp(r, Math.min(1, skyColour[0]! * shade), t);
        g = lerp(g, Math.min(1, skyColour[1]! * shade), t);
        bl = lerp(bl, Math.min(1, skyColour[2]! * shade), t);
      }
      // Saturation about luma.
      const sat = lerp(satB, satP, m);
      const luma = 0.299 * r + 0.587 * g + 0.114 * bl;
      r = luma + (r - luma) * sat;
      g = luma + (g - luma) * sat;
      bl = luma + (bl - luma) * sat;
      // Light: exposure, the pool and side light (milder on the person), the light's colour.
      const field = maps[i + 1]! / 128;
      const lit = field;
      r *= lit * lerp(castB[0]!, castP[0]!, m);
      g *= lit * lerp(castB[1]!, castP[1]!, m);
      bl *= lit * lerp(castB[2]!, castP[2]!, m);
      // Contrast about the pivot, shadows crushed.
      const con = lerp(conB, conP, m);
      const cr = crush * lerp(1, 0.5, m);
      const stretch = 1 / (1 - cr);
      r = ((r - pivot) * con + pivot - cr) * stretch;
      g = ((g - pivot) * con + pivot - cr) * stretch;
      bl = ((bl - pivot) * con + pivot - cr) * stretch;
      // Grime: blotchy darkening toward a dirty colour, on the background.
      if (grimeAmount > 0) {
        const t = grimeAmount * (maps[i + 2]! / 255) * b;
        r = lerp(r, grimeColour[0]! * (r + 0.2), t);
        g = lerp(g, grimeColour[1]! * (g + 0.2), t);
        bl = lerp(bl, grimeColour[2]! * (bl + 0.2), t);
      }
      // Fog: thicker on the sky and higher up, thin on the person.
      if (fog) {
        const t = Math.min(0.85, lerp(fogB * (0.7 + 0.5 * (1 - v)), fogP, m) + fogS * skyHere);
        r = lerp(r, fog.colour[0]!, t);
        g = lerp(g, fog.colour[1]!, t);
        bl = lerp(bl, fog.colour[2]!, t);
      }
      // Glow: screen the blurred highlights over.
      if (glow) {
        const t = glowAmount * lerp(1, 0.6, m);
        r = 1 - (1 - r) * (1 - t * (glow[i]! / 255));
        g = 1 - (1 - g) * (1 - t * (glow[i + 1]! / 255));
        bl = 1 - (1 - bl) * (1 - t * (glow[i + 2]! / 255));
      }
      data[i] = r <= 0 ? 0 : r >= 1 ? 255 : Math.round(r * 255);
      data[i + 1] = g <= 0 ? 0 : g >= 1 ? 255 : Math.round(g * 255);
      data[i + 2] = bl <= 0 ? 0 : bl >= 1 ? 255 : Math.round(bl * 255);
    }
  }
}

/**
 * How likely each pixel of a small RGB copy is sky, 0–1: not the person, high in the picture,
 * sky-coloured (blue; bright grey or white; bright sunset warm in the upper part), smooth, and
 * connected to the top edge through likely pixels.
 */
export function estimateSky(image: { pixels: Uint8Array; width: number; height: number }, person?: Uint8Array): Float32Array {
  const { pixels, width, height } = image;
  const n = width * height;
  const likely = new Float32Array(n);
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
      // Texture: the largest difference to the four neighbours.
      let edge = 0;
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const xx = Math.min(width - 1, Math.max(0, x + dx));
        const yy = Math.min(height - 1, Math.max(0, y + dy));
        const j = (yy * width + xx) * 3;
        const l2 = (0.299 * pixels[j]! + 0.587 * pixels[j + 1]! + 0.114 * pixels[j + 2]!) / 255;
        edge = Math.max(edge, Math.abs(l2 - luma));
      }
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
  while (queue.length > 0) {
    const k = queue.pop()!;
    const x = k % width;
    const y = (k - x) / width;
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
      const xx = x + dx;
      const yy = y + dy;
      if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
      const j = yy * width + xx;
      if (reached[j] || likely[j]! <= 0.25) continue;
      reached[j] = 1;
      queue.push(j);
    }
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
        for (let xx = Math.max(0, x - 2); xx <= Math.min(width - 1, x + 2); xx++) best = Math.max(best, found[yy * width + xx]!);
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
      return (1 - ty) * ((1 - tx) * at(ix, iy) + tx * at(ix + 1, iy)) + ty * ((1 - tx) * at(ix, iy + 1) + tx * at(ix + 1, iy + 1));
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
