/**
 * @module Reading and writing a run folder's `report.json` and `report.html`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reportHtml } from './report-html.ts';
import { writeAtomically } from './run-eval.ts';
import type { EvalReport } from './summary.ts';

/** Writes report.json and report.html into a run folder. */
export async function writeReport(outDir: string, report: EvalReport): Promise<void> {
  await writeAtomically(join(outDir, 'report.json'), JSON.stringify(report, null, 1) + '\n');
  await writeAtomically(join(outDir, 'report.html'), await reportHtml(report, outDir));
}

export async function readReport(run: string): Promise<EvalReport> {
  const path = join(run, 'report.json');
  if (!existsSync(path))
    throw new Error(`${run} has no report.json: give the folder of a finished moodshift eval run.`);
  return JSON.parse(await readFile(path, 'utf8')) as EvalReport;
}
