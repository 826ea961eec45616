/**
 * @module Tiny ONNX models for tests and CPU benchmarks.
 *
 * Each writer produces a valid ONNX graph (through `onnx-proto`) with exactly the input and
 * output names and element types of the real exports listed in `models/manifest.json`, but
 * with tiny sizes (a 4-channel latent, 16-token sequences, hidden size 8). Every output
 * depends on every input, so a wiring mistake in the code under test changes the result.
 * The graphs are written to a directory the caller owns (a temp dir per test run); no `.onnx`
 * file is ever committed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';
import { toFloat16Array } from '../../src/onnx/float16.ts';

const { onnx } = onnxProto;
type DataType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool';
const DATA_TYPE: Record<DataType, number> = { float32: 1, int32: 6, int64: 7, float16: 10, bool: 9 };
type Dim = number | string;

/** A deterministic pseudo-random weight in [-scale, scale] (so graphs are the same on every run). */
export function tinyWeights(count: number, seed: number, scale = 0.5): number[] {
  let state = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out.push(((state / 0xffffffff) * 2 - 1) * scale);
  }
  return out;
}

/** Builds one graph node by node. Intermediate names are generated. */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;

  constructor(private readonly floatType: 'float32' | 'float16' = 'float32') {}

  input(name: string, type: DataType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: DataType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** A float constant in the graph's float type. */
  weights(values: number[], dims: number[]): string {
    const name = `w${this.counter++}`;
    if (this.floatType === 'float16') {
      const bits = toFloat16Array(values);
      this.initializers.push({ name, dims, dataType: DATA_TYPE.float16, rawData: new Uint8Array(bits.buffer) });
    } else {
      this.initializers.push({ name, dims, dataType: DATA_TYPE.float32, floatData: values });
    }
    return name;
  }

  int64s(values: number[], dims: number[] = [values.length]): string {
    const name = `i${this.counter++}`;
    this.initializers.push({ name, dims, dataType: DATA_TYPE.int64, int64Data: values });
    return name;
  }

  /** Adds a node; returns the name of its (first) output, or `outputName` when given. */
  op(
    opType: string,
    inputs: string[],
    attributes: Record<string, number | number[] | string> = {},
    outputName?: string,
  ): string {
    const output = outputName ?? `t${this.counter++}`;
    this.nodes.push({
      opType,
      input: inputs,
      output: [output],
      name: `${opType}_${this.counter++}`,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  encode(name: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'moodshift-tiny-onnx',
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, type: DataType, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, value: number | number[] | string): onnxProto.onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (Number.isInteger(value)) return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.FLOAT, f: value };
}

export async function writeModel(path: string, bytes: Uint8Array): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

// ---------------------------------------------------------------------------------------------
// Tokenizers

/** Words both tiny tokenizers know (anything else becomes the unknown token). */
export const TINY_WORDS = [
  'please',
  'change',
  'the',
  'emotion',
  'of',
  'this',
  'image',
  'from',
  'to',
  'a',
  'an',
  'photo',
  'picture',
  'with',
  'and',
  'is',
  'are',
  'in',
  'dark',
  'bright',
  'grey',
  'gloomy',
  'sky',
  'cat',
  'dog',
  'person',
  'flowers',
  'withered',
  'sunny',
  'field',
  'caption',
  'edited',
  'describe',
  'then',
  'write',
  'answer',
  'amusement',
  'awe',
  'contentment',
  'excitement',
  'anger',
  'disgust',
  'fear',
  'sadness',
  ':',
  '.',
  ',',
  ';',
  '|',
  '<',
  '>',
  '-',
  '(',
  ')',
] as const;

function wordPieceTokenizer(special: string[], unk: string, template: unknown): object {
  const vocab: Record<string, number> = {};
  for (const token of [...special, ...TINY_WORDS]) vocab[token] ??= Object.keys(vocab).length;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({
      id: vocab[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: template,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: unk, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

/** A CLIP-like tokenizer.json: `<|startoftext|> … <|endoftext|>`, padded with `<|endoftext|>`. */
export function tinyClipTokenizerJson(): object {
  return wordPieceTokenizer(['<|startoftext|>', '<|endoftext|>', '<|unk|>'], '<|unk|>', {
    type: 'TemplateProcessing',
    single: [
      { SpecialToken: { id: '<|startoftext|>', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '<|endoftext|>', type_id: 0 } },
    ],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: {
      '<|startoftext|>': { id: '<|startoftext|>', ids: [0], tokens: ['<|startoftext|>'] },
      '<|endoftext|>': { id: '<|endoftext|>', ids: [1], tokens: ['<|endoftext|>'] },
    },
  });
}

/** An OPT-like tokenizer.json: `</s>` (id 2) opens every sequence and ends generation, `<pad>` is 1. */
export function tinyOptTokenizerJson(): object {
  return wordPieceTokenizer(['<s>', '<pad>', '</s>', '<unk>'], '<unk>', {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '</s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] } },
  });
}

/** Size of the tiny vocabularies (both fit in it). */
export const TINY_VOCAB = 4 + TINY_WORDS.length;

// ---------------------------------------------------------------------------------------------
// Diffusion backend

export interface TinyDiffusionOptions {
  /** Element type of every float tensor. @defaultValue 'float32' */
  floatType?: 'float32' | 'float16';
  /** Element type of the UNet's `timestep`. @defaultValue 'int64' */
  timestepType?: 'int64' | 'float32' | 'float16';
  /** VAE encoder output: `latent_sample` (diffusers) or `latent_parameters` (Optimum, mean‖logvar). @defaultValue 'latent_sample' */
  vaeEncoderOutput?: 'latent_sample' | 'latent_parameters';
  /**
   * The UNet's weights. `noise[c]` weighs the noisy-latent channel c, `image[c]` the image-latent
   * channel c, `text` the mean of the text embedding, `timestep` the timestep value.
   * @defaultValue small deterministic weights that keep sampling stable
   */
  unet?: TinyUnetWeights;
  /** Also write EPEM's PER blocks (`per/eai.onnx`, `per/adapter.onnx`) and the BLIP-2 vision parts. @defaultValue false */
  withPer?: boolean;
  /**
   * The PER blocks at the paper's zero initialisation: the adapter's last matrix is zero (f = 0)
   * and the EAI block yields no q′ rows, so the renderer must compute plain InstructPix2Pix.
   * @defaultValue false
   */
  perAtZeroInit?: boolean;
  /** A fixed batch size on the UNet's inputs (as some exports have). @defaultValue a free axis */
  unetBatch?: number;
  /** Omit the tokenizer (to test a missing file). @defaultValue false */
  skipTokenizer?: boolean;
}

export const TINY_HIDDEN = 8;
export const TINY_SEQUENCE = 16;

/**
 * Writes the four diffusion parts and the CLIP tokenizer under `dir` with the diffusers/Optimum
 * layout: `text_encoder/model.onnx`, `vae_encoder/model.onnx`, `unet/model.onnx`,
 * `vae_decoder/model.onnx`, `tokenizer/tokenizer.json`.
 */
export async function writeTinyDiffusionModels(dir: string, options: TinyDiffusionOptions = {}): Promise<void> {
  const floatType = options.floatType ?? 'float32';
  await writeModel(join(dir, 'text_encoder/model.onnx'), tinyTextEncoder(floatType));
  await writeModel(
    join(dir, 'vae_encoder/model.onnx'),
    tinyVaeEncoder(floatType, options.vaeEncoderOutput ?? 'latent_sample'),
  );
  await writeModel(
    join(dir, 'unet/model.onnx'),
    tinyUnet(floatType, options.timestepType ?? 'int64', options.unet, options.unetBatch ?? 'batch'),
  );
  await writeModel(join(dir, 'vae_decoder/model.onnx'), tinyVaeDecoder(floatType));
  if (!options.skipTokenizer) {
    await mkdir(join(dir, 'tokenizer'), { recursive: true });
    await writeFile(join(dir, 'tokenizer/tokenizer.json'), JSON.stringify(tinyClipTokenizerJson()));
  }
  if (options.withPer) {
    await writeTinyBlip2VisionModels(dir, floatType);
    await writeModel(join(dir, 'per/eai.onnx'), tinyEai(floatType, options.perAtZeroInit ? 0 : TINY_QUERIES));
    await writeModel(join(dir, 'per/adapter.onnx'), tinyAdapter(floatType, options.perAtZeroInit ?? false));
  }
}

/** `input_ids` (int32 [batch, 16]) → `last_hidden_state` [batch, 16, 8]: embedding plus the sequence mean. */
export function tinyTextEncoder(floatType: 'float32' | 'float16' = 'float32'): Uint8Array {
  const g = new GraphBuilder(floatType);
  const ids = g.input('input_ids', 'int32', ['batch', TINY_SEQUENCE]);
  const table = g.weights(tinyWeights(TINY_VOCAB * TINY_HIDDEN, 11), [TINY_VOCAB, TINY_HIDDEN]);
  const embedded = g.op('Gather', [table, ids], { axis: 0 });
  const mean = g.op('ReduceMean', [embedded], { axes: [1], keepdims: 1 });
  g.op('Add', [embedded, mean], {}, 'last_hidden_state');
  g.output('last_hidden_state', floatType, ['batch', TINY_SEQUENCE, TINY_HIDDEN]);
  return g.encode('text_encoder');
}

/** `sample` [batch, 3, H, W] → 8×8 average pooling and a 1×1 convolution to 4 (or 8) channels. */
export function tinyVaeEncoder(
  floatType: 'float32' | 'float16' = 'float32',
  output: 'latent_sample' | 'latent_parameters' = 'latent_sample',
): Uint8Array {
  const g = new GraphBuilder(floatType);
  const sample = g.input('sample', floatType, ['batch', 3, 'height', 'width']);
  const pooled = g.op('AveragePool', [sample], { kernel_shape: [8, 8], strides: [8, 8] });
  const channels = output === 'latent_parameters' ? 8 : 4;
  // Means are a mix of the colours; Optimum's log-variance channels get a large offset, so
  // reading them as the mean shows.
  const weights = tinyWeights(channels * 3, 23, 0.8);
  const bias = Array.from({ length: channels }, (_, c) => (c < 4 ? 0 : 5));
  g.op('Conv', [pooled, g.weights(weights, [channels, 3, 1, 1]), g.weights(bias, [channels])], {}, output);
  g.output(output, floatType, ['batch', channels, 'latent_height', 'latent_width']);
  return g.encode('vae_encoder');
}

export interface TinyUnetWeights {
  /** Weight of noisy-latent channel c in output channel c. */
  noise: number;
  /** Weight of image-latent channel c in output channel c. */
  image: number;
  /** Weight of the text term. */
  text: number;
  /** Weight of the timestep value. */
  timestep: number;
  /**
   * How the sequence-mean text embedding (8 values) maps to the 4 output channels, row-major
   * [8, 4]. @defaultValue deterministic random weights; all 1/8 makes the text term the mean
   */
  textProjection?: number[];
}

/**
 * `sample` [batch, 8, h, w], `timestep`, `encoder_hidden_states` [batch, seq, 8] → `out_sample`
 * [batch, 4, h, w] = noise·z_t + image·v + text·(mean over the sequence of the embedding ×
 * projection) + timestep·t, channel by channel. With `noise: 0, image: 1, text: 1, timestep: 0`
 * and a projection of all 1/8, each output row reveals which image latent and which text
 * embedding its batch row was given (the CFG-order test).
 */
export function tinyUnet(
  floatType: 'float32' | 'float16' = 'float32',
  timestepType: 'int64' | 'float32' | 'float16' = 'int64',
  weights: TinyUnetWeights = { noise: 0.3, image: 0.05, text: 0.1, timestep: 0.0001 },
  batch: Dim = 'batch',
): Uint8Array {
  const g = new GraphBuilder(floatType);
  const sample = g.input('sample', floatType, [batch, 8, 'height', 'width']);
  const timestep = g.input('timestep', timestepType, [typeof batch === 'number' ? batch : 'steps']);
  const text = g.input('encoder_hidden_states', floatType, [batch, 'sequence', TINY_HIDDEN]);
  const kernel: number[] = [];
  for (let out = 0; out < 4; out++)
    for (let input = 0; input < 8; input++)
      kernel.push(input === out ? weights.noise : input === out + 4 ? weights.image : 0);
  const spatial = g.op('Conv', [sample, g.weights(kernel, [4, 8, 1, 1])]);
  const projection = (weights.textProjection ?? tinyWeights(TINY_HIDDEN * 4, 61, 1)).map((w) => w * weights.text);
  const textMean = g.op('ReduceMean', [text], { axes: [1], keepdims: 0 }); // [batch, 8]
  const textChannels = g.op('MatMul', [textMean, g.weights(projection, [TINY_HIDDEN, 4])]); // [batch, 4]
  const textTerm = g.op('Unsqueeze', [textChannels, g.int64s([2, 3])]); // [batch, 4, 1, 1]
  const time = g.op('Cast', [timestep], { to: DATA_TYPE[floatType] });
  const timeTerm = g.op('Mul', [g.op('ReduceMean', [time], { keepdims: 0 }), g.weights([weights.timestep], [])]);
  g.op('Add', [g.op('Add', [spatial, textTerm]), timeTerm], {}, 'out_sample');
  g.output('out_sample', floatType, [batch, 4, 'height', 'width']);
  return g.encode('unet');
}

/** `latent_sample` [batch, 4, h, w] → `sample` [batch, 3, 8h, 8w]: 1×1 convolution, nearest upsampling, tanh. */
export function tinyVaeDecoder(floatType: 'float32' | 'float16' = 'float32'): Uint8Array {
  const g = new GraphBuilder(floatType);
  const latent = g.input('latent_sample', floatType, ['batch', 4, 'latent_height', 'latent_width']);
  const mixed = g.op('Conv', [latent, g.weights(tinyWeights(12, 37, 0.3), [3, 4, 1, 1])]);
  const scales = g.weights([1, 1, 8, 8], [4]);
  const up = g.op('Resize', [mixed, '', floatType === 'float16' ? g.op('Cast', [scales], { to: 1 }) : scales], {
    mode: 'nearest',
  });
  g.op('Tanh', [up], {}, 'sample');
  g.output('sample', floatType, ['batch', 3, 'height', 'width']);
  return g.encode('vae_decoder');
}

/**
 * EPEM's EAI block (the PER contract): `query_embeds` [b, 4, 8] and `image_latents` [b, 4, h, w]
 * → `q_prime` [b, K, 8] (the first K query rows, projected, plus the latent mean; K = 0 gives
 * an empty tensor) and `v_prime` [b, 4, 8] (another projection of the queries plus the latent mean).
 */
export function tinyEai(floatType: 'float32' | 'float16' = 'float32', qPrimeRows: number = TINY_QUERIES): Uint8Array {
  const g = new GraphBuilder(floatType);
  const query = g.input('query_embeds', floatType, ['batch', 'queries', TINY_HIDDEN]);
  const latents = g.input('image_latents', floatType, ['batch', 4, 'latent_height', 'latent_width']);
  const pooled = g.op('ReduceMean', [latents], { axes: [1, 2, 3], keepdims: 0 }); // [batch]
  const column = g.op('Unsqueeze', [pooled, g.int64s([1, 2])]); // [batch, 1, 1]
  const attended = g.op('MatMul', [query, g.weights(tinyWeights(64, 41, 0.4), [8, 8])]);
  const rows = g.op('Slice', [attended, g.int64s([0]), g.int64s([qPrimeRows]), g.int64s([1]), g.int64s([1])]);
  g.op('Add', [rows, column], {}, 'q_prime');
  g.output('q_prime', floatType, ['batch', 'k', TINY_HIDDEN]);
  const values = g.op('MatMul', [query, g.weights(tinyWeights(64, 47, 0.4), [8, 8])]);
  g.op('Sub', [values, column], {}, 'v_prime');
  g.output('v_prime', floatType, ['batch', 'queries', TINY_HIDDEN]);
  return g.encode('eai');
}

/**
 * EPEM's adapter (the PER contract): `text_embeds` [b, 16, 8] (query) and `v_prime` [b, M, 8]
 * (key and value) → `f` [b, 16, 8]: one softmax cross-attention and a tanh MLP. With
 * `zeroInit`, the last matrix is zero, so f is exactly 0 (the paper's initialisation).
 */
export function tinyAdapter(floatType: 'float32' | 'float16' = 'float32', zeroInit = false): Uint8Array {
  const g = new GraphBuilder(floatType);
  const text = g.input('text_embeds', floatType, ['batch', 'tokens', TINY_HIDDEN]);
  const vPrime = g.input('v_prime', floatType, ['batch', 'keys', TINY_HIDDEN]);
  const q = g.op('MatMul', [text, g.weights(tinyWeights(64, 43, 0.4), [8, 8])]);
  const k = g.op('MatMul', [vPrime, g.weights(tinyWeights(64, 53, 0.4), [8, 8])]);
  const v = g.op('MatMul', [vPrime, g.weights(tinyWeights(64, 59, 0.4), [8, 8])]);
  const scores = g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 2, 1] })]); // [b, tokens, keys]
  const attended = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]); // [b, tokens, 8]
  const hidden = g.op('Tanh', [attended]);
  const last = zeroInit ? new Array<number>(64).fill(0) : tinyWeights(64, 67, 0.4);
  g.op('MatMul', [hidden, g.weights(last, [8, 8])], {}, 'f');
  g.output('f', floatType, ['batch', 'tokens', TINY_HIDDEN]);
  return g.encode('adapter');
}

// ---------------------------------------------------------------------------------------------
// BLIP-2 (planner) backend

export const TINY_QUERIES = 4;

async function writeTinyBlip2VisionModels(dir: string, floatType: 'float32' | 'float16'): Promise<void> {
  await writeModel(join(dir, 'blip2/vision_encoder.onnx'), tinyVisionEncoder(floatType));
  await writeModel(join(dir, 'blip2/qformer.onnx'), tinyQformer(floatType));
}

/** `pixel_values` [b, 3, 224, 224] → `last_hidden_state` [b, 16, 8]: 56×56 patches, projected. */
export function tinyVisionEncoder(floatType: 'float32' | 'float16' = 'float32'): Uint8Array {
  const g = new GraphBuilder(floatType);
  const pixels = g.input('pixel_values', floatType, ['batch', 3, 224, 224]);
  const patches = g.op('AveragePool', [pixels], { kernel_shape: [56, 56], strides: [56, 56] }); // [b,3,4,4]
  const flat = g.op('Reshape', [patches, g.int64s([0, 3, 16])]);
  const tokens = g.op('Transpose', [flat], { perm: [0, 2, 1] }); // [b,16,3]
  g.op('MatMul', [tokens, g.weights(tinyWeights(24, 51, 1), [3, 8])], {}, 'last_hidden_state');
  g.output('last_hidden_state', floatType, ['batch', 16, TINY_HIDDEN]);
  return g.encode('vision_encoder');
}

/** Q-Former with language projection: `image_embeds` [b, 16, 8] → `language_model_inputs` [b, 4, 8]. */
export function tinyQformer(floatType: 'float32' | 'float16' = 'float32'): Uint8Array {
  const g = new GraphBuilder(floatType);
  const image = g.input('image_embeds', floatType, ['batch', 'patches', TINY_HIDDEN]);
  const byChannel = g.op('Transpose', [image], { perm: [0, 2, 1] }); // [b,8,16]
  const queries = g.op('MatMul', [byChannel, g.weights(tinyWeights(16 * TINY_QUERIES, 53, 0.3), [16, TINY_QUERIES])]);
  g.op('Transpose', [queries], { perm: [0, 2, 1] }, 'language_model_inputs');
  g.output('language_model_inputs', floatType, ['batch', TINY_QUERIES, TINY_HIDDEN]);
  return g.encode('qformer');
}

/** `input_ids` int64 [b, s] → `inputs_embeds` [b, s, 8]. */
export function tinyEmbedTokens(floatType: 'float32' | 'float16' = 'float32'): Uint8Array {
  const g = new GraphBuilder(floatType);
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  g.op(
    'Gather',
    [g.weights(tinyWeights(TINY_VOCAB * TINY_HIDDEN, 59, 1), [TINY_VOCAB, TINY_HIDDEN]), ids],
    { axis: 0 },
    'inputs_embeds',
  );
  g.output('inputs_embeds', floatType, ['batch', 'sequence', TINY_HIDDEN]);
  return g.encode('embed_tokens');
}

export interface TinyDecoderOptions {
  /** Number of layers, each with `past_key_values.N.key/value`. @defaultValue 2 */
  layers?: number;
  /**
   * Tokens the decoder should emit, from absolute position `scriptStart` (query tokens +
   * prompt tokens) on: their logits get +50, which dominates the (still input-dependent) rest.
   * @defaultValue none: the output is whatever the random weights pick
   */
  script?: number[];
  scriptStart?: number;
  floatType?: 'float32' | 'float16';
  /**
   * Also take Optimum's optional inputs: `position_ids` int64 [b, s] (then the script follows
   * them instead of the mask) and `use_cache_branch` bool [1] (a value that disagrees with
   * whether a past was given pushes every answer to `<unk>`, id 3). @defaultValue false
   */
  optimumExtras?: boolean;
}

const MAX_POSITIONS = 256;

/**
 * A causal one-head attention decoder with Optimum's merged-decoder names: `inputs_embeds`
 * [b, s, 8], `attention_mask` int64 [b, past + s], `past_key_values.N.key|value` [b, 1, past, 8]
 * → `logits` [b, s, vocab], `present.N.key|value` [b, 1, past + s, 8]. Decoding with the cache
 * and without it give the same logits (up to rounding), as with the real OPT.
 */
export function tinyDecoder(options: TinyDecoderOptions = {}): Uint8Array {
  const floatType = options.floatType ?? 'float32';
  const layers = options.layers ?? 2;
  const g = new GraphBuilder(floatType);
  let hidden = g.input('inputs_embeds', floatType, ['batch', 'sequence', TINY_HIDDEN]);
  const mask = g.input('attention_mask', 'int64', ['batch', 'total']);
  const pastNames: string[] = [];
  for (let layer = 0; layer < layers; layer++) {
    pastNames.push(g.input(`past_key_values.${layer}.key`, floatType, ['batch', 1, 'past', TINY_HIDDEN]));
    pastNames.push(g.input(`past_key_values.${layer}.value`, floatType, ['batch', 1, 'past', TINY_HIDDEN]));
  }
  const one = g.int64s([1]);
  const zero = g.int64s([0]);
  // Positions of the new tokens: cumulative sum of the mask, last `sequence` entries.
  const sequenceLength = g.op('Gather', [g.op('Shape', [hidden]), one], { axis: 0 }); // [1]
  const totalLength = g.op('Gather', [g.op('Shape', [mask]), one], { axis: 0 }); // [1]
  const pastLength = g.op('Sub', [totalLength, sequenceLength]);
  const positions = g.op('Sub', [g.op('CumSum', [mask, g.int64s([1], [])]), one]);
  let newPositions = g.op('Slice', [positions, pastLength, totalLength, one]); // [b, s]
  let branchMismatch: string | undefined;
  if (options.optimumExtras) {
    newPositions = g.input('position_ids', 'int64', ['batch', 'sequence']);
    const branch = g.input('use_cache_branch', 'bool', [1]);
    const hasPast = g.op('Greater', [pastLength, zero]);
    branchMismatch = g.op('Cast', [g.op('Xor', [branch, hasPast])], { to: DATA_TYPE[floatType] }); // [1]
  }
  // Causal mask [s, total]: query i sees keys j <= past + i, and only where attention_mask is 1.
  const square = g.op('Concat', [sequenceLength, totalLength], { axis: 0 });
  const ones = g.op('Expand', [g.weights([1], [1]), square]);
  const causal = g.op('Trilu', [ones, g.op('Squeeze', [pastLength])], { upper: 0 });
  const padding = g.op('Unsqueeze', [g.op('Cast', [mask], { to: DATA_TYPE[floatType] }), g.int64s([1, 2])]); // [b,1,1,total]
  const allowed = g.op('Mul', [causal, padding]); // [b,1,s,total]
  const blocked = g.op('Mul', [g.op('Sub', [g.weights([1], []), allowed]), g.weights([-1e4], [])]);
  for (let layer = 0; layer < layers; layer++) {
    const project = (seed: number): string => {
      const projected = g.op('MatMul', [hidden, g.weights(tinyWeights(64, seed, 0.6), [8, 8])]);
      return g.op('Unsqueeze', [projected, one]); // [b,1,s,8]
    };
    const query = project(100 + layer);
    const key = g.op('Concat', [pastNames[2 * layer]!, project(200 + layer)], { axis: 2 }, `present.${layer}.key`);
    const value = g.op(
      'Concat',
      [pastNames[2 * layer + 1]!, project(300 + layer)],
      { axis: 2 },
      `present.${layer}.value`,
    );
    g.output(`present.${layer}.key`, floatType, ['batch', 1, 'total', TINY_HIDDEN]);
    g.output(`present.${layer}.value`, floatType, ['batch', 1, 'total', TINY_HIDDEN]);
    const scores = g.op('Add', [g.op('MatMul', [query, g.op('Transpose', [key], { perm: [0, 1, 3, 2] })]), blocked]);
    const attended = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), value]); // [b,1,s,8]
    hidden = g.op('Add', [hidden, g.op('Squeeze', [attended, one])]);
  }
  let logits = g.op('MatMul', [
    hidden,
    g.weights(tinyWeights(TINY_HIDDEN * TINY_VOCAB, 400, 1), [TINY_HIDDEN, TINY_VOCAB]),
  ]);
  const table = new Array<number>(MAX_POSITIONS * TINY_VOCAB).fill(0);
  const start = options.scriptStart ?? 0;
  (options.script ?? []).forEach((token, index) => {
    if (start + index < MAX_POSITIONS) table[(start + index) * TINY_VOCAB + token] = 50;
  });
  const clamped = g.op('Min', [g.op('Max', [newPositions, zero]), g.int64s([MAX_POSITIONS - 1], [])]);
  const scripted = g.op('Gather', [g.weights(table, [MAX_POSITIONS, TINY_VOCAB]), clamped], { axis: 0 });
  if (branchMismatch) {
    const unk = Array.from({ length: TINY_VOCAB }, (_, i) => (i === 3 ? 1000 : 0));
    logits = g.op('Add', [logits, g.op('Mul', [branchMismatch, g.weights(unk, [TINY_VOCAB])])]);
  }
  g.op('Add', [logits, scripted], {}, 'logits');
  g.output('logits', floatType, ['batch', 'sequence', TINY_VOCAB]);
  return g.encode('decoder');
}

export interface TinyPlannerOptions extends TinyDecoderOptions {
  /** Omit the tokenizer (to test a missing file). @defaultValue false */
  skipTokenizer?: boolean;
}

/**
 * Writes the BLIP-2 OPT planner parts under `dir/blip2/`: `vision_encoder.onnx`, `qformer.onnx`,
 * `embed_tokens.onnx`, `decoder_model_merged.onnx`, `tokenizer.json`.
 */
export async function writeTinyPlannerModels(dir: string, options: TinyPlannerOptions = {}): Promise<void> {
  const floatType = options.floatType ?? 'float32';
  await writeTinyBlip2VisionModels(dir, floatType);
  await writeModel(join(dir, 'blip2/embed_tokens.onnx'), tinyEmbedTokens(floatType));
  await writeModel(join(dir, 'blip2/decoder_model_merged.onnx'), tinyDecoder(options));
  if (!options.skipTokenizer)
    await writeFile(join(dir, 'blip2/tokenizer.json'), JSON.stringify(tinyOptTokenizerJson()));
}

/** Token ids of `text` in the tiny OPT tokenizer's vocabulary (no special tokens), plus `</s>` (2) at the end. */
export function tinyOptIds(text: string): number[] {
  const json = tinyOptTokenizerJson() as { model: { vocab: Record<string, number> } };
  const ids = text
    .toLowerCase()
    .split(/\s+|(?=[:.,;|])|(?<=[:.,;|])/)
    .filter(Boolean)
    .map((word) => {
      const id = json.model.vocab[word];
      if (id === undefined) throw new Error(`"${word}" is not in the tiny vocabulary`);
      return id;
    });
  return [...ids, 2];
}
