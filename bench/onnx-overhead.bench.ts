/**
 * @module How much of a diffusion step is spent outside `session.run` (building tensors,
 * guidance, the scheduler, noise), on CPU with the tiny models. Goal: under 10% of the step.
 *
 * The baseline is the UNet's own `session.run` time, measured in the same run by timing every
 * call (the renderer is used as is; only `InferenceSession.prototype.run` is wrapped). The tiny
 * UNet is a 1×1 convolution, far cheaper than a real one, so "tiny" rows overstate the share;
 * the "proxy" rows use a UNet stand-in with 3×3 convolutions of width 64 at the same latent
 * size, closer to a real step's arithmetic per latent element (still ~100× cheaper than SD's).
 * The 512×512 rows are measured twice: with ONNX Runtime's threads not spinning (the default)
 * and spinning, to show what spinning costs the JavaScript work between steps on a small host;
 * the "tiny fp16" row runs float16 exports, whose steps also convert the latent to float16 and
 * the prediction back. Warm-up edits (200 steps or more) come first, so the figures are a
 * running server's: the first edits after start also compile the step's JavaScript.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { createDiffusionRenderer } from '../src/onnx/diffusion-renderer.ts';
import type { EditPlan } from '../src/planner/planner.ts';
import { GraphBuilder, tinyWeights, writeTinyDiffusionModels } from '../test/helpers/tiny-onnx.ts';

const GOAL = 0.1;
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
/** Edits before the measured one: at least 200 steps, so the step's JavaScript is compiled as in a server that has made a few edits. */
const WARM_UP_EDITS = Math.max(3, Math.ceil(200 / STEPS));

/** A UNet stand-in with the real names: three 3×3 convolutions of width 64 (ReLU between). */
function proxyUnet(): Uint8Array {
  const g = new GraphBuilder();
  const sample = g.input('sample', 'float32', ['batch', 8, 'height', 'width']);
  const timestep = g.input('timestep', 'int64', ['steps']);
  const text = g.input('encoder_hidden_states', 'float32', ['batch', 'sequence', 8]);
  const conv = (input: string, from: number, to: number, seed: number): string =>
    g.op('Conv', [input, g.weights(tinyWeights(to * from * 9, seed, 0.05), [to, from, 3, 3])], { pads: [1, 1, 1, 1] });
  let hidden = g.op('Relu', [conv(sample, 8, 64, 1)]);
  hidden = g.op('Relu', [conv(hidden, 64, 64, 2)]);
  hidden = conv(hidden, 64, 4, 3);
  const textTerm = g.op('Unsqueeze', [g.op('ReduceMean', [text], { axes: [1, 2], keepdims: 1 }), g.int64s([3])]);
  const time = g.op('Mul', [
    g.op('ReduceMean', [g.op('Cast', [timestep], { to: 1 })], { keepdims: 0 }),
    g.weights([1e-4], []),
  ]);
  g.op('Add', [g.op('Add', [hidden, textTerm]), time], {}, 'out_sample');
  g.output('out_sample', 'float32', ['batch', 4, 'height', 'width']);
  return g.encode('unet');
}

// Time every session.run, attributing UNet calls by their output name.
let unetMs = 0;
const sessionPrototype = (ort.InferenceSession as unknown as { prototype: ort.InferenceSession }).prototype;
const originalRun = sessionPrototype.run;
sessionPrototype.run = async function timedRun(this: ort.InferenceSession, ...args: Parameters<typeof originalRun>) {
  const start = performance.now();
  const result = await originalRun.apply(this, args);
  if (this.outputNames.includes('out_sample')) unetMs += performance.now() - start;
  return result;
} as typeof originalRun;

const plan: EditPlan = {
  source: 'contentment',
  target: 'sadness',
  caption: 'a cat',
  editedCaption: 'a cat in a grey gloomy field',
  elements: ['color'],
  instruction: 'Please change the emotion of this image from contentment to sadness',
  planner: 'knowledge',
};

interface Row {
  model: string;
  spinning: boolean;
  picture: string;
  latent: string;
  stepMs: number;
  runMs: number;
  outsideMs: number;
  outsideShare: number;
}

const root = await mkdtemp(join(tmpdir(), 'moodshift-bench-overhead-'));
const rows: Row[] = [];
try {
  for (const model of ['tiny', 'tiny fp16', 'proxy'] as const) {
    const dir = join(root, model.replace(' ', '-'));
    await writeTinyDiffusionModels(dir, model === 'tiny fp16' ? { floatType: 'float16' } : {});
    if (model === 'proxy') await writeFile(join(dir, 'unet/model.onnx'), proxyUnet());
    for (const [side, spinning] of [
      [64, false],
      [256, false],
      [512, false],
      [512, true],
    ] as const) {
      if (model === 'proxy' && side < 256) continue;
      if (model === 'tiny fp16' && (side < 512 || spinning)) continue;
      const renderer = await createDiffusionRenderer({
        modelsDir: dir,
        steps: STEPS,
        cpuThreads: THREADS,
        cpuSpinning: spinning,
      });
      const bytes = await sharp('test/fixtures/images/chelsea.png')
        .resize(side, side, { fit: 'fill' })
        .png()
        .toBuffer();
      const image = { bytes, format: 'png' as const, width: side, height: side };
      for (let warmUp = 0; warmUp < WARM_UP_EDITS; warmUp++)
        await renderer.render({ image, plan, intensity: 0.6, seed: 1 });
      // Step intervals between consecutive progress events (steps 2..n), with the UNet time inside each.
      const steps: { total: number; run: number }[] = [];
      let lastTime = 0;
      let lastRun = 0;
      await renderer.render({
        image,
        plan,
        intensity: 0.6,
        seed: 2,
        onProgress: (progress) => {
          const now = performance.now();
          if (progress.stage === 'rendering' && progress.step > 1)
            steps.push({ total: now - lastTime, run: unetMs - lastRun });
          lastTime = now;
          lastRun = unetMs;
        },
      });
      await renderer.close();
      // Medians: other processes on a shared machine add pauses to a few steps.
      const total = median(steps.map((s) => s.total));
      const run = median(steps.map((s) => s.run));
      rows.push({
        model,
        spinning,
        picture: `${side}×${side}`,
        latent: `${side / 8}×${side / 8}`,
        stepMs: round(total),
        runMs: round(run),
        outsideMs: round(total - run),
        outsideShare: round((total - run) / total, 3),
      });
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(value: number, digits = 2): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}

console.log(
  `Diffusion step: time outside session.run, CPU (${THREADS} ORT threads, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores), ${STEPS} steps, median of steps 2..${STEPS}`,
);
console.log(
  '| UNet | ORT threads spin | picture | latent | step ms | session.run ms (baseline) | outside ms | outside / step |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.model} | ${r.spinning ? 'yes' : 'no (default)'} | ${r.picture} | ${r.latent} | ${r.stepMs} | ${r.runMs} | ${r.outsideMs} | ${(r.outsideShare * 100).toFixed(1)}% |`,
  );
const at512 = rows.find((r) => r.model === 'proxy' && r.picture === '512×512' && !r.spinning)!;
const tiny512 = rows.find((r) => r.model === 'tiny' && r.picture === '512×512' && !r.spinning)!;
console.log(
  `goal: under ${GOAL * 100}% outside session.run at 512×512 with the proxy UNet: ${(at512.outsideShare * 100).toFixed(1)}% → ${at512.outsideShare < GOAL ? 'met' : 'NOT met'}`,
);
console.log(
  `with the tiny UNet (a 1×1 convolution, ${tiny512.runMs} ms a step) at 512×512: ${(tiny512.outsideShare * 100).toFixed(1)}% → ${tiny512.outsideShare < GOAL ? 'met' : 'NOT met'}; ` +
    `${round((tiny512.outsideMs * 1e6) / (64 * 64 * 4), 1)} ns outside per latent element`,
);
console.log(
  JSON.stringify({
    bench: 'onnx-overhead',
    machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version },
    steps: STEPS,
    ortThreads: THREADS,
    goalOutsideShare: GOAL,
    goalMet: at512.outsideShare < GOAL,
    rows,
  }),
);
