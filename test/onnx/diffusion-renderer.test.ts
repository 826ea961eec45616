import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { CheckedImage } from '../../src/image/image.ts';
import type { EditPlan } from '../../src/planner/planner.ts';
import type { Progress } from '../../src/turn.ts';
import {
  combineGuidance,
  createDiffusionRenderer,
  guidanceScales,
  GuidedUnet,
  perConditioning,
} from '../../src/onnx/diffusion-renderer.ts';
import { GaussianNoise } from '../../src/onnx/noise.ts';
import { DdimScheduler, EulerAncestralScheduler } from '../../src/onnx/schedulers.ts';
import { tinyUnet, writeTinyDiffusionModels } from '../helpers/tiny-onnx.ts';
import { runRendererConformance } from '../renderer/renderer.conformance.ts';

const plan: EditPlan = {
  source: 'contentment',
  target: 'sadness',
  caption: 'a cat in a sunny field',
  editedCaption: 'a cat in a grey gloomy field',
  elements: ['color', 'scene'],
  instruction: 'Please change the emotion of this image from contentment to sadness',
  planner: 'knowledge',
};

let root: string;
let picture: CheckedImage;

async function fixture(width: number, height: number, format: 'png' | 'jpeg'): Promise<CheckedImage> {
  const pipeline = sharp('test/fixtures/images/chelsea.png').resize(width, height, { fit: 'fill' });
  const bytes = await (format === 'png' ? pipeline.png() : pipeline.jpeg()).toBuffer();
  return { bytes, format, width, height };
}

async function modelsDir(name: string, options: Parameters<typeof writeTinyDiffusionModels>[1] = {}): Promise<string> {
  const dir = join(root, name);
  await writeTinyDiffusionModels(dir, options);
  return dir;
}

async function meanAbsoluteDifference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([sharp(a).raw().toBuffer(), sharp(b).raw().toBuffer()]);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]! - y[i]!);
  return sum / x.length;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'moodshift-diffusion-'));
  picture = await fixture(64, 64, 'png');
});
after(() => rm(root, { recursive: true, force: true }));

describe('three-way classifier-free guidance', () => {
  // The probe UNet returns, for every batch row, image latent + mean of the text embedding.
  // Rows (text, v), (∅, v), (∅, 0) with v = 1, text = 2, ∅ = 5 predict 3, 6 and 5, so the guided
  // noise is 5 + 7.5·(3 − 6) + 1.5·(6 − 5) = −16. Any other row order or scale order differs.
  const probe = tinyUnet('float32', 'int64', {
    noise: 0,
    image: 1,
    text: 1,
    timestep: 0,
    textProjection: new Array(32).fill(1 / 8),
  });
  const imageLatent = { data: new Float32Array(4 * 8 * 8).fill(1), dims: [1, 4, 8, 8] };
  const conditioning = {
    data: Float32Array.from({ length: 3 * 16 * 8 }, (_, i) => (i < 16 * 8 ? 2 : 5)),
    dims: [3, 16, 8],
  };

  /** The same graph, reporting a fixed batch of 1 as some exports do: the rows then run one at a time. */
  function withFixedBatchOfOne(session: ort.InferenceSession): ort.InferenceSession {
    return Object.create(session, {
      inputMetadata: {
        value: session.inputMetadata.map((m) =>
          m.name === 'sample' && m.isTensor ? { ...m, shape: [1, 8, 'height', 'width'] } : m,
        ),
      },
      run: { value: session.run.bind(session) },
    }) as ort.InferenceSession;
  }

  it('combines the text, image and unconditional predictions in diffusers order', async () => {
    const session = await ort.InferenceSession.create(probe);
    const unet = new GuidedUnet(session, imageLatent, conditioning, { text: 7.5, image: 1.5 });
    const guided = await unet.predict(new Float32Array(4 * 8 * 8), 901);
    assert.equal(guided.length, 4 * 8 * 8);
    for (const value of guided) assert.ok(Math.abs(value + 16) < 1e-4, `expected -16, got ${value}`);
    await session.release();
  });

  it('gives the same guidance when the export fixes the batch to one row', async () => {
    const session = await ort.InferenceSession.create(probe);
    const fixed = withFixedBatchOfOne(session);
    const unet = new GuidedUnet(fixed, imageLatent, conditioning, { text: 7.5, image: 1.5 });
    const guided = await unet.predict(new Float32Array(4 * 8 * 8), 901);
    for (const value of guided) assert.ok(Math.abs(value + 16) < 1e-4, `expected -16, got ${value}`);
    await session.release();
  });

  it('feeds an export with a batch fixed at 2 two rows per call, never one', async () => {
    // The graph itself fixes the batch: ONNX Runtime refuses any other.
    const fixedTwo = tinyUnet(
      'float32',
      'int64',
      { noise: 0, image: 1, text: 1, timestep: 0, textProjection: new Array(32).fill(1 / 8) },
      2,
    );
    const session = await ort.InferenceSession.create(fixedTwo);
    const batches: number[] = [];
    const recording = Object.create(session, {
      run: { value: (feeds: Record<string, ort.Tensor>) => (batches.push(feeds.sample!.dims[0]!), session.run(feeds)) },
    }) as ort.InferenceSession;
    for (const half of [false, true]) {
      const target = half
        ? await ort.InferenceSession.create(
            tinyUnet(
              'float16',
              'int64',
              { noise: 0, image: 1, text: 1, timestep: 0, textProjection: new Array(32).fill(1 / 8) },
              2,
            ),
          )
        : recording;
      const guided = await new GuidedUnet(target, imageLatent, conditioning, { text: 7.5, image: 1.5 }).predict(
        new Float32Array(4 * 8 * 8),
        901,
      );
      for (const value of guided) assert.ok(Math.abs(value + 16) < (half ? 0.05 : 1e-4), `expected -16, got ${value}`);
    }
    assert.deepEqual(batches, [2, 2]);
    await session.release();
  });

  it('runs a free-batch export a row at a time when the provider cannot run the batch (WebGPU storage-buffer limit)', async () => {
    const session = await ort.InferenceSession.create(probe);
    const batches: number[] = [];
    // As ONNX Runtime's WebGPU provider on a device with few storage buffers per shader (lavapipe: 16).
    const limited = Object.create(session, {
      run: {
        value: (feeds: Record<string, ort.Tensor>) => {
          batches.push(feeds.sample!.dims[0]!);
          if (feeds.sample!.dims[0]! > 1)
            return Promise.reject(new Error('Too many storage buffers in shader. Current: 25, Max is 16'));
          return session.run(feeds);
        },
      },
    }) as ort.InferenceSession;
    const reasons: string[] = [];
    const unet = new GuidedUnet(limited, imageLatent, conditioning, { text: 7.5, image: 1.5 }, (reason) =>
      reasons.push(reason),
    );
    for (let step = 0; step < 2; step++) {
      const guided = await unet.predict(new Float32Array(4 * 8 * 8), 901);
      for (const value of guided) assert.ok(Math.abs(value + 16) < 1e-4, `expected -16, got ${value}`);
    }
    assert.deepEqual(batches, [3, 1, 1, 1, 1, 1, 1], 'one failed batch, then rows one at a time');
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!, /storage buffers/);
    // A fixed-batch export is never fed another batch: the error stands.
    const fixedThree = await ort.InferenceSession.create(
      tinyUnet('float32', 'int64', { noise: 0, image: 1, text: 1, timestep: 0 }, 3),
    );
    const failing = Object.create(fixedThree, {
      run: { value: () => Promise.reject(new Error('Too many storage buffers in shader')) },
    }) as ort.InferenceSession;
    await assert.rejects(
      new GuidedUnet(failing, imageLatent, conditioning, { text: 7.5, image: 1.5 }).run(901),
      /storage buffers/,
    );
    await Promise.all([session.release(), fixedThree.release()]);
  });

  it('feeds an export with a batch fixed at 3 in one call, and refuses a batch it cannot serve', async () => {
    const probeWeights = { noise: 0, image: 1, text: 1, timestep: 0, textProjection: new Array(32).fill(1 / 8) };
    const three = await ort.InferenceSession.create(tinyUnet('float32', 'int64', probeWeights, 3));
    const guided = await new GuidedUnet(three, imageLatent, conditioning, { text: 7.5, image: 1.5 }).predict(
      new Float32Array(4 * 8 * 8),
      901,
    );
    for (const value of guided) assert.ok(Math.abs(value + 16) < 1e-4);
    const four = await ort.InferenceSession.create(tinyUnet('float32', 'int64', probeWeights, 4));
    assert.throws(
      () => new GuidedUnet(four, imageLatent, conditioning, { text: 7.5, image: 1.5 }),
      (error: Error) => {
        assert.equal(error.name, 'ConfigError');
        assert.match(error.message, /unet\/model\.onnx takes a fixed batch of 4 rows/);
        assert.match(error.message, /free batch axis, or with batch 3/);
        return true;
      },
    );
    await Promise.all([three.release(), four.release()]);
  });

  it('gives the same guidance from a float16 UNet, batched or one row at a time', async () => {
    const halfProbe = tinyUnet('float16', 'int64', {
      noise: 0,
      image: 1,
      text: 1,
      timestep: 0,
      textProjection: new Array(32).fill(1 / 8),
    });
    const session = await ort.InferenceSession.create(halfProbe);
    const fixed = withFixedBatchOfOne(session);
    for (const target of [session, fixed]) {
      const guided = await new GuidedUnet(target, imageLatent, conditioning, { text: 7.5, image: 1.5 }).predict(
        new Float32Array(4 * 8 * 8),
        901,
      );
      for (const value of guided) assert.ok(Math.abs(value + 16) < 0.05, `expected -16, got ${value}`);
    }
    await session.release();
  });

  it('guides, steps and writes the next input in one pass, as the separate functions do', async () => {
    // A UNet that returns its noisy-latent input shows what advance wrote for the next step.
    const echo = await ort.InferenceSession.create(
      tinyUnet('float32', 'int64', { noise: 1, image: 0, text: 0, timestep: 0 }),
    );
    const rowLength = 4 * 8 * 8;
    const noise = new GaussianNoise(3);
    const prediction = noise.fill(3 * rowLength);
    for (const scheduler of [new EulerAncestralScheduler(10), new DdimScheduler(10)]) {
      const unet = new GuidedUnet(echo, imageLatent, conditioning, { text: 7.5, image: 1.5 });
      const start = noise.fill(rowLength);
      const guided = combineGuidance(prediction, rowLength, 7.5, 1.5);
      const expected = scheduler.step(guided, 2, start, new GaussianNoise(11));
      const coefficients = scheduler.coefficients(2);
      const fresh = new GaussianNoise(11).fill(rowLength, coefficients.noise);
      const latent = start.slice();
      unet.advance(
        prediction,
        latent,
        coefficients,
        coefficients.noise === 0 ? new Float32Array(rowLength) : fresh,
        scheduler.inputScale(3),
      );
      latent.forEach((value, i) =>
        assert.ok(Math.abs(value - expected[i]!) < 1e-4, `${scheduler.kind} element ${i}: ${value} vs ${expected[i]}`),
      );
      const nextInput = await unet.run(scheduler.timesteps[3]!);
      const scaled = scheduler.scaleModelInput(expected, 3);
      for (let row = 0; row < 3; row++)
        for (let i = 0; i < rowLength; i++)
          assert.ok(
            Math.abs(nextInput[row * rowLength + i]! - scaled[i]!) < 1e-4,
            `${scheduler.kind} row ${row} element ${i}`,
          );
    }
    await echo.release();
  });

  it('maps intensity to the guidance scales, with the defaults at medium intensity', () => {
    assert.deepEqual(guidanceScales(0.6), { text: 7.5, image: 1.5 });
    const weak = guidanceScales(0.3);
    const strong = guidanceScales(1);
    assert.ok(weak.text < 7.5 && strong.text > 7.5, 'a stronger edit follows the text more');
    assert.ok(weak.image > 1.5 && strong.image < 1.5, 'a weaker edit holds the original picture more');
    assert.ok(strong.image >= 1);
  });
});

describe('diffusion renderer on tiny models', () => {
  it('edits a 64×64 picture in a few steps and gives the same picture for the same seed', async () => {
    const renderer = await createDiffusionRenderer({ modelsDir: await modelsDir('basic'), steps: 3 });
    try {
      const progress: Progress[] = [];
      const first = await renderer.render({
        image: picture,
        plan,
        intensity: 0.6,
        seed: 7,
        onProgress: (p) => progress.push(p),
      });
      const again = await renderer.render({ image: picture, plan, intensity: 0.6, seed: 7 });
      const otherSeed = await renderer.render({ image: picture, plan, intensity: 0.6, seed: 8 });
      assert.equal(first.width, 64);
      assert.equal(first.height, 64);
      assert.equal(first.format, 'png');
      assert.ok(first.bytes.equals(again.bytes), 'same seed, same picture');
      assert.ok(!first.bytes.equals(otherSeed.bytes), 'another seed, another picture');
      assert.ok((await meanAbsoluteDifference(first.bytes, picture.bytes)) > 1, 'the picture changed');
      assert.deepEqual(
        progress,
        [1, 2, 3].map((step) => ({ stage: 'rendering', step, steps: 3 })),
      );
    } finally {
      await renderer.close();
    }
  });

  it('returns a picture of the input size and format when the sides are not multiples of 64', async () => {
    const renderer = await createDiffusionRenderer({ modelsDir: await modelsDir('sizes'), steps: 2 });
    try {
      const odd = await fixture(90, 50, 'jpeg');
      const result = await renderer.render({ image: odd, plan, intensity: 0.6, seed: 1 });
      assert.equal(result.format, 'jpeg');
      const metadata = await sharp(result.bytes).metadata();
      assert.equal(metadata.format, 'jpeg');
      assert.deepEqual([metadata.width, metadata.height, result.width, result.height], [90, 50, 90, 50]);
    } finally {
      await renderer.close();
    }
  });

  it("keeps a transparent picture's alpha channel as it was", async () => {
    const renderer = await createDiffusionRenderer({ modelsDir: await modelsDir('alpha'), steps: 2 });
    try {
      // A 90×50 cut-out: opaque disc, transparent corners, a soft edge between.
      const mask = Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="50"><defs><radialGradient id="g"><stop offset="0.7" stop-color="#fff"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs><ellipse cx="45" cy="25" rx="45" ry="25" fill="url(#g)"/></svg>',
      );
      const alpha = await sharp(mask).extractChannel('alpha').raw().toBuffer();
      const rgb = await sharp('test/fixtures/images/chelsea.png')
        .resize(90, 50, { fit: 'fill' })
        .removeAlpha()
        .raw()
        .toBuffer();
      for (const format of ['png', 'webp'] as const) {
        const joined = sharp(rgb, { raw: { width: 90, height: 50, channels: 3 } }).joinChannel(alpha, {
          raw: { width: 90, height: 50, channels: 1 },
        });
        const bytes = await (format === 'png' ? joined.png() : joined.webp({ lossless: true })).toBuffer();
        const result = await renderer.render({
          image: { bytes, format, width: 90, height: 50 },
          plan,
          intensity: 0.6,
          seed: 1,
        });
        const metadata = await sharp(result.bytes).metadata();
        assert.equal(metadata.hasAlpha, true, `${format} keeps its alpha channel`);
        const resultAlpha = await sharp(result.bytes).extractChannel('alpha').raw().toBuffer();
        let worst = 0;
        for (let i = 0; i < alpha.length; i++) worst = Math.max(worst, Math.abs(resultAlpha[i]! - alpha[i]!));
        assert.ok(worst <= (format === 'png' ? 0 : 2), `${format}: alpha differs by up to ${worst}`);
      }
      const opaque = await renderer.render({ image: await fixture(64, 64, 'png'), plan, intensity: 0.6, seed: 1 });
      assert.equal((await sharp(opaque.bytes).metadata()).hasAlpha, false, 'an opaque picture stays without alpha');
    } finally {
      await renderer.close();
    }
  });

  it('renders a stronger intensity differently', async () => {
    const renderer = await createDiffusionRenderer({ modelsDir: await modelsDir('intensity'), steps: 2 });
    try {
      const medium = await renderer.render({ image: picture, plan, intensity: 0.6, seed: 3 });
      const strong = await renderer.render({ image: picture, plan, intensity: 1, seed: 3 });
      assert.ok(!medium.bytes.equals(strong.bytes));
    } finally {
      await renderer.close();
    }
  });

  it('stops between steps when the edit is cancelled', async () => {
    const renderer = await createDiffusionRenderer({ modelsDir: await modelsDir('cancel'), steps: 5 });
    try {
      const controller = new AbortController();
      const steps: number[] = [];
      await assert.rejects(
        renderer.render({
          image: picture,
          plan,
          intensity: 0.6,
          seed: 1,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.stage === 'rendering') steps.push(p.step);
            if (p.stage === 'rendering' && p.step === 2) controller.abort();
          },
        }),
        { name: 'AbortError' },
      );
      assert.deepEqual(steps, [1, 2]);
    } finally {
      await renderer.close();
    }
  });

  it("reads Optimum's latent_parameters as the latent's mean", async () => {
    const diffusers = await createDiffusionRenderer({ modelsDir: await modelsDir('latent-sample'), steps: 2 });
    const optimum = await createDiffusionRenderer({
      modelsDir: await modelsDir('latent-parameters', { vaeEncoderOutput: 'latent_parameters' }),
      steps: 2,
    });
    try {
      // The tiny encoders share the mean's weights; reading the log-variance half would shift everything by 5.
      const a = await diffusers.render({ image: picture, plan, intensity: 0.6, seed: 5 });
      const b = await optimum.render({ image: picture, plan, intensity: 0.6, seed: 5 });
      assert.ok(a.bytes.equals(b.bytes));
    } finally {
      await diffusers.close();
      await optimum.close();
    }
  });

  it('runs float16 exports with a float timestep close to the float32 result', async () => {
    const full = await createDiffusionRenderer({ modelsDir: await modelsDir('fp32'), steps: 2, scheduler: 'ddim' });
    const half = await createDiffusionRenderer({
      modelsDir: await modelsDir('fp16', { floatType: 'float16', timestepType: 'float16' }),
      steps: 2,
      scheduler: 'ddim',
    });
    try {
      const a = await full.render({ image: picture, plan, intensity: 0.6, seed: 9 });
      const b = await half.render({ image: picture, plan, intensity: 0.6, seed: 9 });
      assert.ok((await meanAbsoluteDifference(a.bytes, b.bytes)) < 3, 'fp16 and fp32 agree to a few levels');
    } finally {
      await full.close();
      await half.close();
    }
  });

  it("starts from given initial latents scaled by the initial noise sigma, as diffusers' prepare_latents", async () => {
    const renderer = await createDiffusionRenderer({ modelsDir: await modelsDir('hook'), steps: 2, scheduler: 'ddim' });
    try {
      const latents = new GaussianNoise(99).fill(4 * 8 * 8);
      const a = await renderer.render({ image: picture, plan, intensity: 0.6, seed: 1 }, { initialLatents: latents });
      const b = await renderer.render({ image: picture, plan, intensity: 0.6, seed: 2 }, { initialLatents: latents });
      const seeded = await renderer.render({ image: picture, plan, intensity: 0.6, seed: 99 });
      assert.ok(a.bytes.equals(b.bytes), 'the seed no longer matters');
      assert.ok(a.bytes.equals(seeded.bytes), "seed 99's own first draw is the same latent (DDIM draws nothing else)");
      await assert.rejects(
        renderer.render({ image: picture, plan, intensity: 0.6, seed: 1 }, { initialLatents: new Float32Array(3) }),
        /initialLatents has 3 values/,
      );
    } finally {
      await renderer.close();
    }
  });

  it('pads a wide picture instead of stretching it and returns it at its own size', async () => {
    const renderer = await createDiffusionRenderer({ modelsDir: await modelsDir('wide'), steps: 1 });
    try {
      // 200×64 is laid out as 256×64 (content 200×64 at left 28); the old code stretched it to 192×64.
      const wide = await fixture(200, 64, 'png');
      const result = await renderer.render({ image: wide, plan, intensity: 0.6, seed: 1 });
      assert.deepEqual([result.width, result.height], [200, 64]);
      const metadata = await sharp(result.bytes).metadata();
      assert.deepEqual([metadata.width, metadata.height], [200, 64]);
    } finally {
      await renderer.close();
    }
  });

  it("joins EPEM's EAI block and adapter to the conditioning when the export has them", async () => {
    const dir = await modelsDir('per', { withPer: true });
    const withBlocks = await createDiffusionRenderer({ modelsDir: dir, steps: 2 });
    const without = await createDiffusionRenderer({ modelsDir: dir, steps: 2, emotionBlocks: 'off' });
    try {
      assert.equal(withBlocks.usesEmotionBlocks, true);
      assert.equal(without.usesEmotionBlocks, false);
      const a = await withBlocks.render({ image: picture, plan, intensity: 0.6, seed: 2 });
      const b = await without.render({ image: picture, plan, intensity: 0.6, seed: 2 });
      assert.ok(!a.bytes.equals(b.bytes));
    } finally {
      await withBlocks.close();
      await without.close();
    }
  });
});

describe("EPEM's PER contract", () => {
  const text = { data: Float32Array.from({ length: 2 * 3 }, (_, i) => i + 1), dims: [1, 2, 3] };
  const empty = { data: Float32Array.from({ length: 2 * 3 }, (_, i) => 10 * (i + 1)), dims: [1, 2, 3] };

  it('builds h = [q_t + f ; q′] for the text and [q_∅ + f_∅ ; q′] for both unconditional rows', () => {
    const per = {
      textAdapted: { data: new Float32Array(6).fill(0.5), dims: [1, 2, 3] },
      emptyAdapted: { data: new Float32Array(6).fill(-1), dims: [1, 2, 3] },
      qPrime: { data: Float32Array.from([7, 8, 9]), dims: [1, 1, 3] },
    };
    const h = perConditioning(text, empty, per);
    assert.deepEqual(h.dims, [3, 3, 3]);
    const rowOf = (r: number): number[] => [...h.data.subarray(r * 9, (r + 1) * 9)];
    assert.deepEqual(rowOf(0), [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7, 8, 9]);
    assert.deepEqual(rowOf(1), [9, 19, 29, 39, 49, 59, 7, 8, 9]);
    assert.deepEqual(rowOf(2), rowOf(1));
    assert.ok(!h.data.some((value) => value === 0), 'no zero padding vectors');
  });

  it("without PER parts is CLIP's text and empty-prompt embeddings", () => {
    const h = perConditioning(text, empty);
    assert.deepEqual(h.dims, [3, 2, 3]);
    assert.deepEqual([...h.data], [...text.data, ...empty.data, ...empty.data]);
  });

  it('refuses an adapter or EAI output of the wrong shape', () => {
    const good = { data: new Float32Array(6), dims: [1, 2, 3] };
    assert.throws(
      () =>
        perConditioning(text, empty, {
          textAdapted: { data: new Float32Array(3), dims: [1, 1, 3] },
          emptyAdapted: good,
          qPrime: { data: new Float32Array(3), dims: [1, 1, 3] },
        }),
      /per\/adapter\.onnx returns f of shape \[1, 1, 3\]/,
    );
    assert.throws(
      () =>
        perConditioning(text, empty, {
          textAdapted: good,
          emptyAdapted: good,
          qPrime: { data: new Float32Array(4), dims: [1, 1, 4] },
        }),
      /q_prime of shape \[1, 1, 4\]; its width must be the text encoder's, 3/,
    );
  });

  it("reduces exactly to plain InstructPix2Pix at the paper's zero initialisation (f = 0, no q′ rows)", async () => {
    const dir = await modelsDir('per-zero', { withPer: true, perAtZeroInit: true });
    const withBlocks = await createDiffusionRenderer({ modelsDir: dir, steps: 3, scheduler: 'euler' });
    const plain = await createDiffusionRenderer({ modelsDir: dir, steps: 3, scheduler: 'euler', emotionBlocks: 'off' });
    try {
      assert.equal(withBlocks.usesEmotionBlocks, true);
      for (const seed of [1, 2]) {
        const a = await withBlocks.render({ image: picture, plan, intensity: 0.6, seed });
        const b = await plain.render({ image: picture, plan, intensity: 0.6, seed });
        assert.ok(a.bytes.equals(b.bytes), `seed ${seed}: the same picture to the byte`);
      }
    } finally {
      await withBlocks.close();
      await plain.close();
    }
  });

  it('refuses an EAI export with the old single output, naming the file and both signatures', async () => {
    const dir = await modelsDir('per-old', { withPer: true });
    const { GraphBuilder, writeModel } = await import('../helpers/tiny-onnx.ts');
    const g = new GraphBuilder();
    const query = g.input('query_embeds', 'float32', ['batch', 'queries', 8]);
    g.input('image_latents', 'float32', ['batch', 4, 'h', 'w']);
    g.op('Identity', [query], {}, 'emotion_embeds');
    g.output('emotion_embeds', 'float32', ['batch', 'queries', 8]);
    await writeModel(join(dir, 'per/eai.onnx'), g.encode('old-eai'));
    await assert.rejects(createDiffusionRenderer({ modelsDir: dir }), (error: Error) => {
      assert.match(error.message, /per\/eai\.onnx does not have the signature/);
      assert.match(error.message, /no output named q_prime/);
      assert.match(error.message, /expected inputs: query_embeds .* outputs: q_prime .*v_prime/);
      assert.match(error.message, /found +inputs: query_embeds .* outputs: emotion_embeds/);
      return true;
    });
  });
});

describe('diffusion renderer start-up checks', () => {
  it('names a missing model file and what it must contain', async () => {
    const dir = await modelsDir('missing');
    await rm(join(dir, 'unet/model.onnx'));
    await assert.rejects(createDiffusionRenderer({ modelsDir: dir }), (error: Error) => {
      assert.equal(error.name, 'ConfigError');
      assert.match(error.message, /unet\/model\.onnx is missing/);
      assert.match(error.message, /encoder_hidden_states/);
      return true;
    });
  });

  it('refuses a truncated model file', async () => {
    const dir = await modelsDir('truncated');
    const bytes = tinyUnet();
    await writeFile(join(dir, 'unet/model.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(
      createDiffusionRenderer({ modelsDir: dir }),
      /unet\/model\.onnx .*could not be loaded.*truncated/s,
    );
  });

  it('refuses a model with the wrong signature, saying what was expected and found', async () => {
    const dir = await modelsDir('wrong');
    // A VAE decoder where the UNet should be.
    const { tinyVaeDecoder } = await import('../helpers/tiny-onnx.ts');
    await writeFile(join(dir, 'unet/model.onnx'), tinyVaeDecoder());
    await assert.rejects(createDiffusionRenderer({ modelsDir: dir }), (error: Error) => {
      assert.match(error.message, /unet\/model\.onnx does not have the signature/);
      assert.match(error.message, /no input named timestep/);
      assert.match(error.message, /expected inputs: sample/);
      assert.match(error.message, /found +inputs: latent_sample float32/);
      return true;
    });
  });

  it('refuses a bad option with a sentence saying what to change', async () => {
    await assert.rejects(
      createDiffusionRenderer({ modelsDir: root, steps: 0 }),
      /steps must be a whole number from 1 to 1000/,
    );
  });
});

describe('diffusion renderer beside the planner', () => {
  it("does not switch EPEM's blocks on just because the planner's BLIP-2 files are there", async () => {
    const dir = await modelsDir('with-planner');
    const { writeTinyPlannerModels } = await import('../helpers/tiny-onnx.ts');
    await writeTinyPlannerModels(dir);
    const renderer = await createDiffusionRenderer({ modelsDir: dir, steps: 1 });
    try {
      assert.equal(renderer.usesEmotionBlocks, false);
    } finally {
      await renderer.close();
    }
  });
});

runRendererConformance('diffusion (tiny models)', async () => {
  const dir = join(tmpdir(), `moodshift-diffusion-conformance-${process.pid}`);
  await writeTinyDiffusionModels(dir);
  return createDiffusionRenderer({ modelsDir: dir, steps: 2 });
});
