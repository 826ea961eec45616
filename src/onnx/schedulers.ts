/**
 * @module Diffusion schedulers in TypeScript: Euler-ancestral (InstructPix2Pix's default) and
 * DDIM, for Stable Diffusion 1.5's training schedule (scaled-linear betas 0.00085 → 0.012 over
 * 1000 steps) with "leading" timestep spacing and a step offset of 1, as in diffusers'
 * `EulerAncestralDiscreteScheduler` and `DDIMScheduler` with SD 1.5's scheduler config.
 * Both predict from epsilon (the noise), which is what SD 1.5 UNets output.
 */
import type { GaussianNoise } from './noise.ts';

export type SchedulerKind = 'euler-ancestral' | 'ddim';
export const SCHEDULER_KINDS: readonly SchedulerKind[] = ['euler-ancestral', 'ddim'];

export interface NoiseScheduleOptions {
  /** @defaultValue 1000 */
  trainSteps?: number;
  /** @defaultValue 0.00085 */
  betaStart?: number;
  /** @defaultValue 0.012 */
  betaEnd?: number;
  /** Added to every inference timestep ("leading" spacing starts at 0 otherwise). @defaultValue 1 */
  stepsOffset?: number;
}

/** The training schedule, per training timestep t in [0, trainSteps). */
export interface NoiseSchedule {
  betas: Float64Array;
  alphasCumprod: Float64Array;
  /** σ_t = √((1 − ᾱ_t) / ᾱ_t), the noise level of the Euler formulation. */
  sigmas: Float64Array;
}

/**
 * The schedule computed in float32 arithmetic, operation by operation, as diffusers does with
 * torch float32 tensors: the reference numbers (σ at t=999 = 14.6146555, initial noise σ for
 * 10 steps = 8.450072) are float32 results, and float64 arithmetic drifts from them by 1e-6.
 */
export function scaledLinearSchedule(options: NoiseScheduleOptions = {}): NoiseSchedule {
  const f = Math.fround;
  const trainSteps = options.trainSteps ?? 1000;
  const start = f(Math.sqrt(options.betaStart ?? 0.00085));
  const end = f(Math.sqrt(options.betaEnd ?? 0.012));
  const increment = f(f(end - start) / (trainSteps - 1));
  const betas = new Float64Array(trainSteps);
  const alphasCumprod = new Float64Array(trainSteps);
  const sigmas = new Float64Array(trainSteps);
  let product = 1;
  for (let t = 0; t < trainSteps; t++) {
    const root = f(start + f(increment * t));
    const beta = f(root * root);
    betas[t] = beta;
    product = f(product * f(1 - beta));
    alphasCumprod[t] = product;
    sigmas[t] = f(Math.sqrt(f(f(1 - product) / product)));
  }
  return { betas, alphasCumprod, sigmas };
}

/** "Leading" spacing: 0, r, 2r, … (r = trainSteps ÷ steps, integer), reversed, plus the offset. */
export function leadingTimesteps(steps: number, trainSteps = 1000, stepsOffset = 1): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > trainSteps)
    throw new RangeError(`The number of inference steps must be an integer from 1 to ${trainSteps}, not ${steps}.`);
  const ratio = Math.floor(trainSteps / steps);
  return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + stepsOffset);
}

/** One sampling run's scheduler; create a new one per edit (Euler-ancestral keeps no state, DDIM neither, but steps are indexed). */
export interface Scheduler {
  readonly kind: SchedulerKind;
  /** The training timesteps the UNet is called with, first to last. */
  readonly timesteps: readonly number[];
  /** The standard deviation of the initial latent noise. */
  readonly initNoiseSigma: number;
  /** The UNet's input for step `stepIndex`, scaled as the scheduler needs (new array or `sample`). */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array;
  /** The latent after step `stepIndex`, from the (guided) noise prediction. */
  step(noisePrediction: Float32Array, stepIndex: number, sample: Float32Array, noise: GaussianNoise): Float32Array;
}

export class EulerAncestralScheduler implements Scheduler {
  readonly kind = 'euler-ancestral';
  readonly timesteps: readonly number[];
  /** σ for each step, then a final 0. */
  readonly sigmas: readonly number[];
  readonly initNoiseSigma: number;

  constructor(steps: number, options: NoiseScheduleOptions = {}) {
    const schedule = scaledLinearSchedule(options);
    this.timesteps = leadingTimesteps(steps, schedule.sigmas.length, options.stepsOffset ?? 1);
    this.sigmas = [...this.timesteps.map((t) => schedule.sigmas[t]!), 0];
    const maxSigma = Math.max(...this.sigmas);
    this.initNoiseSigma = Math.fround(Math.sqrt(Math.fround(Math.fround(maxSigma * maxSigma) + 1)));
  }

  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array {
    const sigma = this.sigmas[stepIndex]!;
    const scale = 1 / Math.sqrt(sigma * sigma + 1);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) out[i] = sample[i]! * scale;
    return out;
  }

  step(noisePrediction: Float32Array, stepIndex: number, sample: Float32Array, noise: GaussianNoise): Float32Array {
    const sigmaFrom = this.sigmas[stepIndex]!;
    const sigmaTo = this.sigmas[stepIndex + 1]!;
    const sigmaUp = Math.sqrt((sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo)) / (sigmaFrom * sigmaFrom));
    const sigmaDown = Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
    // x0 = x − σ·ε; the derivative (x − x0)/σ is ε itself, so x' = x + ε·(σ_down − σ) + σ_up·z.
    const dt = sigmaDown - sigmaFrom;
    const out = new Float32Array(sample.length);
    if (sigmaUp > 0) {
      const fresh = noise.fill(sample.length);
      for (let i = 0; i < out.length; i++) out[i] = sample[i]! + noisePrediction[i]! * dt + fresh[i]! * sigmaUp;
    } else {
      for (let i = 0; i < out.length; i++) out[i] = sample[i]! + noisePrediction[i]! * dt;
    }
    return out;
  }
}

export class DdimScheduler implements Scheduler {
  readonly kind = 'ddim';
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod: Float64Array;
  private readonly stepRatio: number;

  constructor(steps: number, options: NoiseScheduleOptions = {}) {
    const schedule = scaledLinearSchedule(options);
    this.alphasCumprod = schedule.alphasCumprod;
    this.timesteps = leadingTimesteps(steps, schedule.alphasCumprod.length, options.stepsOffset ?? 1);
    this.stepRatio = Math.floor(schedule.alphasCumprod.length / steps);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** Deterministic DDIM (η = 0); SD 1.5's `set_alpha_to_one: false` makes the last ᾱ_prev = ᾱ_0. */
  step(noisePrediction: Float32Array, stepIndex: number, sample: Float32Array): Float32Array {
    const t = this.timesteps[stepIndex]!;
    const previous = t - this.stepRatio;
    const alpha = this.alphasCumprod[t]!;
    const alphaPrevious = previous >= 0 ? this.alphasCumprod[previous]! : this.alphasCumprod[0]!;
    const sqrtAlpha = Math.sqrt(alpha);
    const sqrtOneMinusAlpha = Math.sqrt(1 - alpha);
    const sqrtAlphaPrevious = Math.sqrt(alphaPrevious);
    const direction = Math.sqrt(1 - alphaPrevious);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const eps = noisePrediction[i]!;
      const original = (sample[i]! - sqrtOneMinusAlpha * eps) / sqrtAlpha;
      out[i] = sqrtAlphaPrevious * original + direction * eps;
    }
    return out;
  }
}

export function createScheduler(kind: SchedulerKind, steps: number, options: NoiseScheduleOptions = {}): Scheduler {
  return kind === 'ddim' ? new DdimScheduler(steps, options) : new EulerAncestralScheduler(steps, options);
}
