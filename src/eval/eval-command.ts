/**
 * @module `moodshift eval`: edits a dataset with the configured (or named) backends, scores the
 * edits and writes `report.json` and `report.html`; `--compare A B` puts two runs side by side;
 * `--h-eval-form RUN` and `--h-eval-score RUN ANSWERS…` are the kit for people's judgements.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createEngine } from '../engine.ts';
import { EMOTIONS, isEmotion, type Emotion } from '../emotions.ts';
import { createLogger } from '../logger.ts';
import { sharedVisionRuntime } from '../vision/vision-runtime.ts';
import { loadDataset } from './dataset.ts';
import { EVAL_TEXT } from './eval-messages.ts';
import { GEvalJudge } from './metrics/g-eval.ts';
import { LearnedMetrics } from './metrics/learned-metrics.ts';
import { compareHtml } from './report-html.ts';
import { readReport, writeReport } from './report-files.ts';
import { runEvaluation } from './run-eval.ts';
import { buildReport, summaryTable } from './summary.ts';
import { writeHEvalForm, scoreHEval, applyHEvalScores } from './h-eval.ts';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

export const EVAL_USAGE = `Usage:
  moodshift eval DATASET [--renderer R] [--planner P] [--normaliser N] [--emotions E,E…] [--out DIR] [--seed N]
      DATASET: a folder of photos (each edited toward every emotion, or --emotions) or an L-AVC .jsonl
      (see src/eval/dataset.ts). Writes DIR/report.html and DIR/report.json
      (default DIR: ./moodshift-output/eval-<time>); run it again with the same --out to continue.
      G-Eval runs when LLM_BASE_URL and LLM_MODEL name a vision model (answers cached in DIR/../g-eval-cache);
      CLIP-I, CLIP-T, LPIPS, FID and M-Eval when their ONNX files are in MODELS_DIR (src/eval/eval-models.ts).
  moodshift eval --compare RUN_A RUN_B [--out DIR]   two runs side by side (DIR/compare.html)
  moodshift eval --h-eval-form RUN [--seed N]        a blind form for people (RUN/h-eval/)
  moodshift eval --h-eval-score RUN ANSWERS…         score filled forms into the report`;

/** `./moodshift-output/eval-2026-12-03T08-30-00` */
export function defaultOutDir(now = new Date()): string {
  return join('moodshift-output', `eval-${now.toISOString().slice(0, 19).replace(/:/g, '-')}`);
}

export async function runEvalCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      renderer: { type: 'string' },
      planner: { type: 'string' },
      normaliser: { type: 'string' },
      emotions: { type: 'string' },
      out: { type: 'string', short: 'o' },
      compare: { type: 'boolean', default: false },
      'h-eval-form': { type: 'boolean', default: false },
      'h-eval-score': { type: 'boolean', default: false },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(EVAL_USAGE + '\n');
    return 0;
  }
  if (values.compare) return compareCommand(positionals, values.out, io);
  if (values['h-eval-form']) {
    const [run] = positionals;
    if (!run) return usage(io, 'moodshift eval --h-eval-form needs a run folder.');
    const form = await writeHEvalForm(run, { seed: values.seed === undefined ? undefined : Number(values.seed) });
    io.stdout.write(
      `Form: ${form.formPath} (${form.questions} pictures)\nAnswer key (keep it from the annotators): ${form.keyPath}\n`,
    );
    return 0;
  }
  if (values['h-eval-score']) {
    const [run, ...answers] = positionals;
    if (!run || answers.length === 0)
      return usage(io, 'moodshift eval --h-eval-score needs a run folder and at least one answers file.');
    const scores = await scoreHEval(run, answers);
    await applyHEvalScores(run, scores);
    io.stdout.write(
      `H-Eval: ${scores.accuracy.toFixed(1)} % over ${scores.annotators.length} annotator(s); report updated in ${run}/report.html\n`,
    );
    return 0;
  }

  const [datasetPath] = positionals;
  if (!datasetPath) return usage(io, 'moodshift eval needs a dataset (a folder of photos or an L-AVC .jsonl file).');
  let emotions: Emotion[] = [...EMOTIONS];
  if (values.emotions !== undefined) {
    const asked = values.emotions
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean);
    const wrong = asked.filter((e) => !isEmotion(e));
    if (wrong.length > 0 || asked.length === 0)
      return usage(io, `--emotions takes names from: ${EMOTIONS.join(', ')} (not ${wrong.join(', ') || 'nothing'}).`);
    emotions = EMOTIONS.filter((e) => asked.includes(e));
  }
  const env = { ...process.env };
  if (values.renderer) env.MOODSHIFT_RENDERER = values.renderer;
  if (values.planner) env.MOODSHIFT_PLANNER = values.planner;
  if (values.normaliser) env.MOODSHIFT_NORMALISER = values.normaliser;
  const config = loadConfig(env);
  const dataset = await loadDataset(datasetPath, emotions);
  const outDir = resolve(values.out ?? defaultOutDir());
  await mkdir(outDir, { recursive: true });

  const logger = createLogger({ level: config.logLevelSet ? config.logLevel : 'warn', fd: 2 });
  const engine = await createEngine(config, { logger });
  const learned = await LearnedMetrics.open({ modelsDir: config.modelsDir, provider: config.executionProvider });
  const judge =
    config.llmBaseUrl && config.llmModel
      ? new GEvalJudge({
          baseUrl: config.llmBaseUrl,
          model: config.llmModel,
          apiKey: config.llmApiKey,
          cacheDir: join(dirname(outDir), 'g-eval-cache'),
        })
      : undefined;
  try {
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) return usage(io, '--seed takes a whole number (0 or more).');
    const vision = sharedVisionRuntime();
    const { results, resumed } = await runEvaluation({
      dataset,
      outDir,
      engine,
      learned,
      judge,
      vision,
      stderr: io.stderr,
      seed,
    });
    if (resumed > 0) io.stderr.write(EVAL_TEXT.resumed(resumed) + '\n');
    const report = await buildReport({
      dataset,
      results,
      outDir,
      availability: (metric) => learned.availability(metric),
      gEvalReason: judge ? undefined : EVAL_TEXT.gEvalOff,
      backends: {
        renderer: engine.renderer.name,
        planner: engine.planner.name,
        normaliser: config.normaliser,
        judgeModel: judge?.model,
        modelsDir: config.modelsDir,
      },
    });
    await writeReport(outDir, report);
    const failed = report.failures;
    if (failed.length > 0)
      io.stderr.write(
        `${EVAL_TEXT.failedPhotos(failed.length)}\n${failed.map((f) => `  ${f.photo} → ${f.target}: ${f.error.split('\n')[0]}`).join('\n')}\n`,
      );
    io.stdout.write(`${summaryTable(report)}\n${EVAL_TEXT.wrote(outDir)}\n`);
    return 0;
  } finally {
    await learned.close();
    await engine.close();
  }
}

function usage(io: Io, problem: string): number {
  io.stderr.write(`${problem}\n${EVAL_USAGE}\n`);
  return 2;
}

async function compareCommand(runs: string[], out: string | undefined, io: Io): Promise<number> {
  const [a, b] = runs;
  if (!a || !b || runs.length !== 2) return usage(io, 'moodshift eval --compare needs exactly two run folders.');
  const html = compareHtml(
    { name: `A: ${a}`, report: await readReport(a) },
    { name: `B: ${b}`, report: await readReport(b) },
  );
  const dir = resolve(out ?? defaultOutDir());
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'compare.html'), html);
  io.stdout.write(`Comparison: ${join(dir, 'compare.html')}\n`);
  return 0;
}
