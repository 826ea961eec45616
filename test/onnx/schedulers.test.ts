import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createScheduler,
  DdimScheduler,
  EulerAncestralScheduler,
  EulerScheduler,
  leadingTimesteps,
  linspaceTimesteps,
  scaledLinearSchedule,
  trailingTimesteps,
} from '../../src/onnx/schedulers.ts';
import { GaussianNoise } from '../../src/onnx/noise.ts';

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected}, got ${actual}`);
}

describe('schedulers for Stable Diffusion 1.5', () => {
  it('spaces 10 steps "leading" from 901 down to 1', () => {
    assert.deepEqual(leadingTimesteps(10), [901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    assert.deepEqual(
      new EulerAncestralScheduler(10, { timestepSpacing: 'leading' }).timesteps,
      [901, 801, 701, 601, 501, 401, 301, 201, 101, 1],
    );
    assert.deepEqual(new DdimScheduler(10).timesteps, [901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
  });

  it('matches the reference Euler sigmas and initial noise sigma with "leading" spacing', () => {
    const scheduler = new EulerAncestralScheduler(10, { timestepSpacing: 'leading' });
    // diffusers 0.35.2, EulerAncestralDiscreteScheduler(SD 1.5 betas, steps_offset=1, timestep_spacing="leading").set_timesteps(10).
    const expected = [
      8.390687, 5.134433, 3.347765, 2.292855, 1.623693, 1.168216, 0.835653, 0.574051, 0.346187, 0.041314, 0,
    ];
    assert.equal(scheduler.sigmas.length, expected.length);
    scheduler.sigmas.forEach((sigma, i) => assertClose(sigma, expected[i]!, 2e-6, `sigma ${i}`));
    // "leading": init_noise_sigma = √(σ_max² + 1).
    assertClose(scheduler.initNoiseSigma, 8.4500666, 2e-6, 'init noise sigma');
  });

  it('has sigma 14.614647 at the last training timestep, as diffusers computes it', () => {
    assertClose(scaledLinearSchedule().sigmas[999]!, 14.6146469, 1e-6, 'sigma at t=999');
    // torch.cumprod accumulates in double: ᾱ_999 = 0.00466009508818388 in diffusers 0.35.2.
    assertClose(scaledLinearSchedule().alphasCumprod[999]!, 0.00466009508818388, 1e-12, 'alphas_cumprod[999]');
  });

  it('Euler-ancestral defaults to diffusers\' "linspace" spacing: t from 999, σ_max = 14.6146, first noise scaled by σ_max', () => {
    // diffusers EulerAncestralDiscreteScheduler.set_timesteps, timestep_spacing="linspace" (its default):
    //   timesteps = np.linspace(0, num_train_timesteps - 1, num_inference_steps, dtype=np.float32)[::-1]
    //   sigmas = np.interp(timesteps, np.arange(len(sigmas)), sigmas); sigmas = concat([sigmas, [0.0]])
    //   init_noise_sigma = sigmas.max() for "linspace" / "trailing" (√(σ_max² + 1) only for "leading").
    const schedule = scaledLinearSchedule();
    const steps = 20;
    const expectedTimesteps = Array.from({ length: steps }, (_, i) =>
      Math.fround(i === steps - 1 ? 999 : (i * 999) / (steps - 1)),
    ).reverse();
    for (const scheduler of [new EulerAncestralScheduler(steps), new EulerScheduler(steps)]) {
      assert.equal(scheduler.timesteps[0], 999, `${scheduler.kind} starts at t=999`);
      scheduler.timesteps.forEach((t, i) =>
        assertClose(t, expectedTimesteps[i]!, 1e-9, `${scheduler.kind} timestep ${i}`),
      );
      scheduler.timesteps.forEach((t, i) => {
        const low = Math.floor(t);
        const interpolated =
          low >= 999
            ? schedule.sigmas[999]!
            : schedule.sigmas[low]! + (schedule.sigmas[low + 1]! - schedule.sigmas[low]!) * (t - low);
        assertClose(scheduler.sigmas[i]!, interpolated, 1e-5, `${scheduler.kind} sigma ${i}`);
      });
      assert.equal(scheduler.sigmas[steps], 0);
      assertClose(scheduler.sigmas[0]!, 14.6146469, 1e-6, 'σ_max');
      assertClose(scheduler.initNoiseSigma, scheduler.sigmas[0]!, 0, 'init_noise_sigma = σ_max');
    }
    // The numbers diffusers 0.35.2 gives for the same call (20 steps), to a float32 rounding.
    const reference = [
      14.614647, 10.74685, 8.081536, 6.204952, 4.855665, 3.865384, 3.123769, 2.557168, 2.115662, 1.764825, 1.480583,
      1.245815, 1.048143, 0.87843, 0.72972, 0.596435, 0.473586, 0.355547, 0.232168, 0.029168, 0,
    ];
    new EulerAncestralScheduler(20).sigmas.forEach((sigma, i) =>
      assertClose(sigma, reference[i]!, 2e-6 * Math.max(1, sigma), `reference sigma ${i}`),
    );
  });

  it('spaces "linspace" and "trailing" timesteps as numpy does in diffusers', () => {
    assert.deepEqual(linspaceTimesteps(4), [999, 666, 333, 0]);
    // diffusers "trailing": np.round(np.arange(1000, 0, -1000 / n)).astype(np.int64) - 1
    assert.deepEqual(trailingTimesteps(4), [999, 749, 499, 249]);
    assert.deepEqual(trailingTimesteps(3), [999, 666, 332]);
  });

  it('DDIM (η = 0): SD 1.5 "leading" timesteps and steps as diffusers\' DDIMScheduler.step', () => {
    // diffusers DDIMScheduler.set_timesteps, "leading" (its default) with steps_offset=1:
    //   timesteps = (np.arange(0, n) * (1000 // n)).round()[::-1] + steps_offset
    const scheduler = new DdimScheduler(20);
    assert.deepEqual(
      scheduler.timesteps,
      Array.from({ length: 20 }, (_, i) => (19 - i) * 50 + 1),
    );
    // DDIMScheduler.step with eta=0: prev_t = t - 1000 // n, α_prev = ᾱ[prev_t] (ᾱ[0] when prev_t < 0:
    // set_alpha_to_one=False), x0 = (x − √(1−ᾱ_t)·ε)/√ᾱ_t, x_prev = √α_prev·x0 + √(1−α_prev)·ε.
    const { alphasCumprod } = scaledLinearSchedule();
    const x = Float32Array.from([0.8, -1.1, 0.05]);
    const eps = Float32Array.from([0.3, 0.9, -0.4]);
    for (const index of [0, 7, 19]) {
      const t = scheduler.timesteps[index]!;
      const alpha = alphasCumprod[t]!;
      const alphaPrev = t - 50 >= 0 ? alphasCumprod[t - 50]! : alphasCumprod[0]!;
      const out = scheduler.step(eps, index, x);
      x.forEach((xi, i) => {
        const x0 = (xi - Math.sqrt(1 - alpha) * eps[i]!) / Math.sqrt(alpha);
        assertClose(
          out[i]!,
          Math.sqrt(alphaPrev) * x0 + Math.sqrt(1 - alphaPrev) * eps[i]!,
          1e-5,
          `DDIM step ${index} element ${i}`,
        );
      });
    }
  });

  it("Euler (diffusers' EulerDiscreteScheduler, s_churn 0) steps x + (σ_next − σ)·ε and draws no noise", () => {
    const scheduler = createScheduler('euler', 20);
    const x = Float32Array.from([2, -3]);
    const eps = Float32Array.from([0.5, -0.25]);
    const euler = scheduler as EulerScheduler;
    for (const index of [0, 10, 19]) {
      const out = scheduler.step(eps, index, x);
      x.forEach((xi, i) =>
        assertClose(out[i]!, xi + (euler.sigmas[index + 1]! - euler.sigmas[index]!) * eps[i]!, 1e-5, `step ${index}`),
      );
      assertClose(
        scheduler.inputScale(index),
        1 / Math.sqrt(euler.sigmas[index]! ** 2 + 1),
        1e-12,
        'scale_model_input',
      );
    }
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
    let latent: Float32Array = Float32Array.from(
      clean,
      (x, i) => Math.sqrt(schedule.alphasCumprod[901]!) * x + Math.sqrt(1 - schedule.alphasCumprod[901]!) * eps[i]!,
    );
    for (let step = 0; step < 10; step++) latent = scheduler.step(eps, step, latent);
    // After the last step the latent sits at ᾱ_0, so x = √ᾱ_0·x0 + √(1−ᾱ_0)·ε.
    const a0 = schedule.alphasCumprod[0]!;
    latent.forEach((value, i) =>
      assertClose(value, Math.sqrt(a0) * clean[i]! + Math.sqrt(1 - a0) * eps[i]!, 1e-4, `element ${i}`),
    );
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
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}
