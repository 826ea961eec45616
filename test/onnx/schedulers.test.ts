import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DdimScheduler,
  EulerAncestralScheduler,
  leadingTimesteps,
  scaledLinearSchedule,
} from '../../src/onnx/schedulers.ts';
import { GaussianNoise } from '../../src/onnx/noise.ts';

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected}, got ${actual}`);
}

describe('schedulers for Stable Diffusion 1.5', () => {
  it('spaces 10 steps "leading" from 901 down to 1', () => {
    assert.deepEqual(leadingTimesteps(10), [901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    assert.deepEqual(new EulerAncestralScheduler(10).timesteps, [901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    assert.deepEqual(new DdimScheduler(10).timesteps, [901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
  });

  it('matches the reference Euler sigmas and initial noise sigma', () => {
    const scheduler = new EulerAncestralScheduler(10);
    const expected = [8.39069, 5.13444, 3.34777, 2.29285, 1.62369, 1.16822, 0.83565, 0.57405, 0.34619, 0.04131, 0];
    assert.equal(scheduler.sigmas.length, expected.length);
    scheduler.sigmas.forEach((sigma, i) => assertClose(sigma, expected[i]!, 5e-5, `sigma ${i}`));
    assertClose(scheduler.initNoiseSigma, 8.450072, 5e-6, 'init noise sigma');
  });

  it('has sigma 14.6146555 at the last training timestep', () => {
    assertClose(scaledLinearSchedule().sigmas[999]!, 14.6146555, 5e-7, 'sigma at t=999');
  });

  it('refuses a step count that is not a whole number from 1 to 1000', () => {
    assert.throws(() => leadingTimesteps(0), /from 1 to 1000/);
    assert.throws(() => new EulerAncestralScheduler(2.5), /integer/);
  });

  it('Euler-ancestral removes exactly the predicted noise on its last step', () => {
    // At the last step σ_to = 0, so the result is the predicted clean sample x − σ·ε, no new noise.
    const scheduler = new EulerAncestralScheduler(10);
    const sample = Float32Array.from([1, -2, 0.5]);
    const eps = Float32Array.from([0.5, 0.25, -1]);
    const out = scheduler.step(eps, 9, sample, new GaussianNoise(1));
    const sigma = scheduler.sigmas[9]!;
    out.forEach((value, i) => assertClose(value, sample[i]! - sigma * eps[i]!, 1e-6, `element ${i}`));
  });

  it('DDIM recovers the clean sample from a perfectly predicted noise', () => {
    const schedule = scaledLinearSchedule();
    const scheduler = new DdimScheduler(10);
    const clean = Float32Array.from([0.3, -0.7, 1.2]);
    const eps = Float32Array.from([1, -0.5, 0.2]);
    let latent: Float32Array = Float32Array.from(clean, (x, i) => Math.sqrt(schedule.alphasCumprod[901]!) * x + Math.sqrt(1 - schedule.alphasCumprod[901]!) * eps[i]!);
    for (let step = 0; step < 10; step++) latent = scheduler.step(eps, step, latent);
    // After the last step the latent sits at ᾱ_0, so x = √ᾱ_0·x0 + √(1−ᾱ_0)·ε.
    const a0 = schedule.alphasCumprod[0]!;
    latent.forEach((value, i) => assertClose(value, Math.sqrt(a0) * clean[i]! + Math.sqrt(1 - a0) * eps[i]!, 1e-4, `element ${i}`));
  });
});

describe('seeded noise', () => {
  it('gives the same numbers for the same seed and different ones for another', () => {
    assert.deepEqual(new GaussianNoise(42).fill(16), new GaussianNoise(42).fill(16));
    assert.notDeepEqual(new GaussianNoise(42).fill(16), new GaussianNoise(43).fill(16));
  });

  it('fills arrays with the same numbers as drawing them one by one', () => {
    const one = new GaussianNoise(5);
    const drawn = Float32Array.from({ length: 7 }, () => one.normal());
    const filled = new GaussianNoise(5);
    assert.deepEqual([...filled.fill(3), ...filled.fill(4)], [...drawn]);
  });

  it('looks like a standard normal distribution', () => {
    const values = new GaussianNoise(7).fill(20000);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    assertClose(mean, 0, 0.03, 'mean');
    assertClose(variance, 1, 0.05, 'variance');
  });

  it('follows the normal distribution closely, tails included (Kolmogorov–Smirnov)', () => {
    const count = 200_000;
    const sorted = Float64Array.from(new GaussianNoise(2024).fill(count)).sort();
    let distance = 0;
    for (let i = 0; i < count; i++) {
      const expected = normalCdf(sorted[i]!);
      distance = Math.max(distance, Math.abs(expected - i / count), Math.abs(expected - (i + 1) / count));
    }
    // 1.63/√n is the 1% critical value; a wrong layer table or sign handling is far above it.
    assert.ok(distance < 1.63 / Math.sqrt(count), `KS distance ${distance}`);
    // Beyond 3.4426 the ziggurat samples its tail separately: P(|x| > 3.4426) = 5.76e-4, about 115 here.
    const tail = sorted.filter((x) => Math.abs(x) > 3.4426).length;
    assert.ok(tail > 70 && tail < 160, `${tail} values beyond the tail's start`);
    assert.ok(sorted[0]! < -3.8 && sorted[count - 1]! > 3.8, 'the tail reaches past 3.8σ');
  });
});

/** Φ(x) through erfc (Numerical Recipes' erfcc, error under 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}
