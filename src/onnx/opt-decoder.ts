/**
 * @module Text generation on an OPT decoder exported with Optimum's merged-decoder names:
 * `inputs_embeds`, `attention_mask`, `past_key_values.N.key|value` in; `logits`,
 * `present.N.key|value` out (and `use_cache_branch` when the export has it). The prefix is
 * given as embeddings (BLIP-2 puts its query embeddings before the prompt's token embeddings);
 * new tokens are embedded by `embed_tokens.onnx`. Greedy or beam search, with a key-value cache.
 */
import * as ort from 'onnxruntime-node';
import { ConfigError } from '../errors.ts';
import { inputsOf } from './session-cache.ts';
import {
  emptyTensor,
  floatTensor,
  intTensor,
  numericTensor,
  readFloats,
  type FloatType,
  type IntType,
} from './tensors.ts';

export interface DecodeOptions {
  /** Most tokens generated before giving up. */
  maxNewTokens: number;
  /** Ends generation: one id or several (BLIP-2 OPT: `"\n"`, 50118; OPT's own `</s>` is 2). */
  endTokenId: number | readonly number[];
  /** 1 is greedy search. @defaultValue 1 */
  beamWidth?: number;
  /** Keep and feed the key-value cache; `false` re-runs the whole sequence every step (for tests). @defaultValue true */
  useCache?: boolean;
  signal?: AbortSignal;
}

export interface DecodeResult {
  /** Generated ids, without the end token. */
  tokens: number[];
  /** Whether the end token came before `maxNewTokens`. */
  finished: boolean;
  /** Logits of the last position at every step of the best sequence (for tests). */
  stepLogits: Float32Array[];
}

interface Layer {
  key: string;
  value: string;
}

type Past = Map<string, ort.Tensor>;

interface Beam {
  tokens: number[];
  /** Embeddings of everything the decoder has not seen yet (the prefix, then each new token). */
  pending: { data: Float32Array; length: number };
  past: Past;
  seen: number;
  score: number;
  finished: boolean;
  stepLogits: Float32Array[];
}

/** The OPT decoder and its token embedding, ready to generate. */
export class OptDecoder {
  private readonly layers: Layer[];
  private readonly pastType: FloatType;
  private readonly heads: number;
  private readonly headSize: number;
  private readonly embedsType: FloatType;
  private readonly maskType: IntType;
  private readonly useCacheBranch: { type: string; rank: number } | undefined;
  private readonly positionIdsType: IntType | undefined;
  private readonly embedIdsType: string;
  readonly hiddenSize: number;

  constructor(
    private readonly decoder: ort.InferenceSession,
    private readonly embedTokens: ort.InferenceSession,
  ) {
    const inputs = inputsOf(decoder);
    this.layers = [...inputs.keys()]
      .map((name) => /^past_key_values\.(\d+)\.key$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort((a, b) => Number(a) - Number(b))
      .map((n) => ({ key: `past_key_values.${n}.key`, value: `past_key_values.${n}.value` }));
    const first = inputs.get(this.layers[0]!.key)!;
    const [, heads, , headSize] = first.shape;
    if (typeof heads !== 'number' || typeof headSize !== 'number')
      throw new ConfigError(
        `The decoder's ${first.name} must have a fixed number of heads and head size (found [${first.shape.join(', ')}]); export it with static head dimensions.`,
      );
    this.heads = heads;
    this.headSize = headSize;
    this.pastType = first.type as FloatType;
    const embeds = inputs.get('inputs_embeds')!;
    this.embedsType = embeds.type as FloatType;
    this.hiddenSize = typeof embeds.shape[2] === 'number' ? embeds.shape[2] : 0;
    this.maskType = inputs.get('attention_mask')!.type as IntType;
    const branch = inputs.get('use_cache_branch');
    this.useCacheBranch = branch ? { type: branch.type, rank: branch.shape.length } : undefined;
    // Newer OPT exports take explicit positions; older ones derive them from the attention mask.
    this.positionIdsType = inputs.get('position_ids')?.type as IntType | undefined;
    this.embedIdsType = inputsOf(embedTokens).get('input_ids')!.type;
  }

  /** Token embeddings for ids: [n, hidden] as float32. */
  async embed(ids: number[]): Promise<Float32Array> {
    const result = await this.embedTokens.run({ input_ids: numericTensor(this.embedIdsType, ids, [1, ids.length]) });
    return readFloats(result.inputs_embeds, 'inputs_embeds');
  }

  /** Generates after `prefix` ([length, hidden] embeddings of the query tokens and the prompt). */
  async generate(prefix: Float32Array, prefixLength: number, options: DecodeOptions): Promise<DecodeResult> {
    const beamWidth = options.beamWidth ?? 1;
    const useCache = options.useCache ?? true;
    const endIds = new Set(typeof options.endTokenId === 'number' ? [options.endTokenId] : options.endTokenId);
    let beams: Beam[] = [
      {
        tokens: [],
        pending: { data: prefix, length: prefixLength },
        past: this.emptyPast(),
        seen: 0,
        score: 0,
        finished: false,
        stepLogits: [],
      },
    ];
    const done: Beam[] = [];
    for (let step = 0; step < options.maxNewTokens; step++) {
      options.signal?.throwIfAborted();
      const candidates: { beam: Beam; token: number; score: number; logits: Float32Array; past: Past }[] = [];
      for (const beam of beams) {
        const { logits, past } = useCache ? await this.runCached(beam) : await this.runFull(beam, prefix, prefixLength);
        const logProbs = logSoftmax(logits);
        for (const token of topK(logProbs, beamWidth))
          candidates.push({ beam, token, score: beam.score + logProbs[token]!, logits, past });
      }
      candidates.sort((a, b) => b.score - a.score);
      const next: Beam[] = [];
      for (const candidate of candidates) {
        if (next.length >= beamWidth) break;
        const tokens = [...candidate.beam.tokens];
        const stepLogits = [...candidate.beam.stepLogits, candidate.logits];
        if (endIds.has(candidate.token)) {
          if (done.length < beamWidth)
            done.push({ ...candidate.beam, tokens, stepLogits, score: candidate.score, finished: true });
          continue;
        }
        tokens.push(candidate.token);
        const embedding = await this.embed([candidate.token]);
        next.push({
          tokens,
          pending: { data: embedding, length: 1 },
          past: candidate.past,
          seen: candidate.beam.seen + candidate.beam.pending.length,
          score: candidate.score,
          finished: false,
          stepLogits,
        });
      }
      beams = next;
      // Greedy stops at the end token; beam search when the best finished beam beats every live one.
      const bestDone = best(done);
      if (beams.length === 0 || (bestDone && beams.every((b) => normalised(b) <= normalised(bestDone)))) break;
    }
    const winner = best(done) ?? best(beams)!;
    return { tokens: winner.tokens, finished: winner.finished, stepLogits: winner.stepLogits };
  }

  private emptyPast(): Past {
    const past: Past = new Map();
    for (const layer of this.layers) {
      past.set(layer.key, emptyTensor(this.pastType, [1, this.heads, 0, this.headSize]));
      past.set(layer.value, emptyTensor(this.pastType, [1, this.heads, 0, this.headSize]));
    }
    return past;
  }

  /** One decoder run over the beam's pending embeddings with its cache. */
  private async runCached(beam: Beam): Promise<{ logits: Float32Array; past: Past }> {
    const total = beam.seen + beam.pending.length;
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: floatTensor(this.embedsType, beam.pending.data, [
        1,
        beam.pending.length,
        beam.pending.data.length / beam.pending.length,
      ]),
      attention_mask: intTensor(this.maskType, new Array<number>(total).fill(1), [1, total]),
    };
    for (const [name, tensor] of beam.past) feeds[name] = tensor;
    if (this.useCacheBranch) feeds.use_cache_branch = boolTensor(beam.seen > 0, this.useCacheBranch.rank);
    if (this.positionIdsType)
      feeds.position_ids = intTensor(
        this.positionIdsType,
        Array.from({ length: beam.pending.length }, (_, i) => beam.seen + i),
        [1, beam.pending.length],
      );
    const result = await this.decoder.run(feeds);
    const past: Past = new Map();
    for (const layer of this.layers) {
      past.set(layer.key, result[layer.key.replace('past_key_values', 'present')] as ort.Tensor);
      past.set(layer.value, result[layer.value.replace('past_key_values', 'present')] as ort.Tensor);
    }
    return { logits: lastRow(result.logits as ort.Tensor), past };
  }

  /** Without a cache: the whole sequence (prefix and generated tokens) from scratch. */
  private async runFull(
    beam: Beam,
    prefix: Float32Array,
    prefixLength: number,
  ): Promise<{ logits: Float32Array; past: Past }> {
    const generated = beam.tokens.length > 0 ? await this.embed(beam.tokens) : new Float32Array(0);
    const data = new Float32Array(prefix.length + generated.length);
    data.set(prefix);
    data.set(generated, prefix.length);
    const length = prefixLength + beam.tokens.length;
    const full: Beam = { ...beam, pending: { data, length }, past: this.emptyPast(), seen: 0 };
    const { logits } = await this.runCached(full);
    return { logits, past: this.emptyPast() };
  }
}

/** onnxruntime-node takes bool tensors as Uint8Array data. */
function boolTensor(value: boolean, rank: number): ort.Tensor {
  return new ort.Tensor('bool', Uint8Array.from([value ? 1 : 0]), rank === 0 ? [] : [1]);
}

function lastRow(logits: ort.Tensor): Float32Array {
  const [, length, vocabulary] = logits.dims as [number, number, number];
  const all = readFloats(logits, 'logits');
  return all.slice((length - 1) * vocabulary, length * vocabulary);
}

function logSoftmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const value of logits) if (value > max) max = value;
  let sum = 0;
  for (const value of logits) sum += Math.exp(value - max);
  const logSum = max + Math.log(sum);
  return logits.map((value) => value - logSum);
}

/** Indices of the k largest values, largest first (ties: lowest index). */
export function topK(values: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (best.length < k || values[i]! > values[best[best.length - 1]!]!) {
      let at = best.length;
      while (at > 0 && values[i]! > values[best[at - 1]!]!) at--;
      best.splice(at, 0, i);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** Beam scores normalised by length, so longer answers are not punished for being longer. */
function normalised(beam: Beam): number {
  return beam.score / Math.max(1, beam.tokens.length + (beam.finished ? 1 : 0));
}

function best(beams: Beam[]): Beam | undefined {
  return beams.reduce<Beam | undefined>((a, b) => (!a || normalised(b) > normalised(a) ? b : a), undefined);
}
