/**
 * @module The Node side of the reference tests (models/tests/): runs moodshift's own diffusion renderer or
 * onnx planner on a folder exported by `python -m moodshift_models`, and writes what the Python side compares
 * with diffusers' and transformers' reference implementations.
 *
 *   node --import tsx test/models/reference-driver.ts render --models DIR --image IN.png --out OUT.png
 *     --noise NOISE.f32 [--scheduler ddim|euler-ancestral] [--steps N] [--seed N] [--intensity X]
 *     [--instruction TEXT] [--caption TEXT] [--emotion-blocks auto|on|off] [--pixels PIXELS.f32]
 *   node --import tsx test/models/reference-driver.ts plan --models DIR --image IN.png --out OUT.json
 *     [--beam N] [--max-new-tokens N] [--instruction TEXT] [--source EMOTION] [--target EMOTION]
 *
 * No test hook inside the renderer is needed: its noise is `GaussianNoise(seed)`, drawn in a documented
 * order (the initial latent first, `rowLength` numbers times the scheduler's initial σ; then, for each step
 * whose scheduler step adds noise, the next `rowLength` numbers). `render` writes those same draws unscaled to
 * NOISE.f32, one row per draw ([initial, step 0, step 1, …], zeros for a step that draws none), so diffusers
 * can be given the same initial latents and the same ancestral noise. `--pixels` also writes the BLIP-2
 * vision input moodshift computes (for the PER blocks), so both sides read the same pixels.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import sharp from 'sharp';
import { isEmotion, type Emotion } from '../../src/emotions.ts';
import type { CheckedImage } from '../../src/image/image.ts';
import type { EditPlan, Planner } from '../../src/planner/planner.ts';
import { blip2QueryEmbeddings } from '../../src/onnx/blip2-vision.ts';
import { DiffusionRenderer } from '../../src/onnx/diffusion-renderer.ts';
import { visionInput } from '../../src/onnx/image-tensors.ts';
import { GaussianNoise } from '../../src/onnx/noise.ts';
import { OnnxPlanner } from '../../src/onnx/onnx-planner.ts';
import { OptDecoder } from '../../src/onnx/opt-decoder.ts';
import { createScheduler, type SchedulerKind } from '../../src/onnx/schedulers.ts';
import { acquireSession } from '../../src/onnx/session-cache.ts';
import { loadManifest, manifestFile } from '../../src/onnx/manifest.ts';
import { TextTokenizer } from '../../src/onnx/tokenizer.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    models: { type: 'string' },
    image: { type: 'string' },
    out: { type: 'string' },
    noise: { type: 'string' },
    pixels: { type: 'string' },
    scheduler: { type: 'string', default: 'ddim' },
    steps: { type: 'string', default: '8' },
    seed: { type: 'string', default: '7' },
    intensity: { type: 'string', default: '0.6' },
    instruction: { type: 'string', default: 'Please change the emotion of this image from sadness to amusement' },
    caption: { type: 'string', default: 'a bright field under a warm sun' },
    'emotion-blocks': { type: 'string', default: 'auto' },
    beam: { type: 'string', default: '1' },
    'max-new-tokens': { type: 'string', default: '24' },
    source: { type: 'string', default: 'sadness' },
    target: { type: 'string', default: 'amusement' },
  },
});

function required(name: 'models' | 'image' | 'out'): string {
  const value = values[name];
  if (!value) throw new Error(`reference-driver: --${name} is required`);
  return value;
}

function emotion(value: string | undefined): Emotion {
  if (!value || !isEmotion(value)) throw new Error(`reference-driver: ${value} is not an emotion`);
  return value;
}

async function readImage(path: string): Promise<CheckedImage> {
  const bytes = await sharp(path).png().toBuffer();
  const { width, height } = await sharp(bytes).metadata();
  return { bytes, format: 'png', width: width!, height: height! };
}

function fixedPlan(): EditPlan {
  return {
    source: emotion(values.source),
    target: emotion(values.target),
    caption: 'a grey field',
    editedCaption: values.caption!,
    elements: ['color'],
    instruction: values.instruction!,
    planner: 'reference',
  };
}

async function render(): Promise<void> {
  const modelsDir = required('models');
  const image = await readImage(required('image'));
  const steps = Number(values.steps);
  const seed = Number(values.seed);
  const kind = values.scheduler as SchedulerKind;
  const renderer = await DiffusionRenderer.create({
    modelsDir,
    steps,
    scheduler: kind,
    emotionBlocks: values['emotion-blocks'] as 'auto' | 'on' | 'off',
  });
  try {
    const result = await renderer.render({ image, plan: fixedPlan(), intensity: Number(values.intensity), seed });
    await writeFile(required('out'), result.bytes);
  } finally {
    await renderer.close();
  }
  if (values.noise) {
    // The renderer's draws, unscaled: SD's VAE downsamples by 8 and its latent has 4 channels; the reference
    // pictures' sides are multiples of 64 up to 512, which the renderer takes as they are.
    if (image.width % 64 || image.height % 64 || Math.max(image.width, image.height) > 512)
      throw new Error('reference-driver: the picture\'s sides must be multiples of 64, at most 512');
    const rowLength = 4 * (image.width / 8) * (image.height / 8);
    const scheduler = createScheduler(kind, steps);
    const noise = new GaussianNoise(seed);
    const rows = new Float32Array((1 + steps) * rowLength);
    rows.set(noise.fill(rowLength), 0);
    for (let step = 0; step < steps; step++)
      if (scheduler.coefficients(step).noise !== 0) rows.set(noise.fill(rowLength), (1 + step) * rowLength);
    await writeFile(values.noise, Buffer.from(rows.buffer));
  }
  if (values.pixels) await writeFile(values.pixels, Buffer.from((await visionInput(image, 224)).buffer));
}

/** The planner's answer through `OnnxPlanner.plan` (text, and why it fell back), and the decoder's tokens. */
async function plan(): Promise<void> {
  const modelsDir = required('models');
  const image = await readImage(required('image'));
  const beamWidth = Number(values.beam);
  const maxNewTokens = Number(values['max-new-tokens']);
  const base = fixedPlan();
  const fallback: Planner = { name: 'reference', plan: () => Promise.resolve(base) };
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const planner = await OnnxPlanner.create({ modelsDir, fallback, beamWidth, maxNewTokens, logger: pino({ level: 'debug' }, sink) });
  let planned: EditPlan;
  let prompt: string;
  try {
    planned = await planner.plan({ image, target: base.target, source: base.source, intensity: 0.6 });
    prompt = planner.promptFor(base);
  } finally {
    await planner.close();
  }
  const unusable = lines.find((line) => typeof line.reason === 'string' && 'answer' in line);

  // The same pieces the planner runs, called directly, for the generated ids themselves.
  const manifest = await loadManifest();
  const load = (path: string) => acquireSession(modelsDir, manifestFile(manifest, 'onnx', path), { provider: 'cpu', backend: 'onnx' });
  const [vision, qformer, embed, decoderSession] = await Promise.all(
    ['blip2/vision_encoder.onnx', 'blip2/qformer.onnx', 'blip2/embed_tokens.onnx', 'blip2/decoder_model_merged.onnx'].map(load),
  );
  const tokenizer = await TextTokenizer.fromFile(join(modelsDir, 'blip2/tokenizer.json'));
  const exportInfo = JSON.parse(await readFile(join(modelsDir, 'blip2/export.json'), 'utf8')) as { end_token_id: number };
  const decoder = new OptDecoder(decoderSession!, embed!);
  const query = await blip2QueryEmbeddings(vision!, qformer!, image);
  const promptIds = tokenizer.encode(prompt);
  const promptEmbeds = await decoder.embed(promptIds);
  const prefix = new Float32Array(query.data.length + promptEmbeds.length);
  prefix.set(query.data);
  prefix.set(promptEmbeds, query.data.length);
  const generated = await decoder.generate(prefix, query.dims[1]! + promptIds.length, {
    maxNewTokens,
    endTokenId: exportInfo.end_token_id,
    beamWidth,
  });
  await writeFile(
    required('out'),
    JSON.stringify(
      {
        prompt,
        promptIds,
        planner: planned.planner,
        answer: unusable?.answer ?? null,
        reason: unusable?.reason ?? null,
        tokens: generated.tokens,
        finished: generated.finished,
        pixels: Array.from(await visionInput(image, 224)),
      },
      null,
      1,
    ),
  );
}

const command = positionals[0];
if (command === 'render') await render();
else if (command === 'plan') await plan();
else throw new Error(`reference-driver: unknown command ${command}; use render or plan`);
