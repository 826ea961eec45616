import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../../src/config.ts';
import { createEngine, type Engine } from '../../src/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { cudaProviderInstalled } from '../../src/onnx/execution-provider.ts';
import { writeTinyDiffusionModels, writeTinyPlannerModels } from '../helpers/tiny-onnx.ts';

describe('an engine configured with MODELS_DIR, MOODSHIFT_RENDERER=diffusion and MOODSHIFT_PLANNER=onnx', () => {
  let dir: string;
  let engine: Engine;
  let photo: Buffer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moodshift-engine-onnx-'));
    await writeTinyDiffusionModels(dir);
    await writeTinyPlannerModels(dir);
    photo = await sharp('test/fixtures/images/astronaut.png').resize(120, 90, { fit: 'fill' }).png().toBuffer();
    const config = loadConfig({
      MODELS_DIR: dir,
      MOODSHIFT_RENDERER: 'diffusion',
      MOODSHIFT_PLANNER: 'onnx',
      ORT_EXECUTION_PROVIDER: 'cpu',
    });
    engine = await createEngine(config, { logger: silentLogger });
  });
  after(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('edits a photo from free text with the ONNX planner and the diffusion renderer', async () => {
    assert.equal(engine.planner.name, 'onnx');
    assert.equal(engine.renderer.name, 'diffusion');
    const steps: number[] = [];
    const replies = await engine.editor.handle(
      {
        key: { platform: 'test', chat: 'chat-onnx', user: 'ada' },
        messageId: 'm1',
        text: 'make it sadder',
        images: [{ declaredBytes: photo.length, declaredType: 'image/png', fetch: async () => photo }],
        actor: { id: 'ada', name: 'Ada', isModerator: false },
      },
      {
        progress: (progress) => {
          if (progress.stage === 'rendering') steps.push(progress.step);
        },
      },
    );
    assert.equal(replies.length, 1);
    assert.equal(replies[0]!.kind, 'edit', replies[0]!.text);
    const image = replies[0]!.image!;
    assert.deepEqual([image.width, image.height], [120, 90]);
    const metadata = await sharp(image.bytes).metadata();
    assert.deepEqual([metadata.width, metadata.height], [120, 90]);
    assert.ok(steps.length > 0, 'rendering progress reached the person');
  });
});

describe(
  'an engine asked for CUDA on a host without the CUDA provider',
  { skip: cudaProviderInstalled() && 'this host has the CUDA provider' },
  () => {
    it('refuses to start and says how to install it', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'moodshift-engine-cuda-'));
      try {
        await writeTinyDiffusionModels(dir);
        const config = loadConfig({ MODELS_DIR: dir, MOODSHIFT_RENDERER: 'diffusion', ORT_EXECUTION_PROVIDER: 'cuda' });
        await assert.rejects(createEngine(config, { logger: silentLogger }), /ONNXRUNTIME_NODE_INSTALL=cuda12/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
