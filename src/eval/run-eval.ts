/**
 * @module Runs the edits of a dataset through the engine (normaliser, planner, renderer and
 * moderation exactly as the bot uses them) and scores each edit. Every edit leaves two files in
 * `OUT/edits/`: its picture and `ID.json` with its plan, time and figures, written when the edit
 * is complete, so an interrupted run continues where it stopped (a rerun skips every edit whose
 * result says `done`, and tries failed ones again). A photo that cannot be read or decoded is
 * recorded as failed with the reason (once per photo: its other edits are recorded with the same
 * reason without asking the engine again), and the run goes on.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { dominantEmotion, type Element, type Emotion } from '../emotions.ts';
import type { Engine } from '../engine.ts';
import { ErrorCode } from '../errors.ts';
import { estimateEmotion } from '../estimator/tone-estimator.ts';
import { FILE_EXTENSIONS, type CheckedImage } from '../image/image.ts';
import { Editor, type TurnReport } from '../editor.ts';
import type { Turn } from '../turn.ts';
import type { VisionRuntime } from '../vision/vision-runtime.ts';
import type { Dataset, EvalItem } from './dataset.ts';
import { EVAL_TEXT } from './eval-messages.ts';
import { GEvalJudge, type GEvalAnswer } from './metrics/g-eval.ts';
import { measureFaces, type FaceFigures } from './metrics/faces.ts';
import { cosine, LearnedMetrics } from './metrics/learned-metrics.ts';
import { luminanceOf } from './metrics/luminance.ts';
import { pixelDifference } from './metrics/pixel-difference.ts';
import { ssim } from './metrics/ssim.ts';
import { ProgressBar } from './progress-bar.ts';

/** The figures of one edit; a metric that was not measured is absent. */
export interface EditMetrics {
  /** Mean SSIM on luminance, original vs edit, in [−1, 1]. */
  ssim?: number;
  /** Mean absolute luminance difference, 0–255. */
  meanAbsoluteDifference?: number;
  /** dB; `null` when the edit is identical to the original. */
  psnr?: number | null;
  /** The tone estimator's dominant emotion of the edit (a colour heuristic, not M-Eval). */
  estimator?: Emotion;
  /** Cosine similarity, [−1, 1]. */
  clipI?: number;
  clipIAgainst?: 'reference' | 'original';
  clipT?: number;
  lpips?: number;
  /** The classifier's top emotion. */
  mEval?: Emotion;
  gEval?: GEvalAnswer;
  /** Faces of the original and what became of them; absent when the vision runtime could not run. */
  faces?: FaceFigures;
  /** Why there are no face figures (vision runtime unavailable or switched off). */
  facesSkipped?: string;
}

/** What `OUT/edits/ID.json` holds. */
export interface EditResult {
  id: string;
  photo: string;
  photoName: string;
  target: Emotion;
  source?: Emotion;
  instruction: string;
  element?: Element;
  status: 'done' | 'failed';
  /** Why it failed, as the person would have read it. */
  error?: string;
  code?: string;
  /** The edit's picture, relative to the out dir. */
  editedFile?: string;
  /** The original as the renderer saw it (orientation applied, metadata removed), relative to the out dir. */
  originalFile?: string;
  reference?: string;
  seed?: number;
  plan?: {
    planner: string;
    source: Emotion;
    target: Emotion;
    caption: string;
    editedCaption: string;
    elements: Element[];
  };
  /** The whole turn: reading the request, planning and rendering. */
  timeMs?: number;
  planMs?: number;
  renderMs?: number;
  metrics: EditMetrics;
}

export interface EvalRunOptions {
  dataset: Dataset;
  /** The run's folder; created when missing. */
  outDir: string;
  engine: Engine;
  /** The learned metrics (whatever of them is present). */
  learned: LearnedMetrics;
  /** G-Eval's judge, when a vision model is configured. */
  judge?: GEvalJudge;
  /** The vision runtime for the face figures; without it they are not measured. */
  vision?: VisionRuntime;
  /** Where the progress bar goes. @defaultValue process.stderr */
  stderr?: NodeJS.WritableStream;
  /**
   * The run's seed: each edit renders with a seed made from it and the edit's id, so a run is
   * repeatable and two backends see the same seeds. @defaultValue 1
   */
  seed?: number;
}

export interface EvalRunOutcome {
  results: EditResult[];
  /** Edits done in an earlier run and skipped now. */
  resumed: number;
  /** Turns the editor handled in this run. */
  turns: number;
}

/** The render seed of one edit: 31 bits of sha256(run seed, edit id). */
export function editSeed(runSeed: number, id: string): number {
  return createHash('sha256').update(`${runSeed}:${id}`).digest().readUInt32BE(0) >>> 1;
}

/**
 * An Editor over the engine's parts (the same store, normaliser, planner, renderer, moderation
 * and picture limits) whose render seeds the caller sets.
 */
function seededEditor(engine: Engine, seed: () => number): Editor {
  const c = engine.config;
  return new Editor({
    store: engine.store,
    normaliser: engine.normaliser,
    planner: engine.planner,
    renderer: engine.renderer,
    moderation: engine.moderation,
    logger: engine.logger,
    newSeed: seed,
    imageLimits: {
      maxBytes: Math.round(c.maxImageMegabytes * 1024 * 1024),
      maxPixels: Math.round(c.maxMegapixels * 1_000_000),
      maxSide: c.maxSide,
      maxShrinkablePixels: Math.round(c.maxJpegMegapixels * 1_000_000),
      decodeTimeoutSeconds: c.decodeTimeoutSeconds,
    },
  });
}

export function resultPath(outDir: string, id: string): string {
  return join(outDir, 'edits', `${id}.json`);
}

/** Writes a file completely or not at all (a crash never leaves half a result). */
export async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

async function readResult(path: string): Promise<EditResult | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as EditResult;
  } catch {
    return undefined;
  }
}

/** Reads every result of a run folder that exists for the dataset's items, in the dataset's order. */
export async function readResults(outDir: string, items: readonly EvalItem[]): Promise<EditResult[]> {
  const results: EditResult[] = [];
  for (const item of items) {
    const result = await readResult(resultPath(outDir, item.id));
    if (result) results.push(result);
  }
  return results;
}

function evalTurn(item: EvalItem, bytes: Buffer): Turn {
  return {
    key: { platform: 'eval', chat: item.id, user: 'eval' },
    messageId: '1',
    text: item.instruction,
    images: [{ declaredBytes: bytes.length, name: basename(item.photo), fetch: async () => bytes }],
    actor: { id: 'eval', name: 'eval', isModerator: false },
  };
}

/** Refusals that are about the photo itself, so every other edit of it would fail alike. */
const PHOTO_CODES = new Set<string>([
  ErrorCode.ImageCorrupt,
  ErrorCode.ImageFormatNotAllowed,
  ErrorCode.ImageTooLarge,
  ErrorCode.ImageTooManyPixels,
  ErrorCode.ImageTooSlow,
]);

const FACES_OFF = 'not measured: face figures switched off';

const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** Runs (or continues) an evaluation; returns every item's result. */
export async function runEvaluation(options: EvalRunOptions): Promise<EvalRunOutcome> {
  const { dataset, outDir, engine, learned, judge } = options;
  await mkdir(join(outDir, 'edits'), { recursive: true });
  await mkdir(join(outDir, 'originals'), { recursive: true });
  await mkdir(join(outDir, 'features'), { recursive: true });
  const bar = new ProgressBar(options.stderr ?? process.stderr, dataset.items.length);
  const results: EditResult[] = [];
  let resumed = 0;
  let lastReport: TurnReport | undefined;
  let turns = 0;
  let currentSeed = 0;
  const editor = seededEditor(engine, () => currentSeed);
  editor.onTurn = (report) => {
    lastReport = report;
    turns++;
  };
  // A photo that cannot be read or decoded fails the same way for every emotion: tried once per run.
  const unreadable = new Map<string, Pick<EditResult, 'error' | 'code'>>();
  for (const [index, item] of dataset.items.entries()) {
    const path = resultPath(outDir, item.id);
    const earlier = await readResult(path);
    if (earlier?.status === 'done' && (!earlier.editedFile || existsSync(join(outDir, earlier.editedFile)))) {
      results.push(earlier);
      resumed++;
      bar.update(index + 1, EVAL_TEXT.progressSkipped(item.photoName, item.target));
      continue;
    }
    lastReport = undefined;
    currentSeed = editSeed(options.seed ?? 1, item.id);
    const known = unreadable.get(item.photo);
    const result = known
      ? { ...baseResult(item), ...known }
      : await editAndScore(item, outDir, engine, editor, { learned, judge, vision: options.vision }, () => lastReport);
    if (
      result.status === 'failed' &&
      !known &&
      (PHOTO_CODES.has(result.code ?? '') || result.error === EVAL_TEXT.cannotReadPhoto(item.photo))
    )
      unreadable.set(item.photo, { error: result.error, code: result.code });
    await writeAtomically(path, JSON.stringify(result, null, 1) + '\n');
    results.push(result);
    bar.update(
      index + 1,
      result.status === 'done'
        ? EVAL_TEXT.progressDone(item.photoName, item.target, result.timeMs ?? 0)
        : EVAL_TEXT.progressFailed(item.photoName, item.target, result.error ?? ''),
    );
  }
  return { results, resumed, turns };
}

/** An item's result before anything is known: failed until the edit is done. */
function baseResult(item: EvalItem): EditResult {
  return {
    id: item.id,
    photo: item.photo,
    photoName: item.photoName,
    target: item.target,
    source: item.source,
    instruction: item.instruction,
    element: item.element,
    reference: item.reference,
    status: 'failed',
    metrics: {},
  };
}

async function editAndScore(
  item: EvalItem,
  outDir: string,
  engine: Engine,
  editor: Editor,
  { learned, judge, vision }: Pick<EvalRunOptions, 'learned' | 'judge' | 'vision'>,
  report: () => TurnReport | undefined,
): Promise<EditResult> {
  const base = baseResult(item);
  let bytes: Buffer;
  try {
    bytes = await readFile(item.photo);
  } catch {
    return { ...base, error: EVAL_TEXT.cannotReadPhoto(item.photo) };
  }
  const [reply] = await editor.handle(evalTurn(item, bytes));
  if (!reply || reply.kind !== 'edit' || !reply.image || !reply.editId)
    return { ...base, error: reply?.text ?? EVAL_TEXT.noReply, code: reply?.code };
  const timing = report();
  const conversation = await engine.store.load({ platform: 'eval', chat: item.id, user: 'eval' });
  const edit = conversation?.edits[reply.editId];
  const original = edit ? await engine.store.pictures.get(edit.originalHash) : undefined;
  if (!edit || !original) return { ...base, error: EVAL_TEXT.editLost };

  const format = reply.image.type.split('/')[1] ?? 'png';
  const editedFile = join('edits', `${item.id}.${FILE_EXTENSIONS[format as keyof typeof FILE_EXTENSIONS] ?? format}`);
  await writeAtomically(join(outDir, editedFile), reply.image.bytes);
  const originalName = `${createHash('sha256').update(original.bytes).digest('hex').slice(0, 16)}.${FILE_EXTENSIONS[original.format]}`;
  const originalFile = join('originals', originalName);
  if (!existsSync(join(outDir, originalFile))) await writeAtomically(join(outDir, originalFile), original.bytes);

  const edited = reply.image.bytes;
  const metrics: EditMetrics = {};
  const a = await luminanceOf(original.bytes);
  const b = await luminanceOf(edited, { width: a.width, height: a.height });
  metrics.ssim = ssim(a, b);
  const difference = pixelDifference(a, b);
  metrics.meanAbsoluteDifference = difference.meanAbsoluteDifference;
  metrics.psnr = Number.isFinite(difference.psnr) ? difference.psnr : null;
  const editedImage: CheckedImage = {
    bytes: edited,
    format: format as CheckedImage['format'],
    width: reply.image.width,
    height: reply.image.height,
  };
  metrics.estimator = dominantEmotion(await estimateEmotion(editedImage));

  const plan = edit.plan;
  if (learned.availability('CLIP-I').measured) {
    const against = item.reference && existsSync(item.reference) ? 'reference' : 'original';
    const other = against === 'reference' ? await readFile(item.reference!) : original.bytes;
    metrics.clipI = cosine(await learned.clipImage(edited), await learned.clipImage(other));
    metrics.clipIAgainst = against;
  }
  const caption = item.editedCaption ?? plan?.editedCaption;
  if (caption && learned.availability('CLIP-T').measured)
    metrics.clipT = cosine(await learned.clipImage(edited), await learned.clipText(caption));
  if (learned.availability('LPIPS').measured) metrics.lpips = await learned.lpips(original.bytes, edited);
  if (learned.availability('M-Eval').measured) metrics.mEval = dominantEmotion(await learned.classify(edited));
  if (learned.availability('FID').measured) {
    const features = {
      original: Array.from(await learned.inceptionFeatures(original.bytes)),
      edited: Array.from(await learned.inceptionFeatures(edited)),
    };
    await writeAtomically(join(outDir, 'features', `${item.id}.json`), JSON.stringify(features));
  }
  if (judge) metrics.gEval = await judge.judge(edited, MIME[format] ?? reply.image.type);
  if (vision) {
    const faces = await measureFaces(vision, original.bytes, edited);
    if ('figures' in faces) metrics.faces = faces.figures;
    else metrics.facesSkipped = faces.unavailable;
  } else {
    metrics.facesSkipped = FACES_OFF;
  }

  return {
    ...base,
    status: 'done',
    editedFile,
    originalFile,
    seed: edit.seed,
    plan: plan && {
      planner: plan.planner,
      source: plan.source,
      target: plan.target,
      caption: plan.caption,
      editedCaption: plan.editedCaption,
      elements: plan.elements,
    },
    timeMs: timing?.totalMs,
    planMs: timing?.planMs,
    renderMs: timing?.renderMs,
    metrics,
  };
}
