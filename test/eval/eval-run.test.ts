import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../src/config.ts';
import { createEngine } from '../../src/engine.ts';
import { createLogger } from '../../src/logger.ts';
import { jsonlItems, loadDataset } from '../../src/eval/dataset.ts';
import { applyHEvalScores, scoreHEval, writeHEvalForm } from '../../src/eval/h-eval.ts';
import { LearnedMetrics } from '../../src/eval/metrics/learned-metrics.ts';
import { readReport, writeReport } from '../../src/eval/report-files.ts';
import { compareHtml } from '../../src/eval/report-html.ts';
import { runEvaluation } from '../../src/eval/run-eval.ts';
import { buildReport, type EvalReport } from '../../src/eval/summary.ts';
import { sharedVisionRuntime } from '../../src/vision/vision-runtime.ts';

const silent = createLogger({ level: 'silent' });
const vision = sharedVisionRuntime();
let dir: string;
let browser: Browser;

async function photo(path: string, hue: number): Promise<void> {
  const width = 96;
  const height = 64;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      rgb[i] = (x * 2 + hue) % 256;
      rgb[i + 1] = (y * 3 + hue / 2) % 256;
      rgb[i + 2] = ((x + y) * 2) % 256;
    }
  await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(path);
}

/** Runs an evaluation of `folder` into `out` with the embedded defaults; counts the turns the editor handled. */
async function evaluate(folder: string, out: string, emotions = ['sadness', 'awe'] as const) {
  const engine = await createEngine(loadConfig({}), { logger: silent });
  const learned = await LearnedMetrics.open({ modelsDir: join(dir, 'no-models') });
  const stderr = {
    chunks: [] as string[],
    write(chunk: string) {
      this.chunks.push(chunk);
      return true;
    },
  };
  try {
    const dataset = await loadDataset(folder, [...emotions]);
    const outcome = await runEvaluation({
      dataset,
      outDir: out,
      engine,
      learned,
      vision,
      stderr: stderr as unknown as NodeJS.WritableStream,
    });
    const report = await buildReport({
      dataset,
      results: outcome.results,
      outDir: out,
      availability: (m) => learned.availability(m),
      gEvalReason: 'not measured: no vision model configured',
      backends: {
        renderer: engine.renderer.name,
        planner: engine.planner.name,
        normaliser: 'rules',
        modelsDir: join(dir, 'no-models'),
      },
    });
    await writeReport(out, report);
    return { outcome, report, turns: outcome.turns, progress: stderr.chunks.join('') };
  } finally {
    await learned.close();
    await engine.close();
  }
}

describe('moodshift eval', () => {
  let first: Awaited<ReturnType<typeof evaluate>>;
  let folder: string;
  let out: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moodshift-eval-'));
    folder = join(dir, 'photos');
    out = join(dir, 'run');
    await mkdir(folder);
    await photo(join(folder, 'a.png'), 0);
    await photo(join(folder, 'b.png'), 120);
    await writeFile(
      join(folder, 'corrupt.jpg'),
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40, 7)]),
    );
    first = await evaluate(folder, out);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await vision.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('edits every photo toward every asked emotion, keeps each picture, and reports a corrupt photo without stopping', () => {
    const { results } = first.outcome;
    assert.equal(results.length, 6);
    const done = results.filter((r) => r.status === 'done');
    assert.deepEqual(done.map((r) => r.id).sort(), ['a--awe', 'a--sadness', 'b--awe', 'b--sadness']);
    for (const r of done) {
      assert.ok(existsSync(join(out, r.editedFile!)), `${r.id}'s picture is kept`);
      assert.ok(
        r.metrics.ssim! > 0 && r.metrics.ssim! < 1,
        `${r.id} changed the picture a little: SSIM ${r.metrics.ssim}`,
      );
      assert.ok(r.timeMs! > 0);
      assert.equal(r.plan?.target, r.target);
    }
    const failed = results.filter((r) => r.status === 'failed');
    assert.equal(failed.length, 2);
    assert.ok(
      failed.every((r) => r.photoName === 'corrupt.jpg' && r.error && r.code === 'image_corrupt'),
      'the corrupt photo fails with the reason and code',
    );
    assert.equal(first.turns, 5, 'four edits and one try of the corrupt photo');
    assert.equal(first.report.failures.length, 2);
    assert.match(first.progress, /6\/6/);
  });

  it('summarises like Table 1 and says plainly what it did not measure', () => {
    const { summary } = first.report;
    assert.ok('value' in summary.SSIM && summary.SSIM.value > 0 && summary.SSIM.n === 4);
    assert.ok('value' in summary.Time && summary.Time.n === 4);
    assert.ok('notMeasured' in summary.LPIPS && !('value' in summary.LPIPS), 'no number for LPIPS');
    assert.match(
      (summary.LPIPS as { notMeasured: string }).notMeasured,
      /^not measured: file eval\/lpips\/model\.onnx missing/,
    );
    assert.match((summary.FID as { notMeasured: string }).notMeasured, /eval\/inception\/model\.onnx missing/);
    assert.equal(
      (summary['Face-Expr'] as { notMeasured: string }).notMeasured,
      'not measured: no face in the originals passed the face gate',
    );
    assert.ok('notMeasured' in summary['Face-ID']);
    assert.equal(first.report.confusion.find((c) => c.judge === 'Estimator')!.counts.sadness.invalid, 0);
    assert.ok(first.report.machine.cores >= 1 && first.report.machine.cpu.length > 0);
  });

  it('continues an interrupted run: a rerun edits only what is not done', async () => {
    await rm(join(out, 'edits', 'b--awe.json'));
    const again = await evaluate(folder, out);
    assert.equal(again.outcome.resumed, 3);
    // b → awe again, and the corrupt photo is tried again, once for both of its failed edits.
    assert.equal(again.turns, 2);
    assert.equal(again.outcome.results.filter((r) => r.status === 'done').length, 4);
  });

  it('writes a report that renders in Chromium with every picture loaded and no request leaving the page', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    await page.route('**/*', async (route) => {
      requests.push(route.request().url());
      if (route.request().url().startsWith('file:')) await route.continue();
      else await route.abort();
    });
    const url = `file://${join(out, 'report.html')}`;
    await page.goto(url);
    const images = await page.$$eval('img', (list) =>
      list.map((img) => ({ ok: img.complete && img.naturalWidth > 0, src: img.src.slice(0, 22) })),
    );
    assert.equal(images.length, 2 + 4, 'two originals and four edits');
    assert.ok(
      images.every((i) => i.ok && i.src.startsWith('data:image/jpeg')),
      JSON.stringify(images),
    );
    assert.deepEqual(requests, [url]);
    assert.equal(await page.locator('table.summary').count(), 1);
    assert.ok((await page.locator('svg').count()) >= 3, 'bar charts');
    assert.ok((await page.locator('table.cm').count()) >= 1, 'a confusion matrix');
    assert.match(await page.locator('body').innerText(), /corrupt\.jpg → (awe|sadness)/);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/eval-report-test.png', fullPage: true });
    const compare = compareHtml({ name: 'A', report: first.report }, { name: 'B', report: await readReport(out) });
    await page.setContent(compare);
    assert.equal(await page.locator('table.summary tr').count(), 4, 'two header rows and one row per run');
    await page.close();
  });

  it('makes a blind H-Eval form with the key kept apart, and scores filled answers', async () => {
    const form = await writeHEvalForm(out, { seed: 7 });
    assert.equal(form.questions, 4);
    const html = await readFile(form.formPath, 'utf8');
    const key = JSON.parse(await readFile(form.keyPath, 'utf8')) as {
      questions: Array<{ question: string; editId: string; target: string }>;
    };
    assert.ok(!/a--|b--|\.png/.test(html), 'the form names no photo or edit');
    assert.ok(!html.includes('answer-key'), 'the form does not point at the key');
    const order = key.questions.map((q) => q.editId);
    assert.notDeepEqual(order, [...order].sort(), 'shuffled (seed 7)');
    // Annotator 1 gets everything right; annotator 2 answers two, one right and one off-list.
    const right = Object.fromEntries(key.questions.map((q) => [q.question, q.target]));
    await writeFile(join(dir, 'ann1.json'), JSON.stringify({ annotator: 'one', answers: right }));
    const [q1, q2] = key.questions;
    await writeFile(join(dir, 'ann2.csv'), `question,answer\n${q1!.question},${q1!.target}\n${q2!.question},happy\n`);
    const scores = await scoreHEval(out, [join(dir, 'ann1.json'), join(dir, 'ann2.csv')]);
    assert.deepEqual(
      scores.annotators.map((a) => [a.name, a.answered, a.correct]),
      [
        ['one', 4, 4],
        ['ann2', 2, 1],
      ],
    );
    assert.equal(scores.accuracy, 75);
    assert.equal(scores.confusion[q2!.target as 'awe'].invalid, 1);
    await applyHEvalScores(out, scores);
    const report: EvalReport = await readReport(out);
    assert.deepEqual(report.summary['H-Eval'], { value: 75, n: 2, detail: '2 annotator(s)' });
  });
});

describe('L-AVC JSONL datasets', () => {
  it('reads records with paths relative to the file and gives each a stable id', () => {
    const line = JSON.stringify({
      original_image: 'img/cat.jpg',
      caption: 'a cat on a sofa',
      source_emotion: 'contentment',
      instruction: 'Please change the emotion of this image from contentment to fear',
      edited_caption: 'a cat in a dark room',
      target_emotion: 'fear',
      edited_image: 'edited/cat-fear.jpg',
      element: 'scene',
    });
    const items = jsonlItems('/data/lavc/test.jsonl', `# a comment\n${line}\n\n${line}\n`);
    assert.equal(items.length, 2);
    assert.equal(items[0]!.photo, '/data/lavc/img/cat.jpg');
    assert.equal(items[0]!.reference, '/data/lavc/edited/cat-fear.jpg');
    assert.equal(items[0]!.element, 'scene');
    assert.notEqual(items[0]!.id, items[1]!.id);
    assert.deepEqual(
      jsonlItems('/data/lavc/test.jsonl', line).map((i) => i.id),
      [items[0]!.id],
    );
  });

  it('names every line that does not fit instead of evaluating half a dataset', () => {
    const text = `${JSON.stringify({ original_image: 'a.jpg', instruction: 'x', target_emotion: 'joy' })}\nnot json\n`;
    assert.throws(
      () => jsonlItems('d.jsonl', text),
      /line 1: target_emotion must be one of[\s\S]*line 2: not a JSON object/,
    );
  });
});
