// A short reporter for `npm test`: one line per test file (ok/FAIL, tests, seconds), every
// failure in full, and a closing line `N passed, N failed[, N skipped]` (CI reads that line).
// The full TAP goes to test-results/tap.txt (see scripts/run-tests.mjs).
import { relative } from 'node:path';
import { inspect } from 'node:util';

const root = new URL('..', import.meta.url).pathname;

export default async function* shortReporter(source) {
  const files = new Map(); // file → { passed, failed, skipped, ms, stderr, failures, printed }
  let current;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const started = Date.now();

  const entry = (key) => {
    let stats = files.get(key);
    if (!stats)
      files.set(key, (stats = { passed: 0, failed: 0, skipped: 0, ms: 0, stderr: '', failures: [], printed: false }));
    return stats;
  };
  const line = (key, s) => {
    s.printed = true;
    const mark = s.failed > 0 ? 'FAIL' : 'ok  ';
    const counts = `${s.passed + s.failed + s.skipped} test${s.passed + s.failed + s.skipped === 1 ? '' : 's'}`;
    const extra = [s.failed && `${s.failed} failed`, s.skipped && `${s.skipped} skipped`].filter(Boolean).join(', ');
    let out = `${mark} ${key}  ${counts}${extra ? ` (${extra})` : ''}  ${(s.ms / 1000).toFixed(1)} s\n`;
    for (const failure of s.failures) out += failure;
    // A skip with a reason says why, so a suite that could not run here is seen (e.g. no Python, no Vulkan).
    for (const reason of new Set(s.skipReasons ?? [])) out += `  ! skipped: ${reason}\n`;
    if (s.failed > 0 && s.stderr.trim()) out += `  --- standard error of ${key} ---\n${indent(s.stderr.trimEnd())}\n`;
    return out;
  };

  // Tests defined in a shared helper module (e.g. a conformance suite) carry the helper's path;
  // their events come before those of the test file's own enclosing test, so they wait for it.
  let pending = [];
  const apply = (stats, event) => {
    const data = event.data ?? {};
    if (event.type === 'test:stderr') {
      stats.stderr += data.message ?? '';
      return;
    }
    if (data.nesting === 0) stats.ms += data.details?.duration_ms ?? 0;
    if (data.details?.type === 'suite' && event.type === 'test:pass') return;
    if (event.type === 'test:pass') {
      if (data.skip || data.todo) {
        if (typeof data.skip === 'string') (stats.skipReasons ??= []).push(data.skip);
        stats.skipped++;
        skipped++;
      } else {
        stats.passed++;
        passed++;
      }
      return;
    }
    // test:fail — a suite fails when one of its tests failed; count it only when it failed itself.
    const error = data.details?.error;
    if (data.details?.type === 'suite' && error?.failureType === 'subtestsFailed') return;
    stats.failed++;
    failed++;
    const where = data.line ? ` (${relative(root, data.file ?? '')}:${data.line})` : '';
    stats.failures.push(
      `  ✗ ${data.name}${where}\n${indent(inspect(error?.cause ?? error, { depth: 6 }), '      ')}\n`,
    );
  };

  for await (const event of source) {
    if (!['test:pass', 'test:fail', 'test:stderr'].includes(event.type)) continue;
    const file = event.data?.file;
    const key = file ? relative(root, file) : undefined;
    if (key === undefined || !/\.test\.[cm]?[jt]s$/.test(key)) {
      pending.push(event);
      continue;
    }
    if (current !== undefined && current !== key) {
      const previous = files.get(current);
      if (previous && !previous.printed) yield line(current, previous);
    }
    current = key;
    const stats = entry(key);
    for (const waiting of pending) apply(stats, waiting);
    pending = [];
    apply(stats, event);
  }
  if (pending.length) {
    const stats = entry(current ?? '(no file)');
    for (const waiting of pending) apply(stats, waiting);
  }
  for (const [key, stats] of files) if (!stats.printed) yield line(key, stats);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  yield `\n${files.size} file${files.size === 1 ? '' : 's'} in ${seconds} s; full TAP in test-results/tap.txt\n`;
  yield `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}

function indent(text, pad = '    ') {
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
