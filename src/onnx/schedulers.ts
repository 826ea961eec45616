/**
 * @module Diffusion schedulers in TypeScript: Euler-ancestral (InstructPix2Pix's default),
 * Euler (deterministic) and DDIM (η = 0), for Stable Diffusion 1.5's training schedule
 * (scaled-linear betas 0.00085 → 0.012 over 1000 steps), as diffusers' `EulerAncestralDiscreteScheduler`,
 * `EulerDiscreteScheduler` and `DDIMScheduler` compute them (diffusers 0.3x,
 * `src/diffusers/schedulers/scheduling_euler_ancestral_discrete.py`, `scheduling_euler_discrete.py`,
 * `scheduling_ddim.py`: `set_timesteps`, `scale_model_input`, `step`).
 *
 * Timestep spacing follows each scheduler's diffusers default: "linspace" for the Euler
 * schedulers (t = linspace(0, 999, n) reversed, so 20 steps start at t = 999, σ_max = 14.6146,
 * the steps offset is ignored, σ at fractional timesteps is interpolated linearly), and
 * "leading" with SD 1.5's `steps_offset: 1` for DDIM (20 steps: 951, 901, …, 1). The spacing
 * is an option (`NoiseScheduleOptions.timestepSpacing`). Euler timesteps are fractional: the
 * UNet gets them as they are when its `timestep` input is a float, and truncated (as numpy's
 * `astype` in diffusers' ONNX pipeline) when it is an integer.
 * All predict from epsilon (the noise), which is what SD 1.5 UNets output.
 */
import type { GaussianNoise } from './noise.ts';

export type SchedulerKind = 'euler-ancestral' | 'euler' | 'ddim';
export const SCHEDULER_KINDS: readonly SchedulerKind[] = ['euler-ancestral', 'euler', 'ddim'];

/** How inference timesteps are spread over the training ones (diffusers' `timestep_spacing`). */
export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';
export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = ['linspace', 'leading', 'trailing'];

export interface NoiseScheduleOptions {
  /** @defaultValue 1000 */
  trainSteps?: number;
  /** @defaultValue 0.00085 */
  betaStart?: number;
  /** @defaultValue 0.012 */
  betaEnd?: number;
  /** Added to every inference timestep with "leading" spacing (diffusers ignores it otherwise). @defaultValue 1 (SD 1.5's config) */
  stepsOffset?: number;
  /**
   * The timestep spacing. @defaultValue `linspace` for the Euler schedulers, `leading` for DDIM
   * (each scheduler's diffusers default, with SD 1.5's / InstructPix2Pix's scheduler config)
   */
  timestepSpacing?: TimestepSpacing;
}

/** The training schedule, per training timestep t in [0, trainSteps). */
export interface NoiseSchedule {
  betas: Float64Array;
  alphasCumprod: Float64Array;
  /** σ_t = √((1 − ᾱ_t) / ᾱ_t), the noise level of the Euler formulation. */
  sigmas: Float64Array;
}

/**
 * The schedule computed as diffusers does with torch float32 tensors, operation by operation:
 * `torch.linspace(√β_start, √β_end, n)` (which computes the second half from the end),
 * squared, and `torch.cumprod(1 − β)` (which accumulates in double and rounds each product to
 * float32). So σ at t = 999 is 14.614647 exactly as diffusers 0.35 has it; plain float32 or
 * float64 arithmetic drifts from it by 1e-6.
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
    const root = t < trainSteps / 2 ? f(start + f(increment * t)) : f(end - f(increment * (trainSteps - 1 - t)));
    const beta = f(root * root);
    betas[t] = beta;
    product *= f(1 - beta);
    const alpha = f(product);
    alphasCumprod[t] = alpha;
    sigmas[t] = f(Math.sqrt(f(f(1 - alpha) / alpha)));
  }
  return { betas, alphasCumprod, sigmas };
}

function checkSteps(steps: number, trainSteps: number): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > trainSteps)
    throw new RangeError(`The number of inference steps must be an integer from 1 to ${trainSteps}, not ${steps}.`);
}

/** "Leading" spacing: 0, r, 2r, … (r = trainSteps ÷ steps, integer), reversed, plus the offset. */
export function leadingTimesteps(steps: number, trainSteps = 1000, stepsOffset = 1): number[] {
  checkSteps(steps, trainSteps);
  const ratio = Math.floor(trainSteps / steps);
  return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + stepsOffset);
}

/** numpy's `linspace(0, trainSteps − 1, steps)` reversed (float64, fractional). */
export function linspaceTimesteps(steps: number, trainSteps = 1000): number[] {
  checkSteps(steps, trainSteps);
  if (steps === 1) return [0];
  const delta = (trainSteps - 1) / (steps - 1);
  // numpy computes start + i·step and sets the last value to `stop` exactly.
  return Array.from({ length: steps }, (_, i) => (i === steps - 1 ? trainSteps - 1 : i * delta)).reverse();
}

/** "Trailing" spacing: round(arange(trainSteps, 0, −trainSteps/steps)) − 1. */
export function trailingTimesteps(steps: number, trainSteps = 1000): number[] {
  checkSteps(steps, trainSteps);
  const ratio = trainSteps / steps;
  return Array.from({ length: steps }, (_, i) => roundHalfEven(trainSteps - i * ratio) - 1);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The inference timesteps for a spacing, as diffusers' `set_timesteps` computes them. */
export function inferenceTimesteps(
  steps: number,
  spacing: TimestepSpacing,
  trainSteps = 1000,
  stepsOffset = 1,
): number[] {
  if (spacing === 'leading') return leadingTimesteps(steps, trainSteps, stepsOffset);
  if (spacing === 'trailing') return trailingTimesteps(steps, trainSteps);
  return linspaceTimesteps(steps, trainSteps);
}

/** `np.interp(t, arange(n), values)`: linear interpolation between training timesteps. */
export function interpolate(values: Float64Array, t: number): number {
  const low = Math.floor(t);
  if (low >= values.length - 1) return values[values.length - 1]!;
  if (low < 0) return values[0]!;
  const fraction = t - low;
  return fraction === 0 ? values[low]! : values[low]! + (values[low + 1]! - values[low]!) * fraction;
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

/** Timesteps and σ of the Euler schedulers (σ per step, then a final 0), as diffusers' `set_timesteps`. */
function eulerSigmas(
  steps: number,
  options: NoiseScheduleOptions,
): { timesteps: number[]; sigmas: number[]; initNoiseSigma: number } {
  const schedule = scaledLinearSchedule(options);
  const spacing = options.timestepSpacing ?? 'linspace';
  const exact = inferenceTimesteps(steps, spacing, schedule.sigmas.length, options.stepsOffset ?? 1);
  // diffusers interpolates in float64 and keeps σ and the timesteps as float32 tensors.
  const sigmas = [...exact.map((t) => Math.fround(interpolate(schedule.sigmas, Math.fround(t)))), 0];
  const timesteps = exact.map((t) => Math.fround(t));
  const maxSigma = Math.max(...sigmas);
  // diffusers' `init_noise_sigma`: σ_max for "linspace" and "trailing", √(σ_max² + 1) for "leading".
  const initNoiseSigma =
    spacing === 'leading' ? Math.fround(Math.sqrt(Math.fround(Math.fround(maxSigma * maxSigma) + 1))) : maxSigma;
  return { timesteps, sigmas, initNoiseSigma };
}

abstract class EulerBase extends AffineScheduler {
  readonly timesteps: readonly number[];
  /** σ for each step, then a final 0. */
  readonly sigmas: readonly number[];
  readonly initNoiseSigma: number;

  constructor(steps: number, options: NoiseScheduleOptions = {}) {
    super();
    const { timesteps, sigmas, initNoiseSigma } = eulerSigmas(steps, options);
    this.timesteps = timesteps;
    this.sigmas = sigmas;
    this.initNoiseSigma = initNoiseSigma;
  }

  inputScale(stepIndex: number): number {
    const sigma = this.sigmas[stepIndex]!;
    return 1 / Math.sqrt(sigma * sigma + 1);
  }
}

export class EulerAncestralScheduler extends EulerBase {
  readonly kind = 'euler-ancestral';

  coefficients(stepIndex: number): StepCoefficients {
    const sigmaFrom = this.sigmas[stepIndex]!;
    const sigmaTo = this.sigmas[stepIndex + 1]!;
    const sigmaUp = Math.sqrt(
      (sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo)) / (sigmaFrom * sigmaFrom),
    );
    const sigmaDown = Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
    // x0 = x − σ·ε; the derivative (x − x0)/σ is ε itself, so x' = x + ε·(σ_down − σ) + σ_up·z.
    return { sample: 1, prediction: sigmaDown - sigmaFrom, noise: sigmaUp };
  }
}

/** diffusers' `EulerDiscreteScheduler` with its defaults (s_churn 0: no noise added): deterministic. */
export class EulerScheduler extends EulerBase {
  readonly kind = 'euler';

  coefficients(stepIndex: number): StepCoefficients {
    // x' = x + ε·(σ_next − σ).
    return { sample: 1, prediction: this.sigmas[stepIndex + 1]! - this.sigmas[stepIndex]!, noise: 0 };
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
    const spacing = options.timestepSpacing ?? 'leading';
    const trainSteps = schedule.alphasCumprod.length;
    // DDIM's timesteps are integers: "linspace" rounds (numpy's round, half to even).
    this.timesteps = inferenceTimesteps(steps, spacing, trainSteps, options.stepsOffset ?? 1).map((t) =>
      spacing === 'linspace' ? roundHalfEven(t) : t,
    );
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
  if (kind === 'ddim') return new DdimScheduler(steps, options);
  if (kind === 'euler') return new EulerScheduler(steps, options);
  return new EulerAncestralScheduler(steps, options);
}
