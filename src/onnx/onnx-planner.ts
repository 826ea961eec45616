/**
 * @module The `onnx` planner: EPEM's MLLM path on ONNX Runtime. BLIP-2 reads the picture
 * (vision encoder, then the Q-Former with its language projection), and the OPT-2.7B decoder
 * whose last MLP layers EPEM's EIC module edited writes the caption, the edited caption and the
 * target emotion after a prompt from `prompts/epem-planner.txt`.
 *
 * The source emotion, the elements and the canonical instruction come from the fallback
 * planner (the knowledge planner), which runs first and is cheap. When the model's answer
 * names no emotion, names a different target than the person asked for, cannot be parsed, or
 * runs past `maxNewTokens`, the fallback's plan is returned and the reason is logged.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as ort from 'onnxruntime-node';
import { isEmotion, type Emotion } from '../emotions.ts';
import { ConfigError } from '../errors.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { KnowledgePlanner } from '../planner/knowledge-planner.ts';
import type { EditPlan, PlanRequest, Planner } from '../planner/planner.ts';
import { blip2QueryEmbeddings } from './blip2-vision.ts';
import type { ExecutionProvider } from './execution-provider.ts';
import { loadManifest, manifestFile, type ManifestFile } from './manifest.ts';
import { OptDecoder } from './opt-decoder.ts';
import { acquireSession, releaseSession, type LoadSessionOptions } from './session-cache.ts';
import { TextTokenizer } from './tokenizer.ts';

export const DEFAULT_PLANNER_PROMPT = fileURLToPath(new URL('../../prompts/epem-planner.txt', import.meta.url));

export interface OnnxPlannerOptions {
  /** The folder holding the export (layout in `models/manifest.json`). @defaultValue `models/weights` */
  modelsDir?: string;
  /** Where ONNX Runtime runs. @defaultValue `cpu` */
  executionProvider?: ExecutionProvider;
  /** Writes the plan when the model's answer is unusable, and supplies source and elements. @defaultValue a `KnowledgePlanner` */
  fallback?: Planner;
  /** Most tokens the decoder may write; an answer that needs more falls back. @defaultValue 96 */
  maxNewTokens?: number;
  /** 1 is greedy decoding; more is beam search with that many beams. @defaultValue 1 */
  beamWidth?: number;
  /** The prompt template, with `{instruction}`, `{source}` and `{target}`. @defaultValue `prompts/epem-planner.txt` */
  promptFile?: string;
  /** ONNX Runtime threads per operator on CPU. @defaultValue ONNX Runtime's choice */
  cpuThreads?: number;
  /** Let ONNX Runtime's threads spin between operators (see `ProviderTuning`). @defaultValue false */
  cpuSpinning?: boolean;
  /**
   * The token ids that end an answer. @defaultValue `blip2/export.json`'s `end_token_id` when the
   * export has that file, else 50118 (`"\n"`, BLIP-2 OPT's end token: LAVIS trains with it and
   * transformers' conversion writes it into the config) and the tokenizer's `</s>` (2)
   */
  endTokenIds?: number[];
  /** @defaultValue a silent logger */
  logger?: Logger;
}

/** What the model wrote, once parsed. */
export interface PlannerAnswer {
  caption?: string;
  editedCaption: string;
  emotion: Emotion;
}

/**
 * Reads "Caption: … Edited: … Emotion: …" (any case, any spacing, "Edited caption:" too).
 * Returns why it failed instead when the answer is unusable.
 */
export function parsePlannerAnswer(text: string): PlannerAnswer | { problem: string } {
  const clean = text.replace(/\s+/g, ' ').trim();
  const emotionMatch = /emotion\s*:\s*([a-z]+)/i.exec(clean);
  if (!emotionMatch) return { problem: 'the answer names no emotion' };
  const emotion = emotionMatch[1]!.toLowerCase();
  if (!isEmotion(emotion)) return { problem: `"${emotion}" is not one of the eight emotions` };
  const edited = /edited(?:\s+caption)?\s*:\s*(.+?)\s*[.;|]?\s*emotion\s*:/i.exec(clean);
  const editedCaption = tidy(edited?.[1]);
  if (!editedCaption) return { problem: 'the answer has no edited caption' };
  const caption = tidy(/(?<!edited\s)caption\s*:\s*(.+?)\s*[.;|]?\s*edited/i.exec(clean)?.[1]);
  return { ...(caption ? { caption } : {}), editedCaption, emotion };
}

function tidy(text: string | undefined): string | undefined {
  const trimmed = text
    ?.replace(/\s+([.,;:!?])/g, '$1')
    .replace(/[\s.;|]+$/, '')
    .trim();
  if (!trimmed) return undefined;
  return trimmed[0]!.toUpperCase() + trimmed.slice(1) + '.';
}

const PLANNER_FILES = [
  'blip2/vision_encoder.onnx',
  'blip2/qformer.onnx',
  'blip2/embed_tokens.onnx',
  'blip2/decoder_model_merged.onnx',
] as const;

export class OnnxPlanner implements Planner {
  readonly name = 'onnx';
  private closed = false;

  private constructor(
    private readonly sessions: { visionEncoder: ort.InferenceSession; qformer: ort.InferenceSession },
    private readonly decoder: OptDecoder,
    private readonly tokenizer: TextTokenizer,
    private readonly prompt: string,
    private readonly fallback: Planner,
    private readonly settings: {
      maxNewTokens: number;
      beamWidth: number;
      modelsDir: string;
      ownsFallback: boolean;
      endTokenIds: number[];
    },
    private readonly loaded: ManifestFile[],
    private readonly loadOptions: LoadSessionOptions,
    private readonly logger: Logger,
  ) {}

  /** Loads and checks every model file; fails with a message naming any missing or wrong file. */
  static async create(options: OnnxPlannerOptions = {}): Promise<OnnxPlanner> {
    const modelsDir = options.modelsDir ?? 'models/weights';
    const maxNewTokens = options.maxNewTokens ?? 96;
    const beamWidth = options.beamWidth ?? 1;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
      throw new ConfigError(
        `The onnx planner's maxNewTokens must be a whole number of at least 1, not ${maxNewTokens}.`,
      );
    if (!Number.isInteger(beamWidth) || beamWidth < 1 || beamWidth > 16)
      throw new ConfigError(
        `The onnx planner's beamWidth must be a whole number from 1 (greedy) to 16, not ${beamWidth}.`,
      );
    const logger = options.logger ?? silentLogger;
    const prompt = await readFile(options.promptFile ?? DEFAULT_PLANNER_PROMPT, 'utf8').catch((error: unknown) => {
      throw new ConfigError(
        `The onnx planner's prompt file ${options.promptFile ?? DEFAULT_PLANNER_PROMPT} cannot be read: ${String(error)}.`,
      );
    });
    const manifest = await loadManifest();
    const loadOptions: LoadSessionOptions = {
      provider: options.executionProvider ?? 'cpu',
      backend: 'onnx',
      ...(options.cpuThreads ? { cpuThreads: options.cpuThreads } : {}),
      ...(options.cpuSpinning ? { cpuSpinning: true } : {}),
    };
    const loaded: ManifestFile[] = [];
    const sessions: ort.InferenceSession[] = [];
    try {
      const tokenizer = await TextTokenizer.fromFile(join(modelsDir, 'blip2/tokenizer.json'));
      for (const path of PLANNER_FILES) {
        const file = manifestFile(manifest, 'onnx', path);
        const session = acquireSession(modelsDir, file, loadOptions);
        loaded.push(file);
        sessions.push(await session);
      }
      const [visionEncoder, qformer, embedTokens, decoderSession] = sessions as [
        ort.InferenceSession,
        ort.InferenceSession,
        ort.InferenceSession,
        ort.InferenceSession,
      ];
      const planner = new OnnxPlanner(
        { visionEncoder, qformer },
        new OptDecoder(decoderSession, embedTokens),
        tokenizer,
        prompt.trim(),
        options.fallback ?? new KnowledgePlanner(),
        {
          maxNewTokens,
          beamWidth,
          modelsDir,
          ownsFallback: !options.fallback,
          endTokenIds: options.endTokenIds ?? (await plannerEndTokens(modelsDir, tokenizer)),
        },
        loaded,
        loadOptions,
        logger,
      );
      logger.info({ modelsDir, provider: loadOptions.provider, beamWidth }, 'onnx planner ready');
      return planner;
    } catch (error) {
      await Promise.all(loaded.map((f) => releaseSession(modelsDir, f, loadOptions)));
      throw error;
    }
  }

  /** The prompt for a plan, with its variables filled in. */
  promptFor(plan: Pick<EditPlan, 'instruction' | 'source' | 'target'>): string {
    return this.prompt.replace(
      /\{(instruction|source|target)\}/g,
      (_, name: 'instruction' | 'source' | 'target') => plan[name],
    );
  }

  async plan(request: PlanRequest): Promise<EditPlan> {
    if (this.closed) throw new Error('The onnx planner was closed.');
    request.signal?.throwIfAborted();
    const base = await this.fallback.plan(request);
    request.signal?.throwIfAborted();
    const { text, finished } = await this.answer(request, base);
    const fallBack = (reason: string): EditPlan => {
      this.logger.warn(
        { reason, answer: text.slice(0, 300), target: request.target },
        'onnx planner answer unusable; using the fallback plan',
      );
      return base;
    };
    if (!finished) return fallBack(`the answer ran past ${this.settings.maxNewTokens} tokens`);
    const parsed = parsePlannerAnswer(text);
    if ('problem' in parsed) return fallBack(parsed.problem);
    if (parsed.emotion !== request.target)
      return fallBack(`the answer's emotion ${parsed.emotion} is not the requested ${request.target}`);
    return {
      ...base,
      caption: parsed.caption ?? base.caption,
      editedCaption: parsed.editedCaption,
      target: parsed.emotion,
      planner: this.name,
    };
  }

  /** Runs BLIP-2 on the picture and the prompt; returns the decoded answer. */
  private async answer(request: PlanRequest, base: EditPlan): Promise<{ text: string; finished: boolean }> {
    const query = await blip2QueryEmbeddings(this.sessions.visionEncoder, this.sessions.qformer, request.image);
    const [, queries, width] = query.dims as [number, number, number];
    if (this.decoder.hiddenSize && width !== this.decoder.hiddenSize)
      throw new ConfigError(
        `blip2/qformer.onnx returns width ${width} but the decoder takes ${this.decoder.hiddenSize}; export the Q-Former with its language projection.`,
      );
    const promptIds = this.tokenizer.encode(this.promptFor(base));
    const promptEmbeds = await this.decoder.embed(promptIds);
    const prefix = new Float32Array(query.data.length + promptEmbeds.length);
    prefix.set(query.data);
    prefix.set(promptEmbeds, query.data.length);
    const result = await this.decoder.generate(prefix, queries + promptIds.length, {
      maxNewTokens: this.settings.maxNewTokens,
      endTokenId: this.settings.endTokenIds,
      beamWidth: this.settings.beamWidth,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    return { text: this.tokenizer.decode(result.tokens), finished: result.finished };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.loaded.map((file) => releaseSession(this.settings.modelsDir, file, this.loadOptions)));
    // A fallback passed in belongs to the caller, who closes it.
    if (this.settings.ownsFallback) await this.fallback.close?.();
  }
}

/** BLIP-2 OPT's end token, `"\n"` (Ċ in the byte-level vocabulary). */
export const BLIP2_OPT_END_TOKEN = 50118;

/**
 * The ids that end an answer for an export: `blip2/export.json`'s `end_token_id` (a number or a
 * list), else 50118 and the tokenizer's `</s>`.
 */
export async function plannerEndTokens(modelsDir: string, tokenizer: TextTokenizer): Promise<number[]> {
  const path = join(modelsDir, 'blip2/export.json');
  if (existsSync(path)) {
    let value: unknown;
    try {
      value = (JSON.parse(await readFile(path, 'utf8')) as { end_token_id?: unknown }).end_token_id;
    } catch (error) {
      throw new ConfigError(
        `${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); export the planner again.`,
        { cause: error },
      );
    }
    const ids = typeof value === 'number' ? [value] : value;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isInteger(id) && id >= 0))
      throw new ConfigError(
        `${path} must give end_token_id as a token id or a list of them (BLIP-2 OPT: 50118), not ${JSON.stringify(value)}.`,
      );
    return ids as number[];
  }
  return [...new Set([BLIP2_OPT_END_TOKEN, tokenizer.tokenId('</s>') ?? 2])];
}

/** The factory the engine calls for `MOODSHIFT_PLANNER=onnx`. */
export function createOnnxPlanner(options: OnnxPlannerOptions): Promise<OnnxPlanner> {
  return OnnxPlanner.create(options);
}
