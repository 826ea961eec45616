/**
 * Renders edit requests once each in this fresh process (nothing cached), with the real vision
 * models, and prints `RESULTS [...]`: per request, the hash of the edit's bytes, of its decoded
 * pixels, its face note, and any warning the vision runtime logged (models not loaded...). For
 * `test/renderer/determinism.test.ts`. Usage: `node --import tsx test/helpers/render-cold.ts '<cases JSON>'`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { Element, Emotion } from '../../src/emotions.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import { checkImage } from '../../src/image/input-checks.ts';
import { ToneRenderer } from '../../src/renderer/tone-renderer.ts';
import { VisionRuntime, type VisionLogger } from '../../src/vision/vision-runtime.ts';

/** One request, as plain data. */
export interface RenderCase {
  /** Path of the picture. */
  path: string;
  target: Emotion;
  elements: Element[];
  intensity: number;
  seed: number;
}

export interface RenderOutcome {
  bytes: string;
  pixels: string;
  faceNote: string | null;
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

/** A logger that keeps the vision runtime's warnings. */
export function warningsLogger(): VisionLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (fields, message) => warnings.push(`${message} ${JSON.stringify(fields)}`), info: () => {} };
}

/** Renders one request (a copy of the picture's bytes) and hashes the outcome. */
export async function renderCase(renderer: ToneRenderer, image: CheckedImage, c: RenderCase): Promise<RenderOutcome> {
  const out = await renderer.render({
    image: { ...image, bytes: Buffer.from(image.bytes) },
    plan: {
      source: 'contentment',
      target: c.target,
      caption: '',
      editedCaption: '',
      elements: c.elements,
      instruction: '',
      planner: 'test',
    },
    intensity: c.intensity,
    seed: c.seed,
  });
  return {
    bytes: sha1(out.bytes),
    pixels: sha1(await sharp(out.bytes).raw().toBuffer()),
    faceNote: out.faceNote ?? null,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cases = JSON.parse(process.argv[2]!) as RenderCase[];
  const logger = warningsLogger();
  const vision = new VisionRuntime({ cacheSize: 8, logger });
  const renderer = new ToneRenderer({ vision, logger });
  const results: RenderOutcome[] = [];
  for (const c of cases) results.push(await renderCase(renderer, await checkImage(readFileSync(c.path)), c));
  await vision.close();
  process.stdout.write(`RESULTS ${JSON.stringify({ results, warnings: logger.warnings })}\n`);
}
