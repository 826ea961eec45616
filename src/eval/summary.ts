/**
 * @module `report.json`: the run's Table-1-style summary, the figures per target emotion, the
 * judges' confusion matrices, the failures and every edit's result. Scales follow the paper's
 * Table 1: SSIM, CLIP-I and CLIP-T ×100; M-Eval, G-Eval and H-Eval (and the estimator) as
 * accuracy in percent; time in seconds; FID and LPIPS as they come (lower is better).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EMOTIONS, type Emotion } from '../emotions.ts';
import type { Dataset } from './dataset.ts';
import { EVAL_TEXT } from './eval-messages.ts';
import { NO_FACES, SAME_PERSON_DISTANCE } from './metrics/faces.ts';
import { frechetDistance, type Availability, type LearnedMetric } from './metrics/learned-metrics.ts';
import { describeMachine, summariseTimes, type Machine, type TimeSummary } from './metrics/timing.ts';
import type { EditResult } from './run-eval.ts';

/** The columns of the summary, in Table 1's order, then moodshift's extra figures. */
export const SUMMARY_METRICS = [
  'FID',
  'LPIPS',
  'SSIM',
  'CLIP-I',
  'CLIP-T',
  'M-Eval',
  'G-Eval',
  'H-Eval',
  'Time',
  'MAE',
  'PSNR',
  'Estimator',
  'Face-Expr',
  'Face-ID',
] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

export interface MetricInfo {
  label: string;
  unit: string;
  /** Lower is better. */
  lowerIsBetter: boolean;
  description: string;
}

export const METRIC_INFO: Record<SummaryMetric, MetricInfo> = {
  FID: {
    label: 'FID',
    unit: '',
    lowerIsBetter: true,
    description: 'Fréchet Inception Distance, originals vs edits (Heusel et al. 2017)',
  },
  LPIPS: {
    label: 'LPIPS',
    unit: '',
    lowerIsBetter: true,
    description: 'learned perceptual distance, original vs edit (Zhang et al. 2018)',
  },
  SSIM: {
    label: 'SSIM',
    unit: '×100',
    lowerIsBetter: false,
    description: 'structural similarity on luminance, original vs edit (Wang et al. 2004)',
  },
  'CLIP-I': {
    label: 'CLIP-I',
    unit: '×100',
    lowerIsBetter: false,
    description: 'CLIP image-embedding cosine, edit vs reference edit (or original)',
  },
  'CLIP-T': { label: 'CLIP-T', unit: '×100', lowerIsBetter: false, description: 'CLIP cosine, edit vs edited caption' },
  'M-Eval': {
    label: 'M-Eval',
    unit: '%',
    lowerIsBetter: false,
    description: 'accuracy of an image emotion classifier on the edits',
  },
  'G-Eval': {
    label: 'G-Eval',
    unit: '%',
    lowerIsBetter: false,
    description: 'accuracy of a vision-language model asked the paper’s question',
  },
  'H-Eval': {
    label: 'H-Eval',
    unit: '%',
    lowerIsBetter: false,
    description: 'accuracy of people filling the blind form, averaged over annotators',
  },
  Time: { label: 'Time', unit: 's', lowerIsBetter: true, description: 'median seconds per edit (p90 beside it)' },
  MAE: { label: 'MAE', unit: '', lowerIsBetter: true, description: 'mean absolute luminance difference, 0–255' },
  PSNR: { label: 'PSNR', unit: 'dB', lowerIsBetter: false, description: 'peak signal-to-noise ratio on luminance' },
  Estimator: {
    label: 'Estimator',
    unit: '%',
    lowerIsBetter: false,
    description: 'share of edits the tone estimator (a colour heuristic, not M-Eval) reads as the target',
  },
  'Face-Expr': {
    label: 'Face-Expr',
    unit: '%',
    lowerIsBetter: false,
    description: 'share of the faces (face-api, gated) whose edited expression reads as the target',
  },
  'Face-ID': {
    label: 'Face-ID',
    unit: '',
    lowerIsBetter: true,
    description: 'face-api identity distance, original vs edited face (under 0.6: usually the same person)',
  },
};

export type SummaryValue = { value: number; n: number; detail?: string } | { notMeasured: string };

/** A judge's answers: rows are targets, columns what it read (or `invalid`). */
export interface Confusion {
  judge: 'M-Eval' | 'G-Eval' | 'H-Eval' | 'Estimator';
  counts: Record<Emotion, Record<Emotion | 'invalid', number>>;
}

export interface HEvalScores {
  annotators: Array<{ name: string; answered: number; correct: number; accuracy: number }>;
  /** Mean of the annotators' accuracies, in percent. */
  accuracy: number;
  perEmotion: Partial<Record<Emotion, number>>;
  confusion: Confusion['counts'];
}

export interface EvalReport {
  version: 1;
  createdAt: string;
  dataset: { kind: Dataset['kind']; path: string; photos: number; edits: number; emotions: Emotion[] };
  backends: { renderer: string; planner: string; normaliser: string; judgeModel?: string; modelsDir: string };
  machine: Machine;
  summary: Record<SummaryMetric, SummaryValue>;
  time?: TimeSummary;
  /** Per target emotion: each metric's mean (accuracies in percent, SSIM ×100 …), null when not measured. */
  perEmotion: Record<string, Partial<Record<SummaryMetric, number | null>>>;
  confusion: Confusion[];
  gEvalInvalid: Record<string, number>;
  failures: Array<{ id: string; photo: string; target: Emotion; error: string; code?: string }>;
  edits: EditResult[];
}

export interface SummaryInput {
  dataset: Dataset;
  results: EditResult[];
  outDir: string;
  backends: EvalReport['backends'];
  availability: (metric: LearnedMetric) => Availability;
  gEvalReason?: string;
  machine?: Machine;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

function emptyConfusion(): Confusion['counts'] {
  return Object.fromEntries(
    EMOTIONS.map((t) => [t, Object.fromEntries([...EMOTIONS, 'invalid'].map((p) => [p, 0]))]),
  ) as Confusion['counts'];
}

/** Per-edit value of a metric, in the summary's scale; undefined when the edit lacks it. */
function editValue(metric: SummaryMetric, edit: EditResult): number | undefined {
  const m = edit.metrics;
  switch (metric) {
    case 'SSIM':
      return m.ssim === undefined ? undefined : m.ssim * 100;
    case 'CLIP-I':
      return m.clipI === undefined ? undefined : m.clipI * 100;
    case 'CLIP-T':
      return m.clipT === undefined ? undefined : m.clipT * 100;
    case 'LPIPS':
      return m.lpips;
    case 'MAE':
      return m.meanAbsoluteDifference;
    case 'PSNR':
      return m.psnr ?? undefined;
    case 'Time':
      return edit.timeMs === undefined ? undefined : edit.timeMs / 1000;
    case 'M-Eval':
      return m.mEval === undefined ? undefined : m.mEval === edit.target ? 100 : 0;
    case 'G-Eval':
      return m.gEval === undefined ? undefined : m.gEval.valid && m.gEval.emotion === edit.target ? 100 : 0;
    case 'Estimator':
      return m.estimator === undefined ? undefined : m.estimator === edit.target ? 100 : 0;
    default:
      return undefined;
  }
}

async function readHEval(outDir: string): Promise<HEvalScores | undefined> {
  const path = join(outDir, 'h-eval', 'scores.json');
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as HEvalScores;
}

async function fid(outDir: string, done: EditResult[]): Promise<SummaryValue | undefined> {
  const originals = new Map<string, Float64Array>();
  const edits: Float64Array[] = [];
  for (const edit of done) {
    const path = join(outDir, 'features', `${edit.id}.json`);
    if (!existsSync(path)) continue;
    const features = JSON.parse(await readFile(path, 'utf8')) as { original: number[]; edited: number[] };
    originals.set(edit.originalFile ?? edit.photo, Float64Array.from(features.original));
    edits.push(Float64Array.from(features.edited));
  }
  if (edits.length === 0) return undefined;
  if (originals.size < 2 || edits.length < 2) return { notMeasured: EVAL_TEXT.fidTooFew };
  return {
    value: frechetDistance([...originals.values()], edits),
    n: edits.length,
    detail: `${originals.size} originals vs ${edits.length} edits`,
  };
}

/** Face-Expr (% of matched faces read as the target) or Face-ID (mean identity distance) over some edits. */
function faceSummary(metric: 'Face-Expr' | 'Face-ID', edits: EditResult[]): SummaryValue {
  const withFaces = edits.filter((e) => e.metrics.faces);
  if (withFaces.length === 0) {
    const skipped = edits.find((e) => e.metrics.facesSkipped)?.metrics.facesSkipped;
    return { notMeasured: skipped ?? (edits.length ? NO_FACES : 'not measured: no edit succeeded') };
  }
  const readings = withFaces.flatMap((e) => e.metrics.faces!.readings.map((r) => r === e.target));
  const distances = withFaces.flatMap((e) => e.metrics.faces!.identityDistances);
  if (readings.length === 0) return { notMeasured: NO_FACES };
  if (metric === 'Face-Expr') {
    const neutral = withFaces.flatMap((e) => e.metrics.faces!.readings).filter((r) => r === 'neutral').length;
    return {
      value: (100 * readings.filter(Boolean).length) / readings.length,
      n: readings.length,
      detail: `${readings.length} face(s) in ${withFaces.length} edit(s); ${neutral} read as neutral`,
    };
  }
  const same = distances.filter((d) => d < SAME_PERSON_DISTANCE).length;
  return {
    value: mean(distances),
    n: distances.length,
    detail: `${same} of ${distances.length} face(s) under ${SAME_PERSON_DISTANCE} (the same person to face-api)`,
  };
}

/** Builds the report from the results on disk and in hand. */
export async function buildReport(input: SummaryInput): Promise<EvalReport> {
  const { dataset, results, outDir, availability } = input;
  const done = results.filter((r) => r.status === 'done');
  const emotions = EMOTIONS.filter((e) => dataset.items.some((item) => item.target === e));
  const hEval = await readHEval(outDir);
  const summary = {} as Record<SummaryMetric, SummaryValue>;
  const learnedReason = (metric: LearnedMetric): string | undefined => {
    const a = availability(metric);
    return a.measured ? undefined : a.reason;
  };
  for (const metric of SUMMARY_METRICS) {
    const values = done.map((edit) => editValue(metric, edit)).filter((v): v is number => v !== undefined);
    if (metric === 'Face-Expr' || metric === 'Face-ID') {
      summary[metric] = faceSummary(metric, done);
      continue;
    }
    const reason =
      metric === 'G-Eval'
        ? input.gEvalReason
        : metric === 'H-Eval'
          ? hEval
            ? undefined
            : EVAL_TEXT.hEvalOff
          : (['CLIP-I', 'CLIP-T', 'LPIPS', 'M-Eval', 'FID'] as const).includes(metric as LearnedMetric)
            ? learnedReason(metric as LearnedMetric)
            : undefined;
    if (metric === 'H-Eval' && hEval) {
      summary[metric] = {
        value: hEval.accuracy,
        n: hEval.annotators.length,
        detail: `${hEval.annotators.length} annotator(s)`,
      };
      continue;
    }
    if (metric === 'FID' && !reason) {
      summary[metric] = (await fid(outDir, done)) ?? { notMeasured: 'not measured: no features recorded' };
      continue;
    }
    if (reason) {
      summary[metric] = { notMeasured: reason };
      continue;
    }
    if (values.length === 0) {
      summary[metric] = { notMeasured: done.length === 0 ? 'not measured: no edit succeeded' : 'not measured' };
      continue;
    }
    if (metric === 'Time') {
      const times = summariseTimes(values.map((v) => v * 1000))!;
      summary[metric] = {
        value: times.medianMs / 1000,
        n: values.length,
        detail: `median; p90 ${(times.p90Ms / 1000).toFixed(2)} s, mean ${(times.meanMs / 1000).toFixed(2)} s`,
      };
      continue;
    }
    if (metric === 'G-Eval') {
      const invalid = done.filter((e) => e.metrics.gEval && !e.metrics.gEval.valid).length;
      summary[metric] = {
        value: mean(values),
        n: values.length,
        detail: invalid ? `${invalid} invalid answer(s) counted as misses` : undefined,
      };
      continue;
    }
    summary[metric] = { value: mean(values), n: values.length };
  }

  const perEmotion: EvalReport['perEmotion'] = {};
  for (const emotion of emotions) {
    const ofEmotion = done.filter((e) => e.target === emotion);
    perEmotion[emotion] = {};
    for (const metric of SUMMARY_METRICS) {
      if (metric === 'FID') continue;
      if (metric === 'Face-Expr' || metric === 'Face-ID') {
        const value = faceSummary(metric, ofEmotion);
        perEmotion[emotion][metric] = 'value' in value ? value.value : null;
        continue;
      }
      if (metric === 'H-Eval') {
        perEmotion[emotion][metric] = hEval?.perEmotion[emotion] ?? null;
        continue;
      }
      const values = ofEmotion.map((e) => editValue(metric, e)).filter((v): v is number => v !== undefined);
      perEmotion[emotion][metric] = values.length ? mean(values) : null;
    }
  }

  const confusion: Confusion[] = [];
  const judges: Array<[Confusion['judge'], (e: EditResult) => Emotion | 'invalid' | undefined]> = [
    ['M-Eval', (e) => e.metrics.mEval],
    ['G-Eval', (e) => (e.metrics.gEval ? (e.metrics.gEval.valid ? e.metrics.gEval.emotion : 'invalid') : undefined)],
    ['Estimator', (e) => e.metrics.estimator],
  ];
  for (const [judge, read] of judges) {
    const counts = emptyConfusion();
    let any = false;
    for (const edit of done) {
      const answer = read(edit);
      if (answer === undefined) continue;
      counts[edit.target][answer]++;
      any = true;
    }
    if (any) confusion.push({ judge, counts });
  }
  if (hEval) confusion.push({ judge: 'H-Eval', counts: hEval.confusion });

  const gEvalInvalid: Record<string, number> = {};
  for (const edit of done) {
    const answer = edit.metrics.gEval;
    if (answer && !answer.valid) gEvalInvalid[answer.reason] = (gEvalInvalid[answer.reason] ?? 0) + 1;
  }

  return {
    version: 1,
    createdAt: new Date().toISOString(),
    dataset: {
      kind: dataset.kind,
      path: dataset.path,
      photos: new Set(dataset.items.map((i) => i.photo)).size,
      edits: dataset.items.length,
      emotions,
    },
    backends: input.backends,
    machine: input.machine ?? describeMachine(),
    summary,
    time: summariseTimes(done.map((e) => e.timeMs).filter((v): v is number => v !== undefined)),
    perEmotion,
    confusion,
    gEvalInvalid,
    failures: results
      .filter((r) => r.status === 'failed')
      .map((r) => ({ id: r.id, photo: r.photo, target: r.target, error: r.error ?? '', code: r.code })),
    edits: results,
  };
}

/** The summary value as Table 1 prints it ("58.29", "0.068", "—"). */
export function formatValue(metric: SummaryMetric, value: SummaryValue): string {
  if ('notMeasured' in value) return '—';
  const digits = metric === 'FID' || metric === 'LPIPS' || metric === 'Face-ID' ? 3 : 2;
  return value.value.toFixed(digits);
}

/** The summary as a plain-text table (what the command prints at the end). */
export function summaryTable(report: EvalReport): string {
  const measured = SUMMARY_METRICS.filter((m) => !('notMeasured' in report.summary[m]));
  const header = measured.map(
    (m) =>
      `${METRIC_INFO[m].label}${METRIC_INFO[m].lowerIsBetter ? '↓' : ''}${METRIC_INFO[m].unit ? ` (${METRIC_INFO[m].unit})` : ''}`,
  );
  const row = measured.map((m) => formatValue(m, report.summary[m]));
  const widths = header.map((h, i) => Math.max(h.length, row[i]!.length));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const backend = `${report.backends.renderer}/${report.backends.planner}/${report.backends.normaliser}`;
  const lines = [
    `${backend}: ${report.dataset.edits} edits of ${report.dataset.photos} photos on ${report.machine.cpu} (${report.machine.cores} cores)`,
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    line(row),
  ];
  const missing = SUMMARY_METRICS.filter((m) => 'notMeasured' in report.summary[m]);
  for (const m of missing) lines.push(`${m}: ${(report.summary[m] as { notMeasured: string }).notMeasured}`);
  return lines.join('\n');
}
