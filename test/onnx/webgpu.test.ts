/**
 * ONNX Runtime's WebGPU provider (Dawn over Vulkan) against the CPU provider, on the tiny
 * diffusion renderer and the tiny planner decoder, fp32 and fp16. On a CPU-only Debian 12 host
 * this runs on Mesa 25's software Vulkan (lavapipe, from bookworm-backports; `.ci/run` installs
 * it); without any Vulkan device every test here is skipped, and says so.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { CheckedImage } from '../../src/image/image.ts';
import type { EditPlan } from '../../src/planner/planner.ts';
import { createDiffusionRenderer, GuidedUnet } from '../../src/onnx/diffusion-renderer.ts';
import { explainProviderFailure, sessionOptionsFor, WEBGPU_INSTALL_HINT } from '../../src/onnx/execution-provider.ts';
import { GaussianNoise } from '../../src/onnx/noise.ts';
import { OptDecoder } from '../../src/onnx/opt-decoder.ts';
import {
  TINY_HIDDEN,
  tinyDecoder,
  tinyEmbedTokens,
  tinyUnet,
  tinyVaeDecoder,
  tinyWeights,
  writeTinyDiffusionModels,
} from '../helpers/tiny-onnx.ts';

/** Why WebGPU cannot run here, or undefined when it can. */
async function webgpuUnavailable(): Promise<string | undefined> {
  try {
    const session = await ort.InferenceSession.create(tinyVaeDecoder(), sessionOptionsFor('webgpu'));
    await session.release();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

const unavailable = await webgpuUnavailable();
const skip = unavailable ? `no WebGPU device on this host (${unavailable}). ${WEBGPU_INSTALL_HINT}` : false;
if (skip) console.warn(`\n*** SKIPPED: the WebGPU tests: ${skip}\n`);

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
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'moodshift-webgpu-'));
  const bytes = await sharp('test/fixtures/images/chelsea.png').resize(96, 64, { fit: 'fill' }).png().toBuffer();
  picture = { bytes, format: 'png', width: 96, height: 64 };
});
after(() => rm(root, { recursive: true, force: true }));

function worstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('the WebGPU execution provider', { skip }, () => {
  for (const floatType of ['float32', 'float16'] as const) {
    const tolerance = floatType === 'float32' ? 1e-4 : 2e-2;

    it(`gives the CPU provider's guided UNet predictions (${floatType})`, async () => {
      const bytes = tinyUnet(floatType, 'int64');
      const cpu = await ort.InferenceSession.create(bytes, sessionOptionsFor('cpu'));
      const gpu = await ort.InferenceSession.create(bytes, sessionOptionsFor('webgpu'));
      const noise = new GaussianNoise(4);
      const imageLatent = { data: noise.fill(4 * 8 * 8), dims: [1, 4, 8, 8] };
      const conditioning = { data: noise.fill(3 * 16 * 8), dims: [3, 16, 8] };
      const latent = noise.fill(4 * 8 * 8);
      const a = await new GuidedUnet(cpu, imageLatent, conditioning, { text: 7.5, image: 1.5 }).predict(latent, 901);
      const b = await new GuidedUnet(gpu, imageLatent, conditioning, { text: 7.5, image: 1.5 }).predict(latent, 901);
      const worst = worstDifference(a, b);
      assert.ok(worst < tolerance * 10, `webgpu and cpu differ by up to ${worst}`);
      assert.ok(
        a.some((v) => Math.abs(v) > 0.1),
        'the prediction is not trivially zero',
      );
      await Promise.all([cpu.release(), gpu.release()]);
    });

    it(`renders the tiny diffusion export as the CPU provider does (${floatType}, with EPEM's PER blocks)`, async () => {
      const dir = join(root, `diffusion-${floatType}`);
      await writeTinyDiffusionModels(dir, { floatType, withPer: true });
      const cpu = await createDiffusionRenderer({
        modelsDir: dir,
        steps: 3,
        scheduler: 'ddim',
        executionProvider: 'cpu',
      });
      const gpu = await createDiffusionRenderer({
        modelsDir: dir,
        steps: 3,
        scheduler: 'ddim',
        executionProvider: 'webgpu',
      });
      try {
        assert.equal(gpu.usesEmotionBlocks, true);
        const latents = new GaussianNoise(21).fill(4 * 16 * 8);
        const a = await cpu.render({ image: picture, plan, intensity: 0.6, seed: 1 }, { initialLatents: latents });
        const b = await gpu.render({ image: picture, plan, intensity: 0.6, seed: 1 }, { initialLatents: latents });
        const [x, y] = await Promise.all([sharp(a.bytes).raw().toBuffer(), sharp(b.bytes).raw().toBuffer()]);
        const worst = worstDifference(x, y);
        // 8-bit pixels: a float difference far below one level may still round across one.
        assert.ok(
          worst <= (floatType === 'float32' ? 1 : 3),
          `webgpu and cpu pictures differ by up to ${worst} levels`,
        );
      } finally {
        await cpu.close();
        await gpu.close();
      }
    });

    it(`decodes the tiny planner's tokens as the CPU provider does (${floatType}, greedy and beam 3)`, async () => {
      const decoderBytes = tinyDecoder({ floatType });
      const embedBytes = tinyEmbedTokens(floatType);
      const sessions = await Promise.all(
        (['cpu', 'webgpu'] as const).flatMap((provider) =>
          [decoderBytes, embedBytes].map((bytes) => ort.InferenceSession.create(bytes, sessionOptionsFor(provider))),
        ),
      );
      const [cpuDecoder, cpuEmbed, gpuDecoder, gpuEmbed] = sessions as [
        ort.InferenceSession,
        ort.InferenceSession,
        ort.InferenceSession,
        ort.InferenceSession,
      ];
      const prefix = Float32Array.from(tinyWeights(9 * TINY_HIDDEN, 77, 1));
      for (const beamWidth of [1, 3]) {
        const a = await new OptDecoder(cpuDecoder, cpuEmbed).generate(prefix, 9, {
          maxNewTokens: 8,
          endTokenId: -1,
          beamWidth,
        });
        const b = await new OptDecoder(gpuDecoder, gpuEmbed).generate(prefix, 9, {
          maxNewTokens: 8,
          endTokenId: -1,
          beamWidth,
        });
        assert.deepEqual(b.tokens, a.tokens, `beam ${beamWidth}`);
        a.stepLogits.forEach((logits, step) => {
          const worst = worstDifference(logits, b.stepLogits[step]!);
          assert.ok(worst < tolerance * 20, `beam ${beamWidth} step ${step}: logits differ by up to ${worst}`);
        });
      }
      await Promise.all(sessions.map((s) => s.release()));
    });
  }

  it('explains a missing WebGPU adapter with what to install', () => {
    const failure = new Error('webgpu_context.cc:136 Failed to get a WebGPU adapter: No supported adapters');
    const explained = explainProviderFailure('webgpu', 'unet/model.onnx', failure);
    assert.equal(explained?.name, 'ConfigError');
    assert.match(
      explained!.message,
      /Could not start WebGPU for unet\/model\.onnx: .*No supported adapters.*mesa-vulkan-drivers/s,
    );
  });
});
