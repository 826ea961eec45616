/**
 * @module The words `moodshift eval` shows the operator: progress lines, the end-of-run summary
 * and the report's headings. Operator-facing English (the bot's words for people in chats live
 * in `src/messages.ts`).
 */
import type { Emotion } from '../emotions.ts';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export const EVAL_TEXT = {
  progressDone: (photo: string, target: Emotion, ms: number) => `${photo} → ${target} (${seconds(ms)})`,
  progressSkipped: (photo: string, target: Emotion) => `${photo} → ${target} (done in an earlier run)`,
  progressFailed: (photo: string, target: Emotion, why: string) => `${photo} → ${target} FAILED: ${why.split('\n')[0]}`,
  cannotReadPhoto: (path: string) => `Cannot read "${path}": check the path.`,
  noReply: 'The engine gave no edit for this request.',
  editLost: 'The edit was made but its record or original picture could not be read back from the store.',
  failedPhotos: (count: number) => `${count} edit${count === 1 ? '' : 's'} failed (listed in the report):`,
  wrote: (dir: string) => `Report: ${dir}/report.html (figures in ${dir}/report.json)`,
  resumed: (count: number) => `${count} edit${count === 1 ? '' : 's'} done in an earlier run were kept.`,
  gEvalOff: 'not measured: no vision model configured (set LLM_BASE_URL and LLM_MODEL)',
  hEvalOff:
    'not measured: no filled H-Eval forms scored yet (moodshift eval --h-eval-form RUN, then --h-eval-score RUN ANSWERS…)',
  fidTooFew: 'not measured: FID needs at least two photos and two edits',
  title: 'moodshift evaluation',
  compareTitle: 'moodshift evaluation: two runs side by side',
  formTitle: 'Which feeling does each picture give you?',
  formIntro:
    'For each picture, choose the one emotion it makes you feel most. There are no right answers; go with your first impression. When you are done, press "Save my answers" and send the file it downloads.',
  formSave: 'Save my answers',
} as const;
