/**
 * @module The `diffusion` renderer: EPEM's PER path on ONNX Runtime. InstructPix2Pix sampling
 * (as diffusers' `StableDiffusionInstructPix2PixPipeline` does it) on Stable Diffusion 1.5
 * exports, with EPEM's EAI block and adapter joined to the conditioning when the export has them.
 *
 * One edit: the picture is scaled to fit `maxSide` with sides rounded to multiples of 64 and
 * encoded by the VAE (the latent's mode: no sampling, no scaling factor, as InstructPix2Pix);
 * the CLIP text encoder embeds `"<instruction>. <edited caption>"` and the empty prompt; the UNet
 * sees `concat[z_t, v]` for the batch rows (text, image) / (empty, image) / (empty, zeros), and
 * the three predictions are combined by three-way classifier-free guidance:
 * `ε = ε(∅,∅) + s_T·(ε(T,v) − ε(∅,v)) + s_I·(ε(∅,v) − ε(∅,∅))`. The result is decoded and
 * returned at the input's size and in its format.
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
import { renderSize, vaeInput, vaeOutputToImage } from './image-tensors.ts';
import { loadManifest, manifestFile, type ManifestFile } from './manifest.ts';
import { GaussianNoise } from './noise.ts';
import { createScheduler, SCHEDULER_KINDS, type SchedulerKind, type StepCoefficients } from './schedulers.ts';
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
  /** @defaultValue `euler-ancestral` (InstructPix2Pix's) */
  scheduler?: SchedulerKind;
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

type ResolvedOptions = Required<Omit<DiffusionRendererOptions, 'cpuThreads' | 'cpuSpinning' | 'logger'>> & Pick<DiffusionRendererOptions, 'cpuThreads' | 'cpuSpinning'>;

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
export function guidanceScales(intensity: number, textScale = DEFAULTS.textGuidanceScale, imageScale = DEFAULTS.imageGuidanceScale): { text: number; image: number } {
  const i = Math.min(1, Math.max(0, intensity));
  return { text: textScale * (0.5 + (5 / 6) * i), image: Math.max(1, imageScale * (1.6 - i)) };
}

/**
 * Three-way classifier-free guidance over the UNet's batch rows (text, image) / (∅, image) /
 * (∅, ∅): `ε(∅,∅) + s_T·(ε(T,v) − ε(∅,v)) + s_I·(ε(∅,v) − ε(∅,∅))`.
 */
export function combineGuidance(prediction: Float32Array, rowLength: number, textScale: number, imageScale: number): Float32Array {
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
    const wanted = ['text_encoder/model.onnx', 'vae_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx', ...(usePer ? PER_FILES : [])].map(file);
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
        ort.InferenceSession, ort.InferenceSession, ort.InferenceSession, ort.InferenceSession, ...(ort.InferenceSession | undefined)[],
      ];
      const renderer = new DiffusionRenderer(
        resolved,
        { textEncoder, vaeEncoder, unet, vaeDecoder, ...(eai && adapter && visionEncoder && qformer ? { eai, adapter, visionEncoder, qformer } : {}) },
        tokenizer,
        loaded,
        loadOptions,
        logger,
      );
      logger.info({ modelsDir: resolved.modelsDir, provider: resolved.executionProvider, emotionBlocks: renderer.usesEmotionBlocks, steps: resolved.steps }, 'diffusion renderer ready');
      return renderer;
    } catch (error) {
      await Promise.all(loaded.map((f) => releaseSession(resolved.modelsDir, f, loadOptions)));
      throw error;
    }
  }

  async render(request: RenderRequest): Promise<RenderResult> {
    if (this.closed) throw new Error('The diffusion renderer was closed.');
    const { signal } = request;
    signal?.throwIfAborted();
    const { image, plan, intensity, seed } = request;
    const size = renderSize(image.width, image.height, this.options.maxSide);
    const imageLatent = await this.encodeImage(image, size.width, size.height);
    const latentHeight = imageLatent.dims[2]!;
    const latentWidth = imageLatent.dims[3]!;
    const channels = imageLatent.dims[1]!;
    const rowLength = channels * latentHeight * latentWidth;

    const prompt = [plan.instruction, plan.editedCaption].map((s) => s.trim().replace(/[.\s]+$/, '')).filter(Boolean).join('. ');
    const text = await this.embedText(prompt);
    const empty = await (this.emptyPrompt ??= this.embedText(''));
    const conditioning = await this.joinEmotionBlocks(text, empty, image, imageLatent);
    signal?.throwIfAborted();

    const scales = guidanceScales(intensity, this.options.textGuidanceScale, this.options.imageGuidanceScale);
    const scheduler = createScheduler(this.options.scheduler, this.options.steps);
    const noise = new GaussianNoise(seed);
    const latent = noise.fill(rowLength, scheduler.initNoiseSigma);
    const freshNoise = new Float32Array(rowLength);
    const steps = scheduler.timesteps.length;

    const unet = new GuidedUnet(this.sessions.unet, imageLatent, conditioning, scales);
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
    return this.decode(latent, [1, channels, latentHeight, latentWidth], image);
  }

  /** The VAE latent's mode for the picture: [1, 4, H/8, W/8]. */
  private async encodeImage(image: CheckedImage, width: number, height: number): Promise<{ data: Float32Array; dims: number[] }> {
    const encoder = this.sessions.vaeEncoder;
    const type = inputsOf(encoder).get('sample')!.type as FloatType;
    const result = await encoder.run({ sample: floatTensor(type, await vaeInput(image, width, height), [1, 3, height, width]) });
    const outputs = outputsOf(encoder);
    if (outputs.has('latent_sample')) {
      const latent = result.latent_sample!;
      return { data: readFloats(latent, 'latent_sample'), dims: [...latent.dims] };
    }
    // Optimum: mean and log-variance concatenated on the channel axis; the mode is the mean.
    const parameters = result.latent_parameters!;
    const [batch, doubled, h, w] = parameters.dims as [number, number, number, number];
    const channels = doubled / 2;
    return { data: readFloats(parameters, 'latent_parameters').slice(0, channels * h * w), dims: [batch, channels, h, w] };
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
   * The UNet's `encoder_hidden_states` for the rows (text, ∅, ∅). With EPEM's blocks, the
   * adapter's tokens follow the text tokens in the first row and zeros follow the empty prompt
   * in the other two, so every row has the same length.
   */
  private async joinEmotionBlocks(
    text: { data: Float32Array; dims: number[] },
    empty: { data: Float32Array; dims: number[] },
    image: CheckedImage,
    imageLatent: { data: Float32Array; dims: number[] },
  ): Promise<{ data: Float32Array; dims: number[] }> {
    const width = text.dims[2]!;
    let extra: Float32Array = new Float32Array(0);
    const { eai, adapter, visionEncoder, qformer } = this.sessions;
    if (eai && adapter && visionEncoder && qformer) {
      const query = await blip2QueryEmbeddings(visionEncoder, qformer, image);
      const eaiInputs = inputsOf(eai);
      const emotion = await eai.run({
        query_embeds: floatTensor(eaiInputs.get('query_embeds')!.type as FloatType, query.data, query.dims),
        image_latents: floatTensor(eaiInputs.get('image_latents')!.type as FloatType, imageLatent.data, imageLatent.dims),
      });
      const emotionEmbeds = emotion.emotion_embeds!;
      const adapted = await adapter.run({
        emotion_embeds: floatTensor(inputsOf(adapter).get('emotion_embeds')!.type as FloatType, readFloats(emotionEmbeds, 'emotion_embeds'), emotionEmbeds.dims),
      });
      const hidden = adapted.adapter_hidden_states!;
      if (hidden.dims[2] !== width)
        throw new ConfigError(`per/adapter.onnx returns width ${hidden.dims[2]}, but the text encoder's is ${width}; they must match.`);
      extra = readFloats(hidden, 'adapter_hidden_states');
    }
    const tokens = text.dims[1]! + extra.length / width;
    const row = tokens * width;
    const out = new Float32Array(3 * row);
    out.set(text.data, 0);
    out.set(extra, text.data.length);
    out.set(empty.data, row);
    out.set(empty.data, 2 * row);
    return { data: out, dims: [3, tokens, width] };
  }

  private async decode(latents: Float32Array, dims: number[], image: CheckedImage): Promise<CheckedImage> {
    const scaled = new Float32Array(latents.length);
    for (let i = 0; i < latents.length; i++) scaled[i] = latents[i]! / this.options.vaeScalingFactor;
    const decoder = this.sessions.vaeDecoder;
    const type = inputsOf(decoder).get('latent_sample')!.type as FloatType;
    const result = await decoder.run({ latent_sample: floatTensor(type, scaled, dims) });
    const sample = result.sample!;
    const [, , height, width] = sample.dims as [number, number, number, number];
    return vaeOutputToImage(readFloats(sample, 'sample'), width, height, image, { jpegQuality: this.options.quality, webpQuality: this.options.quality });
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

/**
 * The UNet under three-way classifier-free guidance. Built once per edit with the image latent
 * v ([1, C, h, w]) and the conditioning rows (text, ∅, ∅) ([3, tokens, width]); it keeps the
 * UNet's input rows concat[z_t, v] / concat[z_t, v] / concat[z_t, 0] and writes only z_t between
 * steps. When the export fixes the UNet's batch to 1 or 2, the three rows run one at a time.
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
  private readonly hiddenStates: ort.Tensor[];
  private readonly batched: boolean;
  /** For float16 UNets: `input` as float16 bit patterns (the image halves converted once). */
  private readonly halfInput: Uint16Array | undefined;
  /** A batch reads `input` (or `halfInput`) in place, so one tensor serves every step. */
  private readonly sampleTensor: ort.Tensor | undefined;

  constructor(
    private readonly session: ort.InferenceSession,
    imageLatent: FloatArray,
    conditioning: FloatArray,
    private readonly scales: { text: number; image: number },
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
    const batch = inputs.get('sample')!.shape[0];
    this.batched = !(typeof batch === 'number' && batch > 0 && batch < 3);
    const hiddenType = inputs.get('encoder_hidden_states')!.type as FloatType;
    const [, tokens, hiddenWidth] = conditioning.dims as [number, number, number];
    const hiddenRow = tokens * hiddenWidth;
    this.hiddenStates = this.batched
      ? [floatTensor(hiddenType, conditioning.data, conditioning.dims)]
      : [0, 1, 2].map((row) => floatTensor(hiddenType, conditioning.data.slice(row * hiddenRow, (row + 1) * hiddenRow), [1, tokens, hiddenWidth]));
    this.halfInput = this.sampleType === 'float16' ? toFloat16Array(this.input) : undefined;
    this.sampleTensor = !this.batched
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
      const result = await this.session.run({
        sample: this.sampleTensor,
        timestep: time,
        encoder_hidden_states: this.hiddenStates[0]!,
      });
      return readFloats(result.out_sample, 'out_sample');
    }
    const prediction = new Float32Array(3 * rowLength);
    const rowDims = [1, ...this.sampleDims.slice(1)];
    for (let row = 0; row < 3; row++) {
      const result = await this.session.run({
        sample: halfInput
          ? new ort.Tensor('float16', halfInput.subarray(row * 2 * rowLength, (row + 1) * 2 * rowLength), rowDims)
          : new ort.Tensor('float32', this.input.subarray(row * 2 * rowLength, (row + 1) * 2 * rowLength), rowDims),
        timestep: time,
        encoder_hidden_states: this.hiddenStates[row]!,
      });
      prediction.set(readFloats(result.out_sample, 'out_sample'), row * rowLength);
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
  advance(prediction: Float32Array, latent: Float32Array, step: StepCoefficients, noise: Float32Array, nextInputScale: number): void {
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

function timestepTensor(type: string, shape: ReadonlyArray<number | string>, timestep: number): ort.Tensor {
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
    throw new ConfigError(`The diffusion renderer's steps must be a whole number from 1 to 1000, not ${options.steps}.`);
  if (!SCHEDULER_KINDS.includes(options.scheduler))
    throw new ConfigError(`The diffusion renderer's scheduler must be one of ${SCHEDULER_KINDS.join(', ')}, not "${options.scheduler}".`);
  for (const key of ['textGuidanceScale', 'imageGuidanceScale', 'vaeScalingFactor'] as const)
    if (!(options[key] > 0)) throw new ConfigError(`The diffusion renderer's ${key} must be a positive number, not ${options[key]}.`);
  if (!Number.isInteger(options.maxSide) || options.maxSide < 64)
    throw new ConfigError(`The diffusion renderer's maxSide must be a whole number of pixels, at least 64, not ${options.maxSide}.`);
  if (!['auto', 'on', 'off'].includes(options.emotionBlocks))
    throw new ConfigError(`The diffusion renderer's emotionBlocks must be "auto", "on" or "off", not "${options.emotionBlocks}".`);
}

/** The factory the engine calls for `MOODSHIFT_RENDERER=diffusion`. */
export function createDiffusionRenderer(options: DiffusionRendererOptions): Promise<DiffusionRenderer> {
  return DiffusionRenderer.create(options);
}
