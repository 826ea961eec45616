/**
 * @module The H-Eval kit (the EPEM paper, Section 4.4: people label the emotion of each edited
 * picture; the score is their accuracy against the target, averaged over annotators).
 *
 * `writeHEvalForm(run)` writes into `RUN/h-eval/`:
 * - `form.html`: every edited picture of the run in a shuffled order under a neutral number
 *   (Q001, Q002, …), with the eight emotions to choose from. It shows nothing about the target,
 *   the photo's name or the backend. A "Save my answers" button downloads `answers.json`
 *   (the page fetches nothing; the one inline script only builds that file);
 * - `answers-template.csv`: the same questions as `question,answer` lines, for filling by hand;
 * - `answer-key.json`: which edit and target each question is. Keep it away from the annotators.
 *
 * `scoreHEval(run, files)` reads filled answers (the form's JSON or the CSV, one file per
 * annotator) against the key. An answer that is not one of the eight emotions counts as wrong;
 * a question left blank is not counted for that annotator.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { EMOTIONS, isEmotion, type Emotion } from '../emotions.ts';
import { EVAL_TEXT } from './eval-messages.ts';
import { readReport, writeReport } from './report-files.ts';
import { escapeHtml } from './report-html.ts';
import type { HEvalScores } from './summary.ts';

export interface AnswerKey {
  run: string;
  questions: Array<{ question: string; editId: string; target: Emotion; photo: string }>;
}

export interface HEvalFormOptions {
  /** Seed of the shuffle, so a form can be made again identically. @defaultValue 1 */
  seed?: number;
  /** Longest side of the pictures in the form. @defaultValue 512 */
  side?: number;
}

/** A seeded shuffle (mulberry32 + Fisher–Yates). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export async function writeHEvalForm(
  run: string,
  options: HEvalFormOptions = {},
): Promise<{ formPath: string; keyPath: string; questions: number }> {
  const report = await readReport(run);
  const done = report.edits.filter((e) => e.status === 'done' && e.editedFile);
  const order = shuffled(done, options.seed ?? 1);
  const key: AnswerKey = {
    run,
    questions: order.map((edit, i) => ({
      question: `Q${String(i + 1).padStart(3, '0')}`,
      editId: edit.id,
      target: edit.target,
      photo: edit.photoName,
    })),
  };
  const dir = join(run, 'h-eval');
  await mkdir(dir, { recursive: true });
  const side = options.side ?? 512;
  const blocks: string[] = [];
  for (const [i, edit] of order.entries()) {
    const q = key.questions[i]!.question;
    const bytes = await sharp(await readFile(join(run, edit.editedFile!)))
      .resize(side, side, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#fff' })
      .jpeg({ quality: 85 })
      .toBuffer();
    const choices = EMOTIONS.map((e) => `<label><input type="radio" name="${q}" value="${e}"> ${e}</label>`).join(' ');
    blocks.push(
      `<fieldset><legend>${q}</legend><img src="data:image/jpeg;base64,${bytes.toString('base64')}" alt="picture ${q}"><div>${choices}</div></fieldset>`,
    );
  }
  const script = `document.getElementById('save').addEventListener('click',function(){var a={};document.querySelectorAll('input[type=radio]:checked').forEach(function(r){a[r.name]=r.value});var n=document.getElementById('annotator').value;var b=new Blob([JSON.stringify({annotator:n,answers:a},null,1)],{type:'application/json'});var l=document.createElement('a');l.href=URL.createObjectURL(b);l.download='answers'+(n?'-'+n.replace(/[^A-Za-z0-9_-]/g,''):'')+'.json';l.click();});`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"><title>${escapeHtml(EVAL_TEXT.formTitle)}</title><style>body{font:15px system-ui,sans-serif;margin:24px;max-width:900px}fieldset{margin:0 0 20px;border:1px solid #ccd}img{max-width:100%;display:block;margin:6px 0}label{margin-right:10px;white-space:nowrap}</style></head><body><h1>${escapeHtml(EVAL_TEXT.formTitle)}</h1><p>${escapeHtml(EVAL_TEXT.formIntro)}</p><p><label>Your name or initials: <input id="annotator"></label></p>${blocks.join('\n')}<p><button id="save" type="button">${escapeHtml(EVAL_TEXT.formSave)}</button></p><script>${script}</script></body></html>\n`;
  const formPath = join(dir, 'form.html');
  const keyPath = join(dir, 'answer-key.json');
  await writeFile(formPath, html);
  await writeFile(
    join(dir, 'answers-template.csv'),
    `question,answer\n${key.questions.map((q) => `${q.question},`).join('\n')}\n`,
  );
  await writeFile(keyPath, JSON.stringify(key, null, 1) + '\n');
  return { formPath, keyPath, questions: order.length };
}

/** One annotator's answers by question, from the form's JSON or a `question,answer` CSV. */
export function parseAnswers(text: string, fileName: string): { annotator: string; answers: Record<string, string> } {
  const fallbackName = basename(fileName, extname(fileName));
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const json = JSON.parse(trimmed) as { annotator?: unknown; answers?: unknown };
    if (typeof json.answers !== 'object' || json.answers === null)
      throw new Error(`${fileName}: expected {"answers": {"Q001": "sadness", …}}`);
    const answers: Record<string, string> = {};
    for (const [q, a] of Object.entries(json.answers as Record<string, unknown>))
      if (typeof a === 'string') answers[q] = a;
    return { annotator: typeof json.annotator === 'string' && json.annotator ? json.annotator : fallbackName, answers };
  }
  const answers: Record<string, string> = {};
  for (const line of trimmed.split(/\r?\n/).slice(1)) {
    const [q, a] = line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
    if (q && a) answers[q] = a;
  }
  return { annotator: fallbackName, answers };
}

export async function scoreHEval(run: string, files: readonly string[]): Promise<HEvalScores> {
  const key = JSON.parse(await readFile(join(run, 'h-eval', 'answer-key.json'), 'utf8')) as AnswerKey;
  const byQuestion = new Map(key.questions.map((q) => [q.question, q]));
  const confusion = Object.fromEntries(
    EMOTIONS.map((t) => [t, Object.fromEntries([...EMOTIONS, 'invalid'].map((p) => [p, 0]))]),
  ) as HEvalScores['confusion'];
  const perEmotionCounts = new Map<Emotion, { correct: number; answered: number }>();
  const annotators: HEvalScores['annotators'] = [];
  for (const file of files) {
    const { annotator, answers } = parseAnswers(await readFile(file, 'utf8'), file);
    let answered = 0;
    let correct = 0;
    for (const [question, raw] of Object.entries(answers)) {
      const entry = byQuestion.get(question);
      if (!entry) continue;
      const answer = raw.trim().toLowerCase();
      if (!answer) continue;
      answered++;
      const read: Emotion | 'invalid' = isEmotion(answer) ? answer : 'invalid';
      confusion[entry.target][read]++;
      const counts = perEmotionCounts.get(entry.target) ?? { correct: 0, answered: 0 };
      counts.answered++;
      if (read === entry.target) {
        correct++;
        counts.correct++;
      }
      perEmotionCounts.set(entry.target, counts);
    }
    annotators.push({ name: annotator, answered, correct, accuracy: answered ? (100 * correct) / answered : 0 });
  }
  const scored = annotators.filter((a) => a.answered > 0);
  return {
    annotators,
    accuracy: scored.length ? scored.reduce((s, a) => s + a.accuracy, 0) / scored.length : 0,
    perEmotion: Object.fromEntries([...perEmotionCounts].map(([e, c]) => [e, (100 * c.correct) / c.answered])),
    confusion,
  };
}

/** Stores the scores beside the key and puts them into the run's report. */
export async function applyHEvalScores(run: string, scores: HEvalScores): Promise<void> {
  await writeFile(join(run, 'h-eval', 'scores.json'), JSON.stringify(scores, null, 1) + '\n');
  const report = await readReport(run);
  report.summary['H-Eval'] = {
    value: scores.accuracy,
    n: scores.annotators.length,
    detail: `${scores.annotators.length} annotator(s)`,
  };
  for (const emotion of Object.keys(report.perEmotion) as Emotion[])
    report.perEmotion[emotion]!['H-Eval'] = scores.perEmotion[emotion] ?? null;
  report.confusion = [
    ...report.confusion.filter((c) => c.judge !== 'H-Eval'),
    { judge: 'H-Eval', counts: scores.confusion },
  ];
  await writeReport(run, report);
}
