/**
 * @module `report.html`: one self-contained page (inline CSS, inline SVG charts, pictures as
 * base64 thumbnails, no script, nothing fetched from anywhere) that a person reads at a glance:
 * the Table-1-style summary, a bar chart per metric by target emotion, the judges' confusion
 * matrices, the failures, and a before/after grid per photo (original, then one column per
 * emotion). `compareHtml` puts two runs side by side.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { EMOTIONS, type Emotion } from '../emotions.ts';
import { EVAL_TEXT } from './eval-messages.ts';
import {
  formatValue,
  METRIC_INFO,
  SUMMARY_METRICS,
  type Confusion,
  type EvalReport,
  type SummaryMetric,
} from './summary.ts';

const GROUPS: Array<[string, SummaryMetric[]]> = [
  ['Consistency', ['FID', 'LPIPS', 'SSIM', 'CLIP-I']],
  ['Fidelity', ['CLIP-T']],
  ['Accuracy', ['M-Eval', 'G-Eval', 'H-Eval']],
  ['Efficiency', ['Time']],
  ['Also measured', ['MAE', 'PSNR', 'Estimator', 'Face-Expr', 'Face-ID']],
];

const CHART_METRICS: SummaryMetric[] = [
  'SSIM',
  'LPIPS',
  'CLIP-I',
  'CLIP-T',
  'M-Eval',
  'G-Eval',
  'H-Eval',
  'Estimator',
  'Face-Expr',
  'Face-ID',
  'MAE',
  'PSNR',
  'Time',
];
const SERIES_COLOURS = ['#3b6ea8', '#d9822b'];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dde6;padding-bottom:4px}
.meta{color:#5a6475;margin:0 0 12px}table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #d8dde6;padding:4px 8px;text-align:center}th{background:#eef1f6;font-weight:600}
td.nm{color:#9aa3b2}.notes li{color:#5a6475}.charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{background:#fff;border:1px solid #d8dde6;padding:8px}.chart h3{font-size:13px;margin:0 0 4px}
.grid td{vertical-align:top;padding:4px}.grid img{display:block;max-width:160px;max-height:160px;margin:auto}
.grid .cap{font-size:11px;color:#5a6475;max-width:160px}.hit{color:#22863a;font-weight:600}.miss{color:#b31d28}
.cm td{width:34px;height:26px;font-size:12px}.cm th{font-size:11px}.fail{color:#b31d28}
.side{display:flex;gap:24px;flex-wrap:wrap}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
`;

/** A picture from the run folder as a small JPEG data URL. */
async function thumbnail(path: string, side = 160): Promise<string | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const bytes = await sharp(await readFile(path))
      .rotate()
      .resize(side, side, { fit: 'inside' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 72 })
      .toBuffer();
    return `data:image/jpeg;base64,${bytes.toString('base64')}`;
  } catch {
    return undefined;
  }
}

function summaryTable(reports: Array<{ name: string; report: EvalReport }>): string {
  const head1 = GROUPS.map(([group, metrics]) => `<th colspan="${metrics.length}">${group}</th>`).join('');
  const head2 = GROUPS.flatMap(([, metrics]) => metrics)
    .map((m) => {
      const info = METRIC_INFO[m];
      return `<th title="${escapeHtml(info.description)}">${info.label}${info.lowerIsBetter ? '↓' : ''}${info.unit ? `<br><small>${escapeHtml(info.unit)}</small>` : ''}</th>`;
    })
    .join('');
  const rows = reports
    .map(({ name, report }) => {
      const cells = GROUPS.flatMap(([, metrics]) => metrics).map((m) => {
        const value = report.summary[m];
        if ('notMeasured' in value) return `<td class="nm" title="${escapeHtml(value.notMeasured)}">—</td>`;
        return `<td title="${escapeHtml(`${value.n} edit(s)${value.detail ? `; ${value.detail}` : ''}`)}">${formatValue(m, value)}</td>`;
      });
      return `<tr><th>${escapeHtml(name)}</th>${cells.join('')}</tr>`;
    })
    .join('');
  return `<table class="summary"><tr><th rowspan="2">Run</th>${head1}</tr><tr>${head2}</tr>${rows}</table>`;
}

function notMeasuredList(report: EvalReport): string {
  const items = SUMMARY_METRICS.flatMap((m) => {
    const value = report.summary[m];
    return 'notMeasured' in value ? [`<li><b>${m}</b>: ${escapeHtml(value.notMeasured)}</li>`] : [];
  });
  const details = SUMMARY_METRICS.flatMap((m) => {
    const value = report.summary[m];
    return 'notMeasured' in value || !value.detail ? [] : [`<li><b>${m}</b>: ${escapeHtml(value.detail)}</li>`];
  });
  return `<ul class="notes">${details.join('')}${items.join('')}</ul>`;
}

/** One horizontal bar chart: a bar per emotion, one series per run. */
function barChart(metric: SummaryMetric, series: Array<Partial<Record<Emotion, number | null>>>): string | undefined {
  const emotions = EMOTIONS.filter((e) => series.some((s) => typeof s[e] === 'number'));
  if (emotions.length === 0) return undefined;
  const values = series.flatMap((s) => emotions.map((e) => s[e] ?? 0));
  const accuracy = METRIC_INFO[metric].unit === '%' || METRIC_INFO[metric].unit === '×100';
  const max = accuracy ? 100 : Math.max(...values.map(Math.abs), 1e-9);
  const barHeight = 12;
  const rowHeight = barHeight * series.length + 6;
  const left = 86;
  const width = 300;
  const plot = width - left - 44;
  const height = emotions.length * rowHeight + 4;
  const bars = emotions
    .map((emotion, row) => {
      const y = row * rowHeight + 2;
      const label = `<text x="${left - 6}" y="${y + (rowHeight - 6) / 2 + 4}" text-anchor="end" font-size="11">${emotion}</text>`;
      const rects = series
        .map((s, i) => {
          const v = s[emotion];
          if (typeof v !== 'number') return '';
          const w = Math.max(0, (Math.max(0, v) / max) * plot);
          const by = y + i * barHeight;
          return `<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${SERIES_COLOURS[i % 2]}"><title>${emotion}: ${v.toFixed(2)}</title></rect><text x="${(left + w + 3).toFixed(1)}" y="${by + barHeight - 3}" font-size="10">${v.toFixed(metric === 'LPIPS' || metric === 'Face-ID' ? 3 : metric === 'Time' ? 2 : 1)}</text>`;
        })
        .join('');
      return label + rects;
    })
    .join('');
  const info = METRIC_INFO[metric];
  return `<div class="chart"><h3>${info.label}${info.lowerIsBetter ? ' (lower is better)' : ''}${info.unit ? `, ${escapeHtml(info.unit)}` : ''}</h3><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${info.label} by emotion">${bars}</svg></div>`;
}

function charts(series: Array<EvalReport['perEmotion']>): string {
  return CHART_METRICS.map((metric) =>
    barChart(
      metric,
      series.map((perEmotion) =>
        Object.fromEntries(Object.entries(perEmotion).map(([e, values]) => [e, values[metric] ?? null])),
      ),
    ),
  )
    .filter(Boolean)
    .join('');
}

function confusionMatrix(confusion: Confusion): string {
  const columns: Array<Emotion | 'invalid'> = [...EMOTIONS, 'invalid'];
  const rows = EMOTIONS.filter((t) => columns.some((p) => confusion.counts[t]?.[p]));
  if (rows.length === 0) return '';
  const max = Math.max(1, ...rows.flatMap((t) => columns.map((p) => confusion.counts[t]![p])));
  const body = rows
    .map((target) => {
      const total = columns.reduce((s, p) => s + confusion.counts[target]![p], 0);
      const cells = columns
        .map((p) => {
          const n = confusion.counts[target]![p];
          const shade = n ? 0.15 + (0.75 * n) / max : 0;
          const colour = p === target ? `rgba(34,134,58,${shade})` : `rgba(179,29,40,${shade})`;
          return `<td style="background:${n ? colour : '#fff'}" title="target ${target}, read as ${p}: ${n} of ${total}">${n || ''}</td>`;
        })
        .join('');
      return `<tr><th>${target}</th>${cells}</tr>`;
    })
    .join('');
  const correct = rows.reduce((s, t) => s + confusion.counts[t]![t], 0);
  const total = rows.reduce((s, t) => s + columns.reduce((a, p) => a + confusion.counts[t]![p], 0), 0);
  return `<div><h3>${confusion.judge}: ${correct} of ${total} read as the target</h3><table class="cm"><tr><th>target ↓ / read →</th>${columns.map((c) => `<th>${c}</th>`).join('')}</tr>${body}</table></div>`;
}

async function grid(report: EvalReport, outDir: string): Promise<string> {
  const emotions = EMOTIONS.filter((e) => report.dataset.emotions.includes(e));
  const photos = new Map<string, EvalReport['edits']>();
  for (const edit of report.edits) photos.set(edit.photo, [...(photos.get(edit.photo) ?? []), edit]);
  const rows: string[] = [];
  for (const [photo, edits] of photos) {
    const first = edits.find((e) => e.originalFile) ?? edits[0]!;
    const original = first.originalFile ? await thumbnail(join(outDir, first.originalFile)) : await thumbnail(photo);
    const cells: string[] = [];
    for (const emotion of emotions) {
      const edit = edits.find((e) => e.target === emotion);
      if (!edit) {
        cells.push('<td></td>');
        continue;
      }
      if (edit.status !== 'done' || !edit.editedFile) {
        cells.push(`<td><div class="cap fail">failed: ${escapeHtml(edit.error ?? '')}</div></td>`);
        continue;
      }
      const picture = await thumbnail(join(outDir, edit.editedFile));
      const m = edit.metrics;
      const judge = (name: string, read: Emotion | undefined) =>
        read ? `<span class="${read === emotion ? 'hit' : 'miss'}">${name}: ${read}</span>` : '';
      const g = m.gEval ? (m.gEval.valid ? judge('G', m.gEval.emotion) : `<span class="miss">G: invalid</span>`) : '';
      const caption = [
        m.ssim !== undefined ? `SSIM ${(m.ssim * 100).toFixed(1)}` : '',
        edit.timeMs !== undefined ? `${(edit.timeMs / 1000).toFixed(2)} s` : '',
        judge('est', m.estimator),
        judge('M', m.mEval),
        g,
        ...(m.faces?.readings ?? []).map(
          (r, i) => `<span class="${r === emotion ? 'hit' : 'miss'}">face ${i + 1}: ${r}</span>`,
        ),
      ]
        .filter(Boolean)
        .join(' · ');
      cells.push(
        `<td>${picture ? `<img src="${picture}" alt="${escapeHtml(`${edit.photoName} edited toward ${emotion}`)}">` : ''}<div class="cap">${caption}</div>${edit.plan ? `<div class="cap" title="edited caption">${escapeHtml(edit.plan.editedCaption)}</div>` : ''}</td>`,
      );
    }
    rows.push(
      `<tr><td>${original ? `<img src="${original}" alt="${escapeHtml(`${first.photoName}, original`)}">` : ''}<div class="cap">${escapeHtml(first.photoName)}</div></td>${cells.join('')}</tr>`,
    );
  }
  return `<table class="grid"><tr><th>original</th>${emotions.map((e) => `<th>${e}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function failures(report: EvalReport): string {
  if (report.failures.length === 0) return '';
  return `<h2>Failures (${report.failures.length})</h2><ul>${report.failures.map((f) => `<li class="fail">${escapeHtml(f.photo)} → ${f.target}: ${escapeHtml(f.error)}${f.code ? ` <code>${escapeHtml(f.code)}</code>` : ''}</li>`).join('')}</ul>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"><title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>${body}</body></html>\n`;
}

function describeRun(report: EvalReport): string {
  const b = report.backends;
  return `${report.dataset.edits} edits of ${report.dataset.photos} photo(s) from ${escapeHtml(report.dataset.path)} · renderer <b>${escapeHtml(b.renderer)}</b>, planner <b>${escapeHtml(b.planner)}</b>, normaliser <b>${escapeHtml(b.normaliser)}</b>${b.judgeModel ? `, G-Eval model <b>${escapeHtml(b.judgeModel)}</b>` : ''} · ${escapeHtml(report.machine.cpu)}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, Node ${escapeHtml(report.machine.node)} · ${escapeHtml(report.createdAt)}`;
}

/** The run's report page. */
export async function reportHtml(report: EvalReport, outDir: string): Promise<string> {
  const name = `${report.backends.renderer}/${report.backends.planner}/${report.backends.normaliser}`;
  const invalid = Object.entries(report.gEvalInvalid);
  const body = [
    `<h1>${EVAL_TEXT.title}</h1><p class="meta">${describeRun(report)}</p>`,
    `<h2>Summary (as in the EPEM paper's Table 1)</h2>`,
    summaryTable([{ name, report }]),
    notMeasuredList(report),
    invalid.length
      ? `<p>G-Eval invalid answers: ${invalid.map(([why, n]) => `${escapeHtml(why)} ${n}`).join(', ')}</p>`
      : '',
    `<h2>By target emotion</h2><div class="charts">${charts([report.perEmotion])}</div>`,
    `<h2>Emotion judges: what each edit was read as</h2><div class="side">${report.confusion.map(confusionMatrix).join('')}</div>`,
    failures(report),
    `<h2>Before and after</h2>`,
    await grid(report, outDir),
  ].join('\n');
  return page(EVAL_TEXT.title, body);
}

/** Two runs side by side: both summaries, the charts with one series per run. */
export function compareHtml(a: { name: string; report: EvalReport }, b: { name: string; report: EvalReport }): string {
  const legend = `<p class="legend"><span style="background:${SERIES_COLOURS[0]}"></span>${escapeHtml(a.name)}<span style="background:${SERIES_COLOURS[1]}"></span>${escapeHtml(b.name)}</p>`;
  const body = [
    `<h1>${EVAL_TEXT.compareTitle}</h1>`,
    `<p class="meta">A: ${describeRun(a.report)}</p><p class="meta">B: ${describeRun(b.report)}</p>`,
    `<h2>Summary</h2>`,
    summaryTable([a, b]),
    `<h2>By target emotion</h2>${legend}<div class="charts">${charts([a.report.perEmotion, b.report.perEmotion])}</div>`,
    `<h2>Emotion judges</h2><div class="side"><div><h3>A</h3>${a.report.confusion.map(confusionMatrix).join('')}</div><div><h3>B</h3>${b.report.confusion.map(confusionMatrix).join('')}</div></div>`,
  ].join('\n');
  return page(EVAL_TEXT.compareTitle, body);
}
