/**
 * @module The conformance suite every Renderer passes (tone, diffusion, queue…). It asserts only
 * what the Renderer contract promises, nothing about how a backend edits.
 *
 * Usage: `runRendererConformance('tone', () => new ToneRenderer())` inside a test file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Emotion } from '../../src/emotions.ts';
import type { CheckedImage, OutputFormat } from '../../src/image/image.ts';
import { canonicalInstruction } from '../../src/intent.ts';
import type { EditPlan } from '../../src/planner/planner.ts';
import type { Renderer } from '../../src/renderer/renderer.ts';
import type { Progress } from '../../src/turn.ts';

export interface RendererConformanceOptions {
  /** Long side of the test pictures; keep it small for slow backends. @defaultValue 96 */
  size?: number;
}

/** A plan for a target, as any planner might write it. */
export function conformancePlan(target: Emotion, source: Emotion = 'contentment'): EditPlan {
  return {
    source,
    target,
    caption: 'A photograph.',
    editedCaption: `The photograph feels like ${target}.`,
    elements: ['scene', 'color'],
    instruction: canonicalInstruction(target, source),
    planner: 'conformance',
  };
}

/** A small picture of a real photo in the given format. */
async function photoAs(format: OutputFormat, longSide: number): Promise<CheckedImage> {
  const pipeline = sharp(new URL('../fixtures/images/chelsea.png', import.meta.url).pathname).resize(
    longSide,
    longSide,
    { fit: 'inside' },
  );
  const encoded =
    format === 'jpeg'
      ? pipeline.jpeg({ quality: 90 })
      : format === 'webp'
        ? pipeline.webp({ quality: 90 })
        : pipeline.png();
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { bytes: data, format, width: info.width, height: info.height };
}

export function runRendererConformance(
  name: string,
  create: () => Promise<Renderer> | Renderer,
  options: RendererConformanceOptions = {},
): void {
  const size = options.size ?? 96;
  describe(`Renderer conformance: ${name}`, () => {
    let renderer: Renderer;
    const pictures = {} as Record<OutputFormat, CheckedImage>;

    before(async () => {
      renderer = await create();
      for (const format of ['jpeg', 'png', 'webp'] as const) pictures[format] = await photoAs(format, size);
    });
    after(async () => {
      await renderer.close?.();
    });

    for (const format of ['jpeg', 'png', 'webp'] as const) {
      it(`keeps the size and the format of a ${format.toUpperCase()} picture`, async () => {
        const image = pictures[format];
        const result = await renderer.render({ image, plan: conformancePlan('sadness'), intensity: 0.6, seed: 1 });
        assert.equal(result.format, format);
        assert.deepEqual([result.width, result.height], [image.width, image.height]);
        const meta = await sharp(result.bytes).metadata();
        assert.equal(meta.format, format, 'the bytes are really in that format');
        assert.deepEqual([meta.width, meta.height], [image.width, image.height]);
      });
    }

    it('gives the same bytes for the same seed', async () => {
      const request = { image: pictures.jpeg, plan: conformancePlan('fear'), intensity: 0.7, seed: 42 };
      const first = await renderer.render(request);
      const second = await renderer.render({ ...request });
      assert.ok(first.bytes.equals(second.bytes));
    });

    it('changes the picture', async () => {
      const result = await renderer.render({
        image: pictures.png,
        plan: conformancePlan('excitement'),
        intensity: 0.8,
        seed: 3,
      });
      assert.ok(!result.bytes.equals(pictures.png.bytes));
      assert.ok(
        (await meanAbsoluteDifference(result.bytes, pictures.png.bytes)) > 0.5,
        'a person can see a difference',
      );
    });

    it('gives a different picture for a different target', async () => {
      const sad = await renderer.render({
        image: pictures.png,
        plan: conformancePlan('sadness'),
        intensity: 0.8,
        seed: 5,
      });
      const amused = await renderer.render({
        image: pictures.png,
        plan: conformancePlan('amusement'),
        intensity: 0.8,
        seed: 5,
      });
      assert.ok((await meanAbsoluteDifference(sad.bytes, amused.bytes)) > 0.5);
    });

    it('refuses to start when the request is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(
        renderer.render({
          image: pictures.jpeg,
          plan: conformancePlan('awe'),
          intensity: 0.6,
          seed: 1,
          signal: controller.signal,
        }),
        (error: unknown) => error instanceof Error && (error.name === 'AbortError' || /abort/i.test(error.message)),
      );
    });

    it('reports rendering progress', async () => {
      const events: Progress[] = [];
      await renderer.render({
        image: pictures.jpeg,
        plan: conformancePlan('anger'),
        intensity: 0.6,
        seed: 1,
        onProgress: (p) => events.push(p),
      });
      const rendering = events.filter((e) => e.stage === 'rendering');
      assert.ok(rendering.length >= 1, 'at least one rendering step is reported');
      for (const event of rendering) {
        assert.ok(event.step >= 1 && event.step <= event.steps, `step ${event.step} of ${event.steps}`);
      }
    });
  });
}

/** Mean absolute difference of two pictures' pixels, 0–255, on a 64-pixel downscale. */
export async function meanAbsoluteDifference(a: Buffer, b: Buffer): Promise<number> {
  const read = (bytes: Buffer) => sharp(bytes).resize(64, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const [x, y] = await Promise.all([read(a), read(b)]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}
