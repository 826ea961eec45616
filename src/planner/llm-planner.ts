/**
 * @module The vision planner (`MOODSHIFT_PLANNER=llm`): the EPEM MLLM path done by a vision
 * chat model behind any OpenAI-compatible server, through LangChain's `ChatOpenAI`.
 *
 * The picture goes as a downscaled JPEG (at most 512 px a side) in a data URL, with the
 * canonical instruction and `prompts/plan.txt`; the answer is a zod-validated plan: caption,
 * edited caption, source and target emotion, elements. The person's own choices always win
 * over the model's (the source and elements they named, the target they asked for); when the
 * model names no source, the estimator reads it from the picture. Any error, timeout or invalid
 * answer (another target, empty captions, an edited caption identical to the caption) gives the
 * knowledge planner's plan instead, logged and counted (`stats()`).
 */
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { ELEMENTS, EMOTIONS, EMOTION_TABLE, dominantEmotion, type Element, type Emotion } from '../emotions.ts';
import { ToneEstimator, type Estimator } from '../estimator/tone-estimator.ts';
import { canonicalInstruction, describeIntensity } from '../intent.ts';
import { silentLogger, type Logger } from '../logger.ts';
import {
  resolveLlmConnection,
  throwIfProblems,
  type LlmConfig,
  type LlmConnectionOptions,
  type ResolvedLlmConnection,
} from '../llm/llm-options.ts';
import { PROMPTS_DIR, fillTemplate, loadPromptTemplate, type PromptTemplate } from '../llm/prompt-file.ts';
import {
  InvalidModelOutputError,
  LLM_FAILURE_REASONS,
  StructuredChat,
  type LlmFailureReason,
} from '../llm/structured-chat.ts';
import type { EditPlan, PlanRequest, Planner } from './planner.ts';

/** The variables `prompts/plan.txt` is filled with. */
export const PLAN_PROMPT_VARIABLES = [
  'emotions',
  'elements',
  'instruction',
  'target',
  'source',
  'requested_elements',
  'intensity',
] as const;

/** The longest caption accepted from the model, in characters. */
const MAX_CAPTION_LENGTH = 600;

export const modelPlanSchema = z
  .object({
    caption: z.string().describe('What the picture shows now, in one sentence.'),
    editedCaption: z
      .string()
      .describe('What the same picture shows after the edit, changing only emotion-carrying elements.'),
    source: z.enum(EMOTIONS).nullable().describe('The emotion the picture evokes now.'),
    target: z.enum(EMOTIONS).describe('The target emotion of the instruction.'),
    elements: z.array(z.enum(ELEMENTS)).describe('The kinds of visual element the edited caption changes.'),
  })
  .describe('A plan for changing the emotion of one picture.');

export type ModelPlan = z.infer<typeof modelPlanSchema>;

export interface LlmPlannerOptions extends Partial<LlmConnectionOptions> {
  /** The planner that answers when the model fails: in practice the knowledge planner. Required. */
  fallback: Planner;
  /** `LLM_BASE_URL`, `LLM_API_KEY` and `LLM_MODEL` as the engine read them; explicit options win. */
  config?: LlmConfig;
  /** Where failures and fallbacks are logged. @defaultValue a silent logger */
  logger?: Logger;
  /** Reads the source emotion when neither the person nor the model names one. @defaultValue a `ToneEstimator` */
  estimator?: Estimator;
  /** The longest side of the picture sent to the model, in pixels. @defaultValue 512 */
  maxImageSide?: number;
  /** JPEG quality of the picture sent to the model, 1 to 100. @defaultValue 80 */
  jpegQuality?: number;
  /** The prompt template. @defaultValue `prompts/plan.txt` */
  promptFile?: string;
  /**
   * `LLM_*` variables given directly (`LLM_VISION_MODEL`, `LLM_PLANNER_TIMEOUT_MS`, …; tests,
   * embedding), read after `config`. The process's own environment is read once, by `loadConfig`.
   * @defaultValue none
   */
  env?: Record<string, string | undefined>;
}

/** What the planner has done since it started. */
export interface LlmPlannerStats {
  /** Plans asked for. */
  requests: number;
  /** Plans the model wrote. */
  modelAnswers: number;
  /** Plans the fallback wrote because the model gave no usable answer, by reason. */
  fallbacks: Record<LlmFailureReason, number>;
}

/** The EPEM planning step with a vision chat model; the knowledge planner answers when it cannot. */
export class LlmPlanner implements Planner {
  readonly name = 'llm';
  readonly connection: ResolvedLlmConnection;
  private readonly fallback: Planner;
  private readonly logger: Logger;
  private readonly estimator: Estimator;
  private readonly chat: StructuredChat<typeof modelPlanSchema>;
  private readonly prompt: PromptTemplate;
  private readonly maxImageSide: number;
  private readonly jpegQuality: number;
  private readonly counters: LlmPlannerStats = {
    requests: 0,
    modelAnswers: 0,
    fallbacks: Object.fromEntries(LLM_FAILURE_REASONS.map((r) => [r, 0])) as Record<LlmFailureReason, number>,
  };

  constructor(options: LlmPlannerOptions) {
    const env = options.env ?? {};
    const settings = options.config?.llm ?? {};
    const problems: string[] = [];
    if (!options.fallback || typeof options.fallback.plan !== 'function') {
      problems.push('LlmPlanner needs a fallback planner (the knowledge planner) to answer when the model cannot.');
    }
    this.connection = resolveLlmConnection(
      'LlmPlanner',
      options.config,
      env,
      options,
      {
        timeoutMs: 30_000,
        timeoutVariable: 'LLM_PLANNER_TIMEOUT_MS',
        configuredTimeoutMs: settings.plannerTimeoutMs,
        model: settings.visionModel ?? (env.LLM_VISION_MODEL?.trim() || undefined),
      },
      problems,
    );
    this.maxImageSide = options.maxImageSide ?? 512;
    this.jpegQuality = options.jpegQuality ?? 80;
    if (!Number.isInteger(this.maxImageSide) || this.maxImageSide < 32 || this.maxImageSide > 4096) {
      problems.push(
        `LlmPlanner: maxImageSide must be a whole number of pixels from 32 to 4096 (got ${this.maxImageSide}).`,
      );
    }
    if (!Number.isInteger(this.jpegQuality) || this.jpegQuality < 1 || this.jpegQuality > 100) {
      problems.push(`LlmPlanner: jpegQuality must be a whole number from 1 to 100 (got ${this.jpegQuality}).`);
    }
    throwIfProblems('vision planner', problems);
    this.fallback = options.fallback;
    this.logger = (options.logger ?? silentLogger).child({ component: 'llm-planner' });
    this.estimator = options.estimator ?? new ToneEstimator();
    this.prompt = loadPromptTemplate(options.promptFile ?? join(PROMPTS_DIR, 'plan.txt'), PLAN_PROMPT_VARIABLES);
    this.chat = new StructuredChat(this.connection, modelPlanSchema, 'edit_plan');
  }

  async plan(request: PlanRequest): Promise<EditPlan> {
    request.signal?.throwIfAborted();
    this.counters.requests++;
    const picture = await sharp(request.image.bytes)
      .resize(this.maxImageSide, this.maxImageSide, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: this.jpegQuality })
      .toBuffer();
    request.signal?.throwIfAborted();
    const named = uniqueElements(request.elements ?? []);
    const values = {
      emotions: EMOTIONS.map((e) => `- ${e} (${EMOTION_TABLE[e].valence}): ${EMOTION_TABLE[e].meaning}`).join('\n'),
      elements: ELEMENT_LINES,
      instruction: canonicalInstruction(request.target, request.source),
      target: request.target,
      source: request.source ?? 'not given: judge it from the picture',
      requested_elements:
        named.length > 0 ? named.join(', ') : 'not given: choose the ones that carry the emotion best',
      intensity: describeIntensity(request.intensity),
    };
    const messages = [
      new SystemMessage(fillTemplate(this.prompt.system, values)),
      new HumanMessage({
        content: [
          { type: 'text', text: fillTemplate(this.prompt.user, values) },
          { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${picture.toString('base64')}` } },
        ],
      }),
    ];
    const result = await this.chat.call(messages, (answer) => checkedPlan(answer, request), request.signal);
    if (result.ok) {
      this.counters.modelAnswers++;
      return this.complete(result.value, request);
    }
    this.counters.fallbacks[result.reason]++;
    this.logger.warn(
      {
        reason: result.reason,
        status: result.status,
        detail: result.detail,
        ms: result.ms,
        model: this.connection.model,
      },
      'the vision model gave no usable plan; the fallback planner planned instead',
    );
    return this.fallback.plan(request);
  }

  /** Counters since start: plans by the model and fallbacks by reason. */
  stats(): LlmPlannerStats {
    return { ...this.counters, fallbacks: { ...this.counters.fallbacks } };
  }

  async close(): Promise<void> {
    await this.fallback.close?.();
  }

  private async complete(answer: CheckedModelPlan, request: PlanRequest): Promise<EditPlan> {
    let source: Emotion | undefined = request.source ?? answer.source;
    const distribution = source ? undefined : await this.estimator.estimate(request.image);
    source ??= dominantEmotion(distribution!);
    return {
      source,
      target: request.target,
      caption: answer.caption,
      editedCaption: answer.editedCaption,
      elements: answer.elements,
      instruction: canonicalInstruction(request.target, source),
      planner: this.name,
      ...(distribution ? { sourceDistribution: distribution } : {}),
    };
  }
}

interface CheckedModelPlan {
  caption: string;
  editedCaption: string;
  source?: Emotion;
  elements: Element[];
}

/** The model's answer, checked against the request; throws InvalidModelOutputError when it cannot be used. */
function checkedPlan(answer: ModelPlan, request: PlanRequest): CheckedModelPlan {
  if (answer.target !== request.target) {
    throw new InvalidModelOutputError(`the plan targets ${answer.target}, not the requested ${request.target}`);
  }
  const caption = oneLine(answer.caption);
  const editedCaption = oneLine(answer.editedCaption);
  if (!caption || !editedCaption) throw new InvalidModelOutputError('the plan has an empty caption or edited caption');
  if (caption.length > MAX_CAPTION_LENGTH || editedCaption.length > MAX_CAPTION_LENGTH) {
    throw new InvalidModelOutputError(`a caption is longer than ${MAX_CAPTION_LENGTH} characters`);
  }
  if (caption.toLowerCase() === editedCaption.toLowerCase())
    throw new InvalidModelOutputError('the edited caption changes nothing');
  const named = uniqueElements(request.elements ?? []);
  const elements = named.length > 0 ? named : uniqueElements(answer.elements);
  if (elements.length === 0) throw new InvalidModelOutputError('the plan names no element to change');
  return { caption, editedCaption, ...(answer.source ? { source: answer.source } : {}), elements };
}

const ELEMENT_LINES = [
  '- facial: facial expressions',
  '- action: what people or animals do',
  '- object: things in the picture',
  '- scene: the place, the sky, the background',
  '- color: colour and brightness',
].join('\n');

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function uniqueElements(elements: readonly Element[]): Element[] {
  return [...new Set(elements.filter((e) => (ELEMENTS as readonly string[]).includes(e)))];
}

/** What the engine passes: the configuration, the knowledge planner and the logger. */
export interface CreateLlmPlannerOptions extends Omit<LlmPlannerOptions, 'config'> {
  config: LlmConfig;
}

/** Builds the vision planner from the application configuration (see the module note). */
export function createLlmPlanner(options: CreateLlmPlannerOptions): LlmPlanner {
  return new LlmPlanner(options);
}
