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

/**
 * One step of either scheduler is affine in the sample, the noise prediction and fresh noise:
 * `x' = sample·x + prediction·ε + noise·z` with z standard normal (`noise` 0: none drawn).
 * The renderer applies it in one pass with the guidance; `step` applies it on its own.
 */
export interface StepCoefficients {
  sample: number;
  prediction: number;
  noise: number;
}

/** One sampling run's scheduler; create a new one per edit (steps are indexed). */
export interface Scheduler {
  readonly kind: SchedulerKind;
  /** The training timesteps the UNet is called with, first to last. */
  readonly timesteps: readonly number[];
  /** The standard deviation of the initial latent noise. */
  readonly initNoiseSigma: number;
  /** The factor the UNet's input is scaled by at step `stepIndex`. */
  inputScale(stepIndex: number): number;
  /** Step `stepIndex` as `x' = a·x + b·ε + c·z` (see `StepCoefficients`). */
  coefficients(stepIndex: number): StepCoefficients;
  /** The UNet's input for step `stepIndex` (a new array). */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array;
  /** The latent after step `stepIndex`, from the (guided) noise prediction (a new array). */
  step(noisePrediction: Float32Array, stepIndex: number, sample: Float32Array, noise?: GaussianNoise): Float32Array;
}

/** `scaleModelInput` and `step` from a scheduler's scalars, shared by both schedulers. */
abstract class AffineScheduler implements Scheduler {
  abstract readonly kind: SchedulerKind;
  abstract readonly timesteps: readonly number[];
  abstract readonly initNoiseSigma: number;
  abstract inputScale(stepIndex: number): number;
  abstract coefficients(stepIndex: number): StepCoefficients;

  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array {
    const scale = this.inputScale(stepIndex);
    return sample.map((value) => value * scale);
  }

  step(noisePrediction: Float32Array, stepIndex: number, sample: Float32Array, noise?: GaussianNoise): Float32Array {
    const { sample: a, prediction: b, noise: c } = this.coefficients(stepIndex);
    const out = new Float32Array(sample.length);
    if (c !== 0) {
      if (!noise) throw new Error(`${this.kind} step ${stepIndex} draws fresh noise: pass a GaussianNoise.`);
      noise.fillInto(out, c);
    }
    for (let i = 0; i < out.length; i++) out[i] = a * sample[i]! + b * noisePrediction[i]! + out[i]!;
    return out;
  }
}

export class EulerAncestralScheduler extends AffineScheduler {
  readonly kind = 'euler-ancestral';
  readonly timesteps: readonly number[];
  /** σ for each step, then a final 0. */
  readonly sigmas: readonly number[];
  readonly initNoiseSigma: number;

  constructor(steps: number, options: NoiseScheduleOptions = {}) {
    super();
    const schedule = scaledLinearSchedule(options);
    this.timesteps = leadingTimesteps(steps, schedule.sigmas.length, options.stepsOffset ?? 1);
    this.sigmas = [...this.timesteps.map((t) => schedule.sigmas[t]!), 0];
    const maxSigma = Math.max(...this.sigmas);
    this.initNoiseSigma = Math.fround(Math.sqrt(Math.fround(Math.fround(maxSigma * maxSigma) + 1)));
  }

  inputScale(stepIndex: number): number {
    const sigma = this.sigmas[stepIndex]!;
    return 1 / Math.sqrt(sigma * sigma + 1);
  }

  coefficients(stepIndex: number): StepCoefficients {
    const sigmaFrom = this.sigmas[stepIndex]!;
    const sigmaTo = this.sigmas[stepIndex + 1]!;
    const sigmaUp = Math.sqrt((sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo)) / (sigmaFrom * sigmaFrom));
    const sigmaDown = Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
    // x0 = x − σ·ε; the derivative (x − x0)/σ is ε itself, so x' = x + ε·(σ_down − σ) + σ_up·z.
    return { sample: 1, prediction: sigmaDown - sigmaFrom, noise: sigmaUp };
  }
}

export class DdimScheduler extends AffineScheduler {
  readonly kind = 'ddim';
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod: Float64Array;
  private readonly stepRatio: number;

  constructor(steps: number, options: NoiseScheduleOptions = {}) {
    super();
    const schedule = scaledLinearSchedule(options);
    this.alphasCumprod = schedule.alphasCumprod;
    this.timesteps = leadingTimesteps(steps, schedule.alphasCumprod.length, options.stepsOffset ?? 1);
    this.stepRatio = Math.floor(schedule.alphasCumprod.length / steps);
  }

  inputScale(): number {
    return 1;
  }

  /**
   * Deterministic DDIM (η = 0): x0 = (x − √(1−ᾱ)·ε)/√ᾱ and x' = √ᾱ_prev·x0 + √(1−ᾱ_prev)·ε,
   * gathered per term. SD 1.5's `set_alpha_to_one: false` makes the last ᾱ_prev = ᾱ_0.
   */
  coefficients(stepIndex: number): StepCoefficients {
    const t = this.timesteps[stepIndex]!;
    const previous = t - this.stepRatio;
    const alpha = this.alphasCumprod[t]!;
    const alphaPrevious = previous >= 0 ? this.alphasCumprod[previous]! : this.alphasCumprod[0]!;
    const ratio = Math.sqrt(alphaPrevious) / Math.sqrt(alpha);
    return { sample: ratio, prediction: Math.sqrt(1 - alphaPrevious) - ratio * Math.sqrt(1 - alpha), noise: 0 };
  }
}

export function createScheduler(kind: SchedulerKind, steps: number, options: NoiseScheduleOptions = {}): Scheduler {
  return kind === 'ddim' ? new DdimScheduler(steps, options) : new EulerAncestralScheduler(steps, options);
}
