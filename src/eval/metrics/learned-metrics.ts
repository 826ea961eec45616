/**
 * @module The learned metrics of the EPEM paper's Table 1, on ONNX Runtime, each measured only
 * when its files are in `MODELS_DIR` (see `../eval-models.ts`); otherwise "not measured" with the
 * file that is missing or does not fit. Never a made-up number.
 *
 * - CLIP-I (Radford et al., "Learning Transferable Visual Models From Natural Language
 *   Supervision", ICML 2021): cosine similarity of the CLIP image embeddings of the edit and the
 *   reference edit (the dataset's ground truth), or the original when there is no reference.
 *   Reported ×100 like the paper.
 * - CLIP-T (same reference): cosine similarity of the CLIP embeddings of the edit and its edited
 *   caption (the dataset's, else the planner's). ×100.
 * - LPIPS (Zhang et al., "The Unreasonable Effectiveness of Deep Features as a Perceptual
 *   Metric", CVPR 2018): the learned perceptual distance between original and edit, both at
 *   256 × 256 in [−1, 1]; lower is closer.
 * - FID (Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
 *   Equilibrium", NeurIPS 2017): Fréchet distance between Gaussians fitted to InceptionV3 pool3
 *   features of the originals and of the edits, see {@link frechetDistance}.
 * - M-Eval (the paper, with MDAN; Xu et al., CVPR 2022): accuracy of an image emotion classifier
 *   on the edits: the share whose top class is the target.
 *
 * Pictures are resized with sharp: CLIP and the classifier scale the short side to the input
 * size and crop the centre (bicubic), as CLIP's preprocessing does; LPIPS and Inception resize
 * to the exact square (bilinear), as pytorch-fid and the LPIPS examples do.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { EMOTIONS, isEmotion, type Emotion } from '../../emotions.ts';
import type { ExecutionProvider } from '../../onnx/execution-provider.ts';
import type { ManifestFile } from '../../onnx/manifest.ts';
import { CLIP_MEAN, CLIP_STD } from '../../onnx/image-tensors.ts';
import { acquireSession, releaseSession, type LoadSessionOptions } from '../../onnx/session-cache.ts';
import { TextTokenizer } from '../../onnx/tokenizer.ts';
import {
  CLIP_TEXT,
  CLIP_TOKENIZER,
  CLIP_VISION,
  EMOTION_CLASSIFIER,
  EMOTION_CLASSIFIER_CONFIG,
  EVAL_MODELS,
  INCEPTION,
  LPIPS,
  type EvalModel,
} from '../eval-models.ts';

export type LearnedMetric = EvalModel['metric'];

/** Whether a metric can be measured, and why not. */
export type Availability = { measured: true } | { measured: false; reason: string };

export interface LearnedMetricsOptions {
  /** Where the eval models live (`MODELS_DIR`). @defaultValue 'models/weights' */
  modelsDir?: string;
  /** @defaultValue 'cpu' */
  provider?: ExecutionProvider;
}

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
const CLIP_TEXT_LENGTH = 77;

interface ClassifierConfig {
  labels: Emotion[];
  size: number;
  mean: number[];
  std: number[];
}

/** NCHW float input of one picture: `size`×`size`, each value mapped by `scale(v / 255, channel)`. */
async function pictureTensor(
  bytes: Buffer,
  size: number,
  fit: 'cover' | 'fill',
  scale: (v: number, c: number) => number,
): Promise<ort.Tensor> {
  const rgb = await sharp(bytes)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .resize(size, size, { fit, position: 'centre', kernel: fit === 'cover' ? 'cubic' : 'linear' })
    .raw()
    .toBuffer();
  const plane = size * size;
  const data = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) data[c * plane + i] = scale(rgb[i * 3 + c]! / 255, c);
  return new ort.Tensor('float32', data, [1, 3, size, size]);
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return vector.map((v) => v / norm);
}

/** Cosine similarity of two unit vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/** The learned metrics over one models folder; open once per run, close at the end. */
export class LearnedMetrics {
  readonly modelsDir: string;
  readonly #session: LoadSessionOptions;
  readonly #availability = new Map<LearnedMetric, Availability>();
  readonly #acquired: ManifestFile[] = [];
  readonly #sessions = new Map<string, ort.InferenceSession>();
  #tokenizer?: TextTokenizer;
  #classifier?: ClassifierConfig;

  private constructor(options: LearnedMetricsOptions) {
    this.modelsDir = options.modelsDir ?? 'models/weights';
    this.#session = { provider: options.provider ?? 'cpu', backend: 'eval' };
  }

  /** Opens every metric whose files are present and fit; the others say why not. */
  static async open(options: LearnedMetricsOptions = {}): Promise<LearnedMetrics> {
    const metrics = new LearnedMetrics(options);
    for (const model of EVAL_MODELS) metrics.#availability.set(model.metric, await metrics.#openModel(model));
    return metrics;
  }

  availability(metric: LearnedMetric): Availability {
    return this.#availability.get(metric) ?? { measured: false, reason: 'not measured' };
  }

  async #openModel(model: EvalModel): Promise<Availability> {
    for (const file of model.files) {
      const path = join(this.modelsDir, file.path);
      if (!existsSync(path))
        return {
          measured: false,
          reason:
            `not measured: file ${file.path} missing in MODELS_DIR (${this.modelsDir}). ${file.note ?? ''}`.trim(),
        };
    }
    try {
      for (const file of model.files) {
        if (file.kind === 'onnx') await this.#sessionFor(file);
        if (file === CLIP_TOKENIZER) this.#tokenizer ??= await TextTokenizer.fromFile(join(this.modelsDir, file.path));
        if (file === EMOTION_CLASSIFIER_CONFIG)
          this.#classifier ??= await readClassifierConfig(join(this.modelsDir, file.path));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      return { measured: false, reason: `not measured: ${message}` };
    }
    return { measured: true };
  }

  async #sessionFor(file: ManifestFile): Promise<ort.InferenceSession> {
    const open = this.#sessions.get(file.path);
    if (open) return open;
    this.#acquired.push(file);
    const session = await acquireSession(this.modelsDir, file, this.#session);
    this.#sessions.set(file.path, session);
    return session;
  }

  async #run(file: ManifestFile, feeds: Record<string, ort.Tensor>, output: string): Promise<Float32Array> {
    const session = await this.#sessionFor(file);
    const wanted = Object.fromEntries(Object.entries(feeds).filter(([name]) => session.inputNames.includes(name)));
    const result = await session.run(wanted);
    return result[output]!.data as Float32Array;
  }

  /** The unit CLIP image embedding of a picture. */
  async clipImage(bytes: Buffer): Promise<Float32Array> {
    const input = await pictureTensor(bytes, 224, 'cover', (v, c) => (v - CLIP_MEAN[c]!) / CLIP_STD[c]!);
    return unit(await this.#run(CLIP_VISION, { pixel_values: input }, 'image_embeds'));
  }

  /** The unit CLIP text embedding of a caption (77 tokens, truncated keeping the end token). */
  async clipText(text: string): Promise<Float32Array> {
    const { ids, tokens } = this.#tokenizer!.encodeFixed(text, CLIP_TEXT_LENGTH);
    const session = await this.#sessionFor(CLIP_TEXT);
    const type = session.inputMetadata.find((m) => m.name === 'input_ids');
    const int32 = type?.isTensor && type.type === 'int32';
    const tensor = (values: number[]) =>
      int32
        ? new ort.Tensor('int32', Int32Array.from(values), [1, CLIP_TEXT_LENGTH])
        : new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, CLIP_TEXT_LENGTH]);
    const mask = ids.map((_, i) => (i < tokens ? 1 : 0));
    return unit(await this.#run(CLIP_TEXT, { input_ids: tensor(ids), attention_mask: tensor(mask) }, 'text_embeds'));
  }

  /** LPIPS distance between two pictures. */
  async lpips(a: Buffer, b: Buffer): Promise<number> {
    const toSigned = (v: number) => v * 2 - 1;
    const [in0, in1] = await Promise.all([
      pictureTensor(a, 256, 'fill', toSigned),
      pictureTensor(b, 256, 'fill', toSigned),
    ]);
    const out = await this.#run(LPIPS, { in0, in1 }, 'distance');
    return out.reduce((sum, v) => sum + v, 0) / out.length;
  }

  /** InceptionV3 pool3 features of a picture (for FID). */
  async inceptionFeatures(bytes: Buffer): Promise<Float64Array> {
    const input = await pictureTensor(bytes, 299, 'fill', (v) => v);
    return Float64Array.from(await this.#run(INCEPTION, { images: input }, 'pool3'));
  }

  /** The classifier's distribution over the eight emotions (softmax of its logits). */
  async classify(bytes: Buffer): Promise<Record<Emotion, number>> {
    const config = this.#classifier!;
    const input = await pictureTensor(bytes, config.size, 'cover', (v, c) => (v - config.mean[c]!) / config.std[c]!);
    const logits = await this.#run(EMOTION_CLASSIFIER, { pixel_values: input }, 'logits');
    const max = Math.max(...logits);
    const exp = Array.from(logits, (v) => Math.exp(v - max));
    const total = exp.reduce((a, b) => a + b, 0);
    const out = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
    config.labels.forEach((label, i) => (out[label] = exp[i]! / total));
    return out;
  }

  async close(): Promise<void> {
    for (const file of this.#acquired.splice(0)) await releaseSession(this.modelsDir, file, this.#session);
    this.#sessions.clear();
  }
}

async function readClassifierConfig(path: string): Promise<ClassifierConfig> {
  const json = JSON.parse(await readFile(path, 'utf8')) as Partial<ClassifierConfig>;
  const labels = json.labels;
  if (!Array.isArray(labels) || labels.length !== 8 || !labels.every(isEmotion) || new Set(labels).size !== 8)
    throw new Error(
      `${EMOTION_CLASSIFIER_CONFIG.path} must list the eight emotions once each in "labels", in the classifier's output order`,
    );
  return { labels, size: json.size ?? 224, mean: json.mean ?? IMAGENET_MEAN, std: json.std ?? IMAGENET_STD };
}

/**
 * The Fréchet distance between Gaussians fitted to two sets of feature vectors (FID):
 *
 *   d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁ Σ₂)^½,
 *
 * with sample covariances (divided by n − 1). With n feature vectors of dimension d ≫ n the
 * covariances have rank below n, so the trace of the square root is computed without any
 * d × d matrix: with centred feature matrices A₁ (n₁ × d) and A₂, Σ₁Σ₂'s non-zero eigenvalues
 * are the squared singular values of A₁A₂ᵀ / √((n₁−1)(n₂−1)), so tr (Σ₁Σ₂)^½ is that matrix's
 * nuclear norm (sum of singular values; the eigenvalues of the small symmetric B Bᵀ by Jacobi
 * rotations). Needs at least two vectors per set. FID on a few dozen pictures is biased upward
 * (Chong & Forsyth, CVPR 2020): compare runs of the same size only.
 */
export function frechetDistance(first: readonly Float64Array[], second: readonly Float64Array[]): number {
  if (first.length < 2 || second.length < 2) throw new RangeError('FID needs at least two pictures on each side');
  const d = first[0]!.length;
  const centred = (set: readonly Float64Array[]): { mean: Float64Array; rows: Float64Array[] } => {
    const mean = new Float64Array(d);
    for (const v of set) for (let i = 0; i < d; i++) mean[i]! += v[i]! / set.length;
    return { mean, rows: set.map((v) => v.map((x, i) => x - mean[i]!)) };
  };
  const a = centred(first);
  const b = centred(second);
  const dot = (x: Float64Array, y: Float64Array) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += x[i]! * y[i]!;
    return s;
  };
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  const traceA = a.rows.reduce((s, r) => s + dot(r, r), 0) / (first.length - 1);
  const traceB = b.rows.reduce((s, r) => s + dot(r, r), 0) / (second.length - 1);
  // B = A1 A2ᵀ (n1 × n2); BBᵀ (n1 × n1) is symmetric positive semi-definite.
  const cross = a.rows.map((r) => b.rows.map((s) => dot(r, s)));
  const n = first.length;
  const gram = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => cross[i]!.reduce((s, v, k) => s + v * cross[j]![k]!, 0)),
  );
  const nuclear = symmetricEigenvalues(gram).reduce((s, e) => s + Math.sqrt(Math.max(0, e)), 0);
  const traceSqrt = nuclear / Math.sqrt((first.length - 1) * (second.length - 1));
  return Math.max(0, meanTerm + traceA + traceB - 2 * traceSqrt);
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations. */
export function symmetricEigenvalues(matrix: number[][]): number[] {
  const n = matrix.length;
  const m = matrix.map((row) => row.slice());
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p]![q]! ** 2;
    if (
      off <
      1e-22 *
        Math.max(
          1,
          m.reduce((s, r, i) => s + r[i]! ** 2, 0),
        )
    )
      break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p]![q]!;
        if (apq === 0) continue;
        const theta = (m[q]![q]! - m[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k]![p]!;
          const mkq = m[k]![q]!;
          m[k]![p] = c * mkp - s * mkq;
          m[k]![q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p]![k]!;
          const mqk = m[q]![k]!;
          m[p]![k] = c * mpk - s * mqk;
          m[q]![k] = s * mpk + c * mqk;
        }
      }
    }
  }
  return m.map((row, i) => row[i]!);
}
