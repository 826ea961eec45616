import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { EMOTIONS } from '../../src/emotions.ts';
import { GEvalJudge, G_EVAL_INSTRUCTION, readGEvalAnswer } from '../../src/eval/metrics/g-eval.ts';
import { cosine, frechetDistance, LearnedMetrics } from '../../src/eval/metrics/learned-metrics.ts';
import { measureFaces, SAME_PERSON_DISTANCE } from '../../src/eval/metrics/faces.ts';
import { median, percentile } from '../../src/eval/metrics/timing.ts';
import { VisionRuntime } from '../../src/vision/vision-runtime.ts';
import { FakeOpenAiServer, startFakeOpenAi } from '../fakes/openai/fake-openai-server.ts';
import { writeTinyEvalModels } from './tiny-eval-models.ts';

let dir: string;
const picture = (r: number, g: number, b: number) =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moodshift-eval-metrics-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('learned metrics on ONNX Runtime', () => {
  it('says which file is missing instead of giving a number', async () => {
    const metrics = await LearnedMetrics.open({ modelsDir: join(dir, 'empty') });
    for (const [metric, file] of [
      ['LPIPS', 'eval/lpips/model.onnx'],
      ['FID', 'eval/inception/model.onnx'],
      ['CLIP-I', 'eval/clip-vision/model.onnx'],
      ['M-Eval', 'eval/emotion-classifier/model.onnx'],
    ] as const) {
      const a = metrics.availability(metric);
      assert.equal(a.measured, false);
      assert.match(
        (a as { reason: string }).reason,
        new RegExp(`^not measured: file ${file.replace(/\./g, '\\.')} missing in MODELS_DIR`),
      );
    }
    await metrics.close();
  });

  it('measures CLIP-I, CLIP-T, LPIPS, FID features and M-Eval with graphs that carry the real names', async () => {
    const models = join(dir, 'models');
    await writeTinyEvalModels(models);
    const metrics = await LearnedMetrics.open({ modelsDir: models });
    try {
      for (const metric of ['CLIP-I', 'CLIP-T', 'LPIPS', 'FID', 'M-Eval'] as const)
        assert.deepEqual(metrics.availability(metric), { measured: true }, metric);
      const red = await picture(220, 30, 30);
      const blue = await picture(30, 30, 220);
      const redImage = await metrics.clipImage(red);
      assert.ok(Math.abs(cosine(redImage, await metrics.clipImage(red)) - 1) < 1e-6);
      assert.ok(cosine(redImage, await metrics.clipImage(blue)) < 0.999);
      const caption = await metrics.clipText('a dark gloomy sky');
      assert.ok(Math.abs(cosine(caption, caption) - 1) < 1e-6);
      assert.notDeepEqual(caption, await metrics.clipText('a bright sunny field'));
      assert.equal(await metrics.lpips(red, red), 0);
      // The tiny LPIPS is the mean absolute difference in [-1, 1]: red↔blue differs by 190/255·2 in two channels of three.
      assert.ok(Math.abs((await metrics.lpips(red, blue)) - (((2 * 190) / 255) * 2) / 3) < 1e-3);
      const distribution = await metrics.classify(red);
      assert.deepEqual(Object.keys(distribution).sort(), [...EMOTIONS].sort());
      assert.ok(Math.abs(Object.values(distribution).reduce((a, b) => a + b, 0) - 1) < 1e-6);
      const features = await Promise.all(
        [red, blue, await picture(30, 200, 30)].map((p) => metrics.inceptionFeatures(p)),
      );
      assert.equal(features[0]!.length, 6);
      assert.ok(frechetDistance(features, features) < 1e-9, 'FID of a set with itself is 0');
      assert.ok(frechetDistance(features.slice(0, 2), features.slice(1)) > 0);
    } finally {
      await metrics.close();
    }
  });

  it('refuses a model whose outputs are not named as expected, naming what it found', async () => {
    const models = join(dir, 'bad-models');
    await writeTinyEvalModels(models, { wrongClipOutput: true });
    const metrics = await LearnedMetrics.open({ modelsDir: models });
    const a = metrics.availability('CLIP-I');
    assert.equal(a.measured, false);
    assert.match(
      (a as { reason: string }).reason,
      /^not measured: .*eval\/clip-vision\/model\.onnx.*no output named image_embeds/,
    );
    assert.equal(metrics.availability('LPIPS').measured, true);
    await metrics.close();
  });

  it('computes the Fréchet distance of the documented 1-D case: (μ1 − μ2)² + (σ1 − σ2)²', () => {
    // {0, 2}: mean 1, sample variance 2; {1, 5}: mean 3, variance 8. d² = 4 + (√2 − √8)² = 6.
    const d = frechetDistance([Float64Array.of(0), Float64Array.of(2)], [Float64Array.of(1), Float64Array.of(5)]);
    assert.ok(Math.abs(d - 6) < 1e-9, `FID ${d}`);
  });
});

describe('face figures', () => {
  const portrait = '/work/shared/fixtures/images/portrait-grace-hopper.jpg';

  it('finds the face again in an edit: distance 0 to itself, under 0.6 after a colour change, and reads its expression', async () => {
    const vision = new VisionRuntime();
    try {
      const original = await readFile(portrait);
      const same = await measureFaces(vision, original, original);
      assert.ok('figures' in same, JSON.stringify(same));
      assert.equal(same.figures.found, 1);
      assert.deepEqual(same.figures.identityDistances, [0]);
      // face-api reads this portrait as mostly neutral (0.84).
      assert.deepEqual(same.figures.readings, ['neutral']);
      const graded = await sharp(original)
        .modulate({ brightness: 0.85, saturation: 0.6 })
        .jpeg({ quality: 90 })
        .toBuffer();
      const edited = await measureFaces(vision, original, graded);
      assert.ok('figures' in edited);
      assert.equal(edited.figures.identityDistances.length, 1);
      assert.ok(
        edited.figures.identityDistances[0]! > 0 && edited.figures.identityDistances[0]! < SAME_PERSON_DISTANCE,
        `distance ${edited.figures.identityDistances[0]}`,
      );
      const elsewhere = await measureFaces(
        vision,
        original,
        await sharp(original).extend({ left: 400, background: '#000' }).jpeg().toBuffer(),
      );
      assert.ok(
        'figures' in elsewhere && elsewhere.figures.readings.length === 0,
        'a face that moved away is not matched',
      );
    } finally {
      await vision.close();
    }
  });

  it('says the vision runtime is not available when its models cannot load', async () => {
    const empty = join(dir, 'no-vision');
    const vision = new VisionRuntime({ paths: { faceApiModels: empty, humanModels: empty } });
    try {
      const original = await readFile(portrait);
      const outcome = await measureFaces(vision, original, original);
      assert.ok('unavailable' in outcome);
      assert.match(outcome.unavailable, /^not measured: vision runtime not available \(/);
    } finally {
      await vision.close();
    }
  });
});

describe('time per edit', () => {
  it('takes the median and the nearest-rank 90th percentile', () => {
    const ms = [5, 1, 3, 2, 4, 10, 6, 7, 8, 9];
    assert.equal(median(ms), 5.5);
    assert.equal(percentile(ms, 90), 9);
    assert.equal(percentile([42], 90), 42);
  });
});

describe('G-Eval', () => {
  let server: FakeOpenAiServer;
  before(async () => {
    server = await startFakeOpenAi();
  });
  after(() => server.close());

  it('reads an answer only when it names exactly one of the eight emotions', () => {
    assert.deepEqual(readGEvalAnswer('Sadness.'), { valid: true, emotion: 'sadness', raw: 'Sadness.' });
    assert.equal((readGEvalAnswer('The emotion of this image is fear') as { emotion: string }).emotion, 'fear');
    assert.deepEqual(readGEvalAnswer('happiness'), { valid: false, reason: 'off-list', raw: 'happiness' });
    assert.deepEqual(readGEvalAnswer('awe or fear'), { valid: false, reason: 'ambiguous', raw: 'awe or fear' });
    assert.deepEqual(readGEvalAnswer('  '), { valid: false, reason: 'malformed', raw: '  ' });
    assert.equal(readGEvalAnswer('awesome').valid, false, 'awesome is not awe');
  });

  it("asks the paper's question word for word with the picture, and validates and caches the answers", async () => {
    server.reset();
    const judge = new GEvalJudge({
      baseUrl: server.baseUrl,
      model: 'fake-vision',
      apiKey: 'k',
      cacheDir: join(dir, 'g-cache'),
    });
    const pictures = await Promise.all(
      [
        [200, 0, 0],
        [0, 200, 0],
        [0, 0, 200],
        [90, 90, 90],
        [10, 10, 10],
      ].map(([r, g, b]) => picture(r!, g!, b!)),
    );
    server.enqueue(
      { content: 'Sadness' },
      { content: 'joy' },
      { content: '' },
      { status: 500 },
      { content: 'fear, or maybe awe' },
    );
    const answers = [];
    for (const p of pictures) answers.push(await judge.judge(p, 'image/png'));
    assert.deepEqual(
      answers.map((a) => (a.valid ? a.emotion : a.reason)),
      ['sadness', 'off-list', 'malformed', 'error', 'ambiguous'],
    );
    const request = server.requests[0]!;
    assert.equal(FakeOpenAiServer.textOf(request).trim(), G_EVAL_INSTRUCTION);
    assert.equal(
      G_EVAL_INSTRUCTION,
      'As an image emotion analysis assistant, please determine the emotion of this input image and choose the emotion from [amusement, awe, contentment, excitement, anger, disgust, sadness, fear]',
    );
    assert.equal(FakeOpenAiServer.imagesOf(request)[0], `data:image/png;base64,${pictures[0]!.toString('base64')}`);
    assert.equal(request.headers.authorization, 'Bearer k');
    // Asked again: model answers come from the cache; the failed request is asked again.
    server.answerWith({ content: 'anger' });
    const again = [];
    for (const p of pictures) again.push(await judge.judge(p, 'image/png'));
    assert.equal(server.requests.length, 6);
    assert.deepEqual(
      again.map((a) => (a.valid ? a.emotion : a.reason)),
      ['sadness', 'off-list', 'malformed', 'anger', 'ambiguous'],
    );
  });
});
