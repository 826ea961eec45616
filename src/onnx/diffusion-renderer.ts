/**
 * @module The `diffusion` renderer: EPEM's PER path on ONNX Runtime. InstructPix2Pix sampling
 * (as diffusers' `StableDiffusionInstructPix2PixPipeline` does it) on Stable Diffusion 1.5
 * exports, with EPEM's EAI block and adapter joined to the conditioning when the export has them.
 *
 * One edit: the picture is scaled to fit `maxSide` with its aspect kept, padded to sides that
 * are multiples of 64 (`renderLayout`) and encoded by the VAE (the latent's mode: no sampling,
 * no scaling factor, as InstructPix2Pix); the CLIP text encoder embeds
 * `"<instruction>. <edited caption>"` and the empty prompt `""` (padded with the tokenizer's
 * pad token, as diffusers encodes a negative prompt); with EPEM's PER blocks each row's
 * conditioning is `h = [q_t + f ; q′]` (see `perConditioning` and models/README.md); the UNet
 * sees `concat[z_t, v]` for the batch rows (text, image) / (empty, image) / (empty, zeros), and
 * the three predictions are combined by three-way classifier-free guidance:
 * `ε = ε(∅,∅) + s_T·(ε(T,v) − ε(∅,v)) + s_I·(ε(∅,v) − ε(∅,∅))`. The result is decoded and
 * returned at the input's size and in its format, the padding cut off.
 *
 * Intensity in (0, 1] sets the guidance scales (0.6, the normaliser's "medium", gives the
 * defaults): `s_T = textGuidanceScale · (0.5 + 5/6 · intensity)`, so 0.3 → 0.75×, 1 → 1.33×;
 * `s_I = max(1, imageGuidanceScale · (1.6 − intensity))`, so a weaker edit holds closer to the
 * original picture (0.3 → 1.95 at the default 1.5) and a strong one lets go (1 → 1.0).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ConfigError } from '../errors.ts';
import type { CheckedImage } from '../image/image.ts';
import { silentLogger, type Logger } from '../logger.ts';
import type { Renderer, RenderRequest, RenderResult } from '../renderer/renderer.ts';
import { blip2QueryEmbeddings } from './blip2-vision.ts';
import type { ExecutionProvider } from './execution-provider.ts';
import { toFloat16Array, writeFloat16Array } from './float16.ts';
import { renderLayout, vaeInput, vaeOutputToImage, type RenderLayout } from './image-tensors.ts';
import { loadManifest, manifestFile, type ManifestFile } from './manifest.ts';
import { GaussianNoise } from './noise.ts';
import {
  createScheduler,
  SCHEDULER_KINDS,
  TIMESTEP_SPACINGS,
  type SchedulerKind,
  type StepCoefficients,
  type TimestepSpacing,
} from './schedulers.ts';
import { acquireSession, inputsOf, outputsOf, releaseSession, type LoadSessionOptions } from './session-cache.ts';
import { floatTensor, numericTensor, readFloats, type FloatType, type IntType } from './tensors.ts';
import { TextTokenizer } from './tokenizer.ts';

export interface DiffusionRendererOptions {
  /** The folder holding the export (layout in `models/manifest.json`). @defaultValue `models/weights` */
  modelsDir?: string;
  /** Where ONNX Runtime runs. @defaultValue `cpu` */
  executionProvider?: ExecutionProvider;
  /** Denoising steps per edit. @defaultValue 20 */
  steps?: number;
  /** @defaultValue `euler-ancestral` (InstructPix2Pix's); `euler` and `ddim` (η = 0) are deterministic */
  scheduler?: SchedulerKind;
  /**
   * How the steps are spread over the training timesteps (diffusers' `timestep_spacing`).
   * @defaultValue the scheduler's diffusers default: `linspace` for the Euler schedulers (20 steps
   * start at t = 999), `leading` with SD 1.5's offset 1 for DDIM
   */
  timestepSpacing?: TimestepSpacing;
  /** Text guidance scale at intensity 0.6. @defaultValue 7.5 */
  textGuidanceScale?: number;
  /** Image guidance scale at intensity 0.6. @defaultValue 1.5 */
  imageGuidanceScale?: number;
  /** Longest side rendered; larger pictures are scaled down, then the result is scaled back. @defaultValue 512 */
  maxSide?: number;
  /** Text length when the text encoder's sequence axis is not fixed. @defaultValue 77 (CLIP's) */
  maxTextTokens?: number;
  /** The VAE's latent scaling factor (SD 1.5). @defaultValue 0.18215 */
  vaeScalingFactor?: number;
  /** Use EPEM's EAI block and adapter: `auto` when their files are present. @defaultValue `auto` */
  emotionBlocks?: 'auto' | 'on' | 'off';
  /** ONNX Runtime threads per operator on CPU. @defaultValue ONNX Runtime's choice */
  cpuThreads?: number;
  /** Let ONNX Runtime's threads spin between operators (see `ProviderTuning`). @defaultValue false */
  cpuSpinning?: boolean;
  /** JPEG/WebP quality of the result. @defaultValue 90 */
  quality?: number;
  /** @defaultValue a silent logger */
  logger?: Logger;
}

type ResolvedOptions = Required<
  Omit<DiffusionRendererOptions, 'cpuThreads' | 'cpuSpinning' | 'logger' | 'timestepSpacing'>
> &
  Pick<DiffusionRendererOptions, 'cpuThreads' | 'cpuSpinning' | 'timestepSpacing'>;

/** What a test (or the reference comparison) may fix in one render. */
export interface DiffusionRenderHooks {
  /**
   * The initial latent [1, 4, h, w] as standard normal values; it is multiplied by the
   * scheduler's initial noise sigma, as diffusers' `prepare_latents` does with `latents=`.
   * @defaultValue drawn from the request's seed
   */
  initialLatents?: Float32Array;
}

const DEFAULTS: ResolvedOptions = {
  modelsDir: 'models/weights',
  executionProvider: 'cpu',
  steps: 20,
  scheduler: 'euler-ancestral',
  textGuidanceScale: 7.5,
  imageGuidanceScale: 1.5,
  maxSide: 512,
  maxTextTokens: 77,
  vaeScalingFactor: 0.18215,
  emotionBlocks: 'auto',
  quality: 90,
};

/** The guidance scales for an intensity (see the module note). */
export function guidanceScales(
  intensity: number,
  textScale = DEFAULTS.textGuidanceScale,
  imageScale = DEFAULTS.imageGuidanceScale,
): { text: number; image: number } {
  const i = Math.min(1, Math.max(0, intensity));
  return { text: textScale * (0.5 + (5 / 6) * i), image: Math.max(1, imageScale * (1.6 - i)) };
}

/**
 * Three-way classifier-free guidance over the UNet's batch rows (text, image) / (∅, image) /
 * (∅, ∅): `ε(∅,∅) + s_T·(ε(T,v) − ε(∅,v)) + s_I·(ε(∅,v) − ε(∅,∅))`.
 */
export function combineGuidance(
  prediction: Float32Array,
  rowLength: number,
  textScale: number,
  imageScale: number,
): Float32Array {
  const out = new Float32Array(rowLength);
  for (let i = 0; i < rowLength; i++) {
    const text = prediction[i]!;
    const image = prediction[rowLength + i]!;
    const uncond = prediction[2 * rowLength + i]!;
    out[i] = uncond + textScale * (text - image) + imageScale * (image - uncond);
  }
  return out;
}

interface Sessions {
  textEncoder: ort.InferenceSession;
  vaeEncoder: ort.InferenceSession;
  unet: ort.InferenceSession;
  vaeDecoder: ort.InferenceSession;
  eai?: ort.InferenceSession;
  adapter?: ort.InferenceSession;
  visionEncoder?: ort.InferenceSession;
  qformer?: ort.InferenceSession;
}

const PER_BLOCKS = ['per/eai.onnx', 'per/adapter.onnx'] as const;
const PER_FILES = [...PER_BLOCKS, 'blip2/vision_encoder.onnx', 'blip2/qformer.onnx'] as const;

export class DiffusionRenderer implements Renderer {
  readonly name = 'diffusion';
  /** Whether EPEM's EAI block and adapter take part. */
  readonly usesEmotionBlocks: boolean;
  private closed = false;
  /** Set when the provider could not run the UNet's three rows as one batch (see `GuidedUnet`). */
  private unetRowAtATime = false;
  /** The empty prompt's embedding, the same for every edit. */
  private emptyPrompt: Promise<FloatArray> | undefined;

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly sessions: Sessions,
    private readonly tokenizer: TextTokenizer,
    private readonly loaded: ManifestFile[],
    private readonly loadOptions: LoadSessionOptions,
    private readonly logger: Logger,
  ) {
    this.usesEmotionBlocks = Boolean(sessions.eai);
  }

  /** Loads and checks every model file; fails with a message naming any missing or wrong file. */
  static async create(options: DiffusionRendererOptions = {}): Promise<DiffusionRenderer> {
    const resolved: ResolvedOptions = { ...DEFAULTS, ...definedOnly(options) };
    validate(resolved);
    const logger = options.logger ?? silentLogger;
    const manifest = await loadManifest();
    const loadOptions: LoadSessionOptions = {
      provider: resolved.executionProvider,
      backend: 'diffusion',
      ...(options.cpuThreads ? { cpuThreads: options.cpuThreads } : {}),
      ...(options.cpuSpinning ? { cpuSpinning: true } : {}),
    };
    const file = (path: string): ManifestFile => manifestFile(manifest, 'diffusion', path);
    // The PER blocks are switched on by their own files; the BLIP-2 parts they read may be there for the planner anyway.
    const perPresent = PER_BLOCKS.filter((path) => existsSync(join(resolved.modelsDir, path)));
    const usePer = resolved.emotionBlocks === 'on' || (resolved.emotionBlocks === 'auto' && perPresent.length > 0);
    if (resolved.emotionBlocks === 'auto' && perPresent.length === 1)
      throw new ConfigError(
        `${resolved.modelsDir} holds only part of EPEM's PER blocks (${perPresent.join(', ')}); ` +
          `add ${PER_BLOCKS.filter((p) => !perPresent.includes(p)).join(', ')} or remove it.`,
      );
    const wanted = [
      'text_encoder/model.onnx',
      'vae_encoder/model.onnx',
      'unet/model.onnx',
      'vae_decoder/model.onnx',
      ...(usePer ? PER_FILES : []),
    ].map(file);
    const loaded: ManifestFile[] = [];
    const sessions: ort.InferenceSession[] = [];
    try {
      const tokenizer = await TextTokenizer.fromFile(join(resolved.modelsDir, 'tokenizer/tokenizer.json'));
      for (const wantedFile of wanted) {
        const session = acquireSession(resolved.modelsDir, wantedFile, loadOptions);
        loaded.push(wantedFile);
        sessions.push(await session);
      }
      const [textEncoder, vaeEncoder, unet, vaeDecoder, eai, adapter, visionEncoder, qformer] = sessions as [
        ort.InferenceSession,
        ort.InferenceSession,
        ort.InferenceSession,
        ort.InferenceSession,
        ...(ort.InferenceSession | undefined)[],
      ];
      const renderer = new DiffusionRenderer(
        resolved,
        {
          textEncoder,
          vaeEncoder,
          unet,
          vaeDecoder,
          ...(eai && adapter && visionEncoder && qformer ? { eai, adapter, visionEncoder, qformer } : {}),
        },
        tokenizer,
        loaded,
        loadOptions,
        logger,
      );
      logger.info(
        {
          modelsDir: resolved.modelsDir,
          provider: resolved.executionProvider,
          emotionBlocks: renderer.usesEmotionBlocks,
          steps: resolved.steps,
        },
        'diffusion renderer ready',
      );
      return renderer;
    } catch (error) {
      await Promise.all(loaded.map((f) => releaseSession(resolved.modelsDir, f, loadOptions)));
      throw error;
    }
  }

  async render(request: RenderRequest, hooks: DiffusionRenderHooks = {}): Promise<RenderResult> {
    if (this.closed) throw new Error('The diffusion renderer was closed.');
    const { signal } = request;
    signal?.throwIfAborted();
    const { image, plan, intensity, seed } = request;
    const layout = renderLayout(image.width, image.height, this.options.maxSide);
    const imageLatent = await this.encodeImage(image, layout);
    const latentHeight = imageLatent.dims[2]!;
    const latentWidth = imageLatent.dims[3]!;
    const channels = imageLatent.dims[1]!;
    const rowLength = channels * latentHeight * latentWidth;

    const prompt = [plan.instruction, plan.editedCaption]
      .map((s) => s.trim().replace(/[.\s]+$/, ''))
      .filter(Boolean)
      .join('. ');
    const text = await this.embedText(prompt);
    const empty = await (this.emptyPrompt ??= this.embedText(''));
    const conditioning = await this.conditioning(text, empty, image, imageLatent);
    signal?.throwIfAborted();

    const scales = guidanceScales(intensity, this.options.textGuidanceScale, this.options.imageGuidanceScale);
    const scheduler = createScheduler(
      this.options.scheduler,
      this.options.steps,
      this.options.timestepSpacing ? { timestepSpacing: this.options.timestepSpacing } : {},
    );
    const noise = new GaussianNoise(seed);
    let latent: Float32Array;
    if (hooks.initialLatents) {
      if (hooks.initialLatents.length !== rowLength)
        throw new RangeError(
          `initialLatents has ${hooks.initialLatents.length} values; this picture's latent [1, ${channels}, ${latentHeight}, ${latentWidth}] has ${rowLength}.`,
        );
      latent = hooks.initialLatents.map((value) => value * scheduler.initNoiseSigma);
    } else latent = noise.fill(rowLength, scheduler.initNoiseSigma);
    const freshNoise = new Float32Array(rowLength);
    const steps = scheduler.timesteps.length;

    const unet = new GuidedUnet(
      this.sessions.unet,
      imageLatent,
      conditioning,
      scales,
      (reason) => {
        this.unetRowAtATime = true;
        this.logger.warn(
          { provider: this.options.executionProvider, reason },
          'the UNet cannot run the three guidance rows as one batch here; running them one at a time',
        );
      },
      this.unetRowAtATime,
    );
    unet.setLatent(latent, scheduler.inputScale(0));
    for (let step = 0; step < steps; step++) {
      signal?.throwIfAborted();
      const prediction = await unet.run(scheduler.timesteps[step]!);
      const coefficients = scheduler.coefficients(step);
      if (coefficients.noise !== 0) noise.fillInto(freshNoise, coefficients.noise);
      else freshNoise.fill(0);
      unet.advance(prediction, latent, coefficients, freshNoise, step + 1 < steps ? scheduler.inputScale(step + 1) : 0);
      request.onProgress?.({ stage: 'rendering', step: step + 1, steps });
    }
    signal?.throwIfAborted();
    return this.decode(latent, [1, channels, latentHeight, latentWidth], image, layout);
  }

  /** The VAE latent's mode for the picture: [1, 4, H/8, W/8]. */
  private async encodeImage(
    image: CheckedImage,
    layout: RenderLayout,
  ): Promise<{ data: Float32Array; dims: number[] }> {
    const encoder = this.sessions.vaeEncoder;
    const type = inputsOf(encoder).get('sample')!.type as FloatType;
    const { width, height } = layout;
    const result = await encoder.run({
      sample: floatTensor(type, await vaeInput(image, layout), [1, 3, height, width]),
    });
    const outputs = outputsOf(encoder);
    if (outputs.has('latent_sample')) {
      const latent = result.latent_sample!;
      return { data: readFloats(latent, 'latent_sample'), dims: [...latent.dims] };
    }
    // Optimum: mean and log-variance concatenated on the channel axis; the mode is the mean.
    const parameters = result.latent_parameters!;
    const [batch, doubled, h, w] = parameters.dims as [number, number, number, number];
    const channels = doubled / 2;
    return {
      data: readFloats(parameters, 'latent_parameters').slice(0, channels * h * w),
      dims: [batch, channels, h, w],
    };
  }

  /** CLIP's last hidden state for one prompt: [1, tokens, width]. */
  private async embedText(prompt: string): Promise<{ data: Float32Array; dims: number[] }> {
    const encoder = this.sessions.textEncoder;
    const input = inputsOf(encoder).get('input_ids')!;
    const fixed = input.shape[1];
    const length = typeof fixed === 'number' && fixed > 0 ? fixed : this.options.maxTextTokens;
    const { ids } = this.tokenizer.encodeFixed(prompt, length);
    const result = await encoder.run({ input_ids: numericTensor(input.type, ids, [1, length]) });
    const hidden = result.last_hidden_state!;
    return { data: readFloats(hidden, 'last_hidden_state'), dims: [...hidden.dims] };
  }

  /**
   * The UNet's `encoder_hidden_states` for the rows (text, ∅, ∅): CLIP's embeddings, or with
   * EPEM's blocks `h = [q_t + f ; q′]` for the text and the same of the empty prompt.
   */
  private async conditioning(
    text: FloatArray,
    empty: FloatArray,
    image: CheckedImage,
    imageLatent: FloatArray,
  ): Promise<FloatArray> {
    const { eai, adapter, visionEncoder, qformer } = this.sessions;
    if (!(eai && adapter && visionEncoder && qformer)) return perConditioning(text, empty);
    const query = await blip2QueryEmbeddings(visionEncoder, qformer, image);
    const eaiInputs = inputsOf(eai);
    const interaction = await eai.run({
      query_embeds: floatTensor(eaiInputs.get('query_embeds')!.type as FloatType, query.data, query.dims),
      image_latents: floatTensor(eaiInputs.get('image_latents')!.type as FloatType, imageLatent.data, imageLatent.dims),
    });
    const qPrime = { data: readFloats(interaction.q_prime, 'q_prime'), dims: [...interaction.q_prime!.dims] };
    const vPrime = { data: readFloats(interaction.v_prime, 'v_prime'), dims: [...interaction.v_prime!.dims] };
    const adapterInputs = inputsOf(adapter);
    const adapt = async (embeds: FloatArray): Promise<FloatArray> => {
      const result = await adapter.run({
        text_embeds: floatTensor(adapterInputs.get('text_embeds')!.type as FloatType, embeds.data, embeds.dims),
        v_prime: floatTensor(adapterInputs.get('v_prime')!.type as FloatType, vPrime.data, vPrime.dims),
      });
      return { data: readFloats(result.f, 'f'), dims: [...result.f!.dims] };
    };
    return perConditioning(text, empty, { textAdapted: await adapt(text), emptyAdapted: await adapt(empty), qPrime });
  }

  private async decode(
    latents: Float32Array,
    dims: number[],
    image: CheckedImage,
    layout: RenderLayout,
  ): Promise<CheckedImage> {
    const scaled = new Float32Array(latents.length);
    for (let i = 0; i < latents.length; i++) scaled[i] = latents[i]! / this.options.vaeScalingFactor;
    const decoder = this.sessions.vaeDecoder;
    const type = inputsOf(decoder).get('latent_sample')!.type as FloatType;
    const result = await decoder.run({ latent_sample: floatTensor(type, scaled, dims) });
    const sample = result.sample!;
    const [, , height, width] = sample.dims as [number, number, number, number];
    if (width !== layout.width || height !== layout.height)
      throw new ConfigError(
        `vae_decoder/model.onnx returned ${width}×${height} for a ${layout.width}×${layout.height} picture; it must upscale the latent 8 times.`,
      );
    return vaeOutputToImage(
      readFloats(sample, 'sample'),
      width,
      height,
      image,
      { jpegQuality: this.options.quality, webpQuality: this.options.quality },
      layout.content,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.loaded.map((file) => releaseSession(this.options.modelsDir, file, this.loadOptions)));
    this.logger.debug('diffusion renderer closed');
  }
}

/** A tensor as plain float32 values and its dimensions. */
export interface FloatArray {
  data: Float32Array;
  dims: number[];
}

/** EPEM's PER outputs for one edit: the adapter's f for the text and for the empty prompt, and the EAI block's q′. */
export interface PerParts {
  textAdapted: FloatArray;
  emptyAdapted: FloatArray;
  qPrime: FloatArray;
}

/**
 * The conditioning rows (text, ∅, ∅) as [3, tokens, width]. Without PER parts: CLIP's
 * embeddings of the text and of the empty prompt. With them (models/README.md, "The PER
 * contract"): `h = concat over the sequence axis of [q_t + f ; q′]` for the text and
 * `h_∅ = [q_∅ + f_∅ ; q′]` for both unconditional rows, so every row is one length and none
 * holds padding vectors.
 */
export function perConditioning(text: FloatArray, empty: FloatArray, per?: PerParts): FloatArray {
  const [, tokens, width] = text.dims as [number, number, number];
  if (empty.dims[1] !== tokens || empty.dims[2] !== width)
    throw new Error(
      `The empty prompt's embedding [${empty.dims.join(', ')}] differs from the text's [${text.dims.join(', ')}].`,
    );
  let queries = 0;
  if (per) {
    for (const [what, adapted] of [
      ['text', per.textAdapted],
      ['empty prompt', per.emptyAdapted],
    ] as const)
      if (adapted.dims.length !== 3 || adapted.dims[1] !== tokens || adapted.dims[2] !== width)
        throw new ConfigError(
          `per/adapter.onnx returns f of shape [${adapted.dims.join(', ')}] for the ${what}; it must have text_embeds' shape [1, ${tokens}, ${width}].`,
        );
    if (per.qPrime.dims.length !== 3 || per.qPrime.dims[2] !== width)
      throw new ConfigError(
        `per/eai.onnx returns q_prime of shape [${per.qPrime.dims.join(', ')}]; its width must be the text encoder's, ${width}.`,
      );
    queries = per.qPrime.dims[1]!;
  }
  const textLength = tokens * width;
  const row = textLength + queries * width;
  const out = new Float32Array(3 * row);
  const write = (offset: number, embeds: Float32Array, adapted: Float32Array | undefined): void => {
    for (let i = 0; i < textLength; i++) out[offset + i] = adapted ? embeds[i]! + adapted[i]! : embeds[i]!;
    if (per) out.set(per.qPrime.data, offset + textLength);
  };
  write(0, text.data, per?.textAdapted.data);
  write(row, empty.data, per?.emptyAdapted.data);
  out.copyWithin(2 * row, row, 2 * row);
  return { data: out, dims: [3, tokens + queries, width] };
}

/**
 * The UNet under three-way classifier-free guidance. Built once per edit with the image latent
 * v ([1, C, h, w]) and the conditioning rows (text, ∅, ∅) ([3, tokens, width]); it keeps the
 * UNet's input rows concat[z_t, v] / concat[z_t, v] / concat[z_t, 0] and writes only z_t between
 * steps. An export whose UNet batch is fixed (the `sample` input's first axis) is fed exactly
 * that many rows per call: 3 in one call, 2 as (text, ∅v) then (∅0, ∅0) (the second row a copy,
 * its prediction dropped), 1 row at a time; any other fixed batch, or a fixed text length the
 * conditioning does not have, is refused with a sentence naming the shape.
 *
 * The sampling loop calls `run` and then `advance`, which does the guidance, the scheduler's
 * step and the next step's input in one pass over the latent: everything between two UNet
 * calls is that pass and the noise for the step.
 */
export class GuidedUnet {
  private readonly input: Float32Array;
  private readonly rowLength: number;
  private readonly sampleDims: number[];
  private readonly sampleType: FloatType;
  private readonly timestepType: string;
  private readonly timestepShape: ReadonlyArray<number | string>;
  /** The `encoder_hidden_states` tensor of each call. */
  private hiddenStates: ort.Tensor[] = [];
  /** Rows per UNet call (3, 2 or 1) and the conditioning row each call's rows read. */
  private batch = 3;
  private calls: number[][] = [];
  /** Whether the export leaves the batch free (so it may be run a row at a time instead). */
  private readonly freeBatch: boolean;
  private readonly hiddenType: FloatType;
  /** For float16 UNets: `input` as float16 bit patterns (the image halves converted once). */
  private readonly halfInput: Uint16Array | undefined;
  /** A batch reads `input` (or `halfInput`) in place, so one tensor serves every step. */
  private sampleTensor: ort.Tensor | undefined;

  constructor(
    private readonly session: ort.InferenceSession,
    imageLatent: FloatArray,
    private readonly conditioning: FloatArray,
    private readonly scales: { text: number; image: number },
    /** Told once when a provider cannot run the three rows as one batch and they run one at a time. */
    private readonly onBatchFallback?: (reason: string) => void,
    /** Start a row at a time (a free-batch export that failed batched before). @defaultValue false */
    rowAtATime = false,
  ) {
    const [, channels, height, width] = imageLatent.dims as [number, number, number, number];
    this.rowLength = channels * height * width;
    this.sampleDims = [3, 2 * channels, height, width];
    // Rows are concat[z_t, v]; the image halves (v, v, 0) are written once here.
    this.input = new Float32Array(3 * 2 * this.rowLength);
    this.input.set(imageLatent.data, this.rowLength);
    this.input.set(imageLatent.data, 3 * this.rowLength);
    const inputs = inputsOf(session);
    this.sampleType = inputs.get('sample')!.type as FloatType;
    this.timestepType = inputs.get('timestep')!.type;
    this.timestepShape = inputs.get('timestep')!.shape;
    const batch = unetBatch(inputs.get('sample')!.shape, inputs.get('encoder_hidden_states')!.shape, conditioning.dims);
    const fixed = inputs.get('sample')!.shape[0];
    this.freeBatch = !(typeof fixed === 'number' && fixed > 0);
    this.hiddenType = inputs.get('encoder_hidden_states')!.type as FloatType;
    this.halfInput = this.sampleType === 'float16' ? toFloat16Array(this.input) : undefined;
    this.useBatch(rowAtATime && this.freeBatch ? 1 : batch);
  }

  /** Feeds `batch` rows per call from now on. */
  private useBatch(batch: number): void {
    this.batch = batch;
    this.calls = [];
    for (let first = 0; first < 3; first += batch)
      this.calls.push(Array.from({ length: batch }, (_, i) => Math.min(2, first + i)));
    const [, tokens, hiddenWidth] = this.conditioning.dims as [number, number, number];
    const hiddenRow = tokens * hiddenWidth;
    this.hiddenStates = this.calls.map((rows) => {
      const data = new Float32Array(rows.length * hiddenRow);
      rows.forEach((row, i) =>
        data.set(this.conditioning.data.subarray(row * hiddenRow, (row + 1) * hiddenRow), i * hiddenRow),
      );
      return floatTensor(this.hiddenType, data, [rows.length, tokens, hiddenWidth]);
    });
    this.sampleTensor =
      batch !== 3
        ? undefined
        : this.halfInput
          ? new ort.Tensor('float16', this.halfInput, this.sampleDims)
          : new ort.Tensor('float32', this.input, this.sampleDims);
  }

  /** Writes the latent z_t ([1, C, h, w]), multiplied by `scale`, into the three rows. */
  setLatent(latent: Float32Array, scale: number): void {
    const { input, rowLength } = this;
    for (let i = 0; i < rowLength; i++) {
      const value = latent[i]! * scale;
      input[i] = value;
      input[2 * rowLength + i] = value;
      input[4 * rowLength + i] = value;
    }
  }

  /** The UNet's raw predictions for the rows as they stand: [3, C, h, w], rows (text, v), (∅, v), (∅, 0). */
  async run(timestep: number): Promise<Float32Array> {
    const rowLength = this.rowLength;
    const time = timestepTensor(this.timestepType, this.timestepShape, timestep);
    const halfInput = this.halfInput;
    if (halfInput) {
      // The three rows hold the same z_t: convert it once and copy the bits.
      writeFloat16Array(this.input.subarray(0, rowLength), halfInput);
      halfInput.copyWithin(2 * rowLength, 0, rowLength);
      halfInput.copyWithin(4 * rowLength, 0, rowLength);
    }
    if (this.sampleTensor) {
      try {
        const result = await this.session.run({
          sample: this.sampleTensor,
          timestep: time,
          encoder_hidden_states: this.hiddenStates[0]!,
        });
        return readFloats(result.out_sample, 'out_sample');
      } catch (error) {
        // ONNX Runtime's WebGPU kernels can need more storage buffers per shader for a batch than a
        // device allows (Mesa's lavapipe: 16; a diffusers UNet at batch 3 asks for 25). A free-batch
        // export then runs a row at a time, which every device can.
        const message = error instanceof Error ? error.message : String(error);
        if (!this.freeBatch || !/storage buffers/i.test(message)) throw error;
        this.onBatchFallback?.(message.split('\n')[0]!.slice(-160));
        this.useBatch(1);
      }
    }
    const prediction = new Float32Array(3 * rowLength);
    const callDims = [this.batch, ...this.sampleDims.slice(1)];
    const inputRow = 2 * rowLength;
    for (let call = 0; call < this.calls.length; call++) {
      const rows = this.calls[call]!;
      const first = rows[0]!;
      // Rows in order are a view of the input; a repeated last row needs a copy.
      const contiguous = rows.every((row, i) => row === first + i);
      const source = halfInput ?? this.input;
      let sample: ort.Tensor;
      if (contiguous) {
        const view = source.subarray(first * inputRow, (first + rows.length) * inputRow);
        sample = halfInput
          ? new ort.Tensor('float16', view as Uint16Array, callDims)
          : new ort.Tensor('float32', view as Float32Array, callDims);
      } else {
        const copy = halfInput ? new Uint16Array(rows.length * inputRow) : new Float32Array(rows.length * inputRow);
        rows.forEach((row, i) =>
          copy.set(source.subarray(row * inputRow, (row + 1) * inputRow) as never, i * inputRow),
        );
        sample = halfInput
          ? new ort.Tensor('float16', copy as Uint16Array, callDims)
          : new ort.Tensor('float32', copy as Float32Array, callDims);
      }
      const result = await this.session.run({
        sample,
        timestep: time,
        encoder_hidden_states: this.hiddenStates[call]!,
      });
      const out = readFloats(result.out_sample, 'out_sample');
      rows.forEach((row, i) => {
        if (i === 0 || row !== rows[i - 1])
          prediction.set(out.subarray(i * rowLength, (i + 1) * rowLength), row * rowLength);
      });
    }
    return prediction;
  }

  /** The guided noise prediction for the scaled latent z_t ([1, C, h, w]) at training timestep t. */
  async predict(scaledLatent: Float32Array, timestep: number): Promise<Float32Array> {
    this.setLatent(scaledLatent, 1);
    return combineGuidance(await this.run(timestep), this.rowLength, this.scales.text, this.scales.image);
  }

  /**
   * One scheduler step from `run`'s predictions, in one pass: the guided ε (as `combineGuidance`),
   * `latent ← a·latent + b·ε + noise` (the coefficients of `Scheduler.coefficients`, `noise`
   * already multiplied by c), and the new latent times `nextInputScale` into the rows.
   */
  advance(
    prediction: Float32Array,
    latent: Float32Array,
    step: StepCoefficients,
    noise: Float32Array,
    nextInputScale: number,
  ): void {
    const { input, rowLength } = this;
    const { text: textScale, image: imageScale } = this.scales;
    const { sample: a, prediction: b } = step;
    for (let i = 0; i < rowLength; i++) {
      const text = prediction[i]!;
      const image = prediction[rowLength + i]!;
      const uncond = prediction[2 * rowLength + i]!;
      const guided = uncond + textScale * (text - image) + imageScale * (image - uncond);
      const next = a * latent[i]! + b * guided + noise[i]!;
      latent[i] = next;
      const scaled = next * nextInputScale;
      input[i] = scaled;
      input[2 * rowLength + i] = scaled;
      input[4 * rowLength + i] = scaled;
    }
  }
}

/**
 * Rows per UNet call for an export: 3 (one call) when the `sample` batch axis is free or fixed
 * at 3, else its fixed size 1 or 2. Refuses what cannot be served.
 */
export function unetBatch(
  sampleShape: ReadonlyArray<number | string>,
  hiddenShape: ReadonlyArray<number | string>,
  conditioningDims: readonly number[],
): number {
  const fixed = (dim: number | string | undefined): number | undefined =>
    typeof dim === 'number' && dim > 0 ? dim : undefined;
  const batch = fixed(sampleShape[0]);
  const hiddenBatch = fixed(hiddenShape[0]);
  if (batch !== undefined && hiddenBatch !== undefined && batch !== hiddenBatch)
    throw new ConfigError(
      `unet/model.onnx fixes sample's batch at ${batch} but encoder_hidden_states' at ${hiddenBatch}; export it with one batch size (3 for InstructPix2Pix, or a free axis).`,
    );
  const rows = batch ?? hiddenBatch;
  if (rows !== undefined && rows > 3)
    throw new ConfigError(
      `unet/model.onnx takes a fixed batch of ${rows} rows, but InstructPix2Pix's guidance has 3 (text, image, unconditional); ` +
        'export the UNet with a free batch axis, or with batch 3 (or 1 or 2, then the rows are fed in turns).',
    );
  const tokens = fixed(hiddenShape[1]);
  if (tokens !== undefined && tokens !== conditioningDims[1])
    throw new ConfigError(
      `unet/model.onnx takes encoder_hidden_states of fixed length ${tokens}, but the conditioning has ${conditioningDims[1]} tokens` +
        `${conditioningDims[1]! > tokens ? " (the text tokens and the PER block's q_prime rows)" : ''}; export the UNet with a free sequence axis.`,
    );
  return rows ?? 3;
}

function timestepTensor(type: string, shape: ReadonlyArray<number | string>, timestep: number): ort.Tensor {
  // Euler's "linspace" timesteps are fractional: an integer input gets them truncated, as
  // diffusers' ONNX pipeline does (`np.array([t], dtype=int64)`).
  if (type === 'int64' || type === 'int32') timestep = Math.trunc(timestep);
  if (shape.length === 0) return numericTensor(type, [timestep], []);
  const fixed = shape[0];
  const length = typeof fixed === 'number' && fixed > 0 ? fixed : 1;
  return numericTensor(type as IntType | FloatType, new Array<number>(length).fill(timestep), [length]);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function validate(options: ResolvedOptions): void {
  if (!Number.isInteger(options.steps) || options.steps < 1 || options.steps > 1000)
    throw new ConfigError(
      `The diffusion renderer's steps must be a whole number from 1 to 1000, not ${options.steps}.`,
    );
  if (!SCHEDULER_KINDS.includes(options.scheduler))
    throw new ConfigError(
      `The diffusion renderer's scheduler must be one of ${SCHEDULER_KINDS.join(', ')}, not "${options.scheduler}".`,
    );
  for (const key of ['textGuidanceScale', 'imageGuidanceScale', 'vaeScalingFactor'] as const)
    if (!(options[key] > 0))
      throw new ConfigError(`The diffusion renderer's ${key} must be a positive number, not ${options[key]}.`);
  if (!Number.isInteger(options.maxSide) || options.maxSide < 64)
    throw new ConfigError(
      `The diffusion renderer's maxSide must be a whole number of pixels, at least 64, not ${options.maxSide}.`,
    );
  if (options.timestepSpacing !== undefined && !TIMESTEP_SPACINGS.includes(options.timestepSpacing))
    throw new ConfigError(
      `The diffusion renderer's timestepSpacing must be one of ${TIMESTEP_SPACINGS.join(', ')}, not "${options.timestepSpacing}".`,
    );
  if (!['auto', 'on', 'off'].includes(options.emotionBlocks))
    throw new ConfigError(
      `The diffusion renderer's emotionBlocks must be "auto", "on" or "off", not "${options.emotionBlocks}".`,
    );
}

/** The factory the engine calls for `MOODSHIFT_RENDERER=diffusion`. */
export function createDiffusionRenderer(options: DiffusionRendererOptions): Promise<DiffusionRenderer> {
  return DiffusionRenderer.create(options);
}
