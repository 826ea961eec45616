/**
 * The reference suites (models/tests/, pytest): tiny random InstructPix2Pix and BLIP-2 models exported with
 * `python -m moodshift_models`, then diffusers' and transformers' own pipelines against moodshift's diffusion
 * renderer and onnx planner (through test/models/reference-driver.ts). They need the pinned Python environment
 * in models/.venv; without it they are skipped with the reason and the command that installs it, unless
 * MOODSHIFT_REFERENCE_TESTS=required (what .ci/run sets), when a missing environment fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));
const PYTHON = `${MODELS}.venv/bin/python`;
const INSTALL = 'python3.11 -m venv models/.venv && models/.venv/bin/pip install -r models/requirements.txt';
const required = process.env.MOODSHIFT_REFERENCE_TESTS === 'required';

/** Why the suites cannot run here, or undefined when they can. */
function missingEnvironment(): string | undefined {
  if (!existsSync(PYTHON)) return `there is no Python environment at models/.venv`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, diffusers, transformers, onnx, onnxruntime, pytest'], { encoding: 'utf8' });
  if (probe.status !== 0) return `models/.venv lacks the pinned packages (${probe.stderr.trim().split('\n').pop()})`;
  return undefined;
}

interface PytestResult {
  outcome: string;
  id: string;
}

/** pytest's `-rA` summary lines: `PASSED tests/test_x.py::test_y[param]`, `FAILED … - reason`, `XFAIL …`. */
function parseSummary(output: string): PytestResult[] {
  const results: PytestResult[] = [];
  for (const line of output.split('\n')) {
    const match = /^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (?:\[\d+\] )?(\S+)/.exec(line);
    if (match) results.push({ outcome: match[1]!, id: match[2]! });
  }
  return results;
}

const missing = missingEnvironment();

if (missing && !required) {
  const banner = [
    '',
    '!!! REFERENCE TESTS SKIPPED (models/tests: diffusers and transformers against moodshift) !!!',
    `!!! reason: ${missing}`,
    `!!! install: ${INSTALL}`,
    '!!! (torch==2.13.0 is the CPU wheel on the project machines; never install torch unpinned)',
    '',
  ].join('\n');
  process.stderr.write(banner + '\n');
  describe('reference suites (diffusers, transformers)', () => {
    it(`skipped: ${missing}; install with: ${INSTALL}`, { skip: `${missing}; install with: ${INSTALL}` }, () => {});
  });
} else {
  // About 2 minutes of CPU on the 2-core machines; more wall time when other test files share the cores.
  describe('reference suites (diffusers, transformers)', { timeout: 30 * 60_000 }, () => {
    it('has the pinned Python environment', () => {
      assert.equal(missing, undefined, `MOODSHIFT_REFERENCE_TESTS=required, but ${missing}. Install with: ${INSTALL}`);
    });

    if (missing) return;
    const run = spawnSync(PYTHON, ['-m', 'pytest', 'tests', '-q', '-s', '-rA', '-p', 'no:cacheprovider', '-p', 'no:warnings'], {
      cwd: MODELS,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    const results = parseSummary(run.stdout);
    // The parity figures each suite prints (max and mean difference per pixel, tokens).
    const figures = output.split('\n').filter((line) => /fp32:|fp16:|^beams \d|^vision input|^PER vs|^trained /.test(line));

    it('ran every reference test', (t) => {
      for (const line of figures) t.diagnostic(line);
      assert.ok(results.length > 0, `pytest reported no tests (exit ${run.status}):\n${output.slice(-4000)}`);
      assert.ok(run.status === 0 || run.status === 1, `pytest could not run (exit ${run.status}):\n${output.slice(-4000)}`);
    });

    for (const result of results) {
      const name = result.id.replace(/^tests\//, '');
      if (result.outcome === 'SKIPPED' || result.outcome === 'XFAIL') {
        it(name, { skip: `${result.outcome.toLowerCase()} in pytest (see models/tests)` }, () => {});
        continue;
      }
      it(name, () => {
        assert.ok(result.outcome === 'PASSED', `${result.outcome}: ${name}\n${failureOf(output, result.id)}`);
      });
    }
  });
}

/** The part of pytest's output that explains one failure. */
function failureOf(output: string, id: string): string {
  const test = id.split('::').pop()!;
  const start = output.indexOf(`_ ${test} _`);
  return start < 0 ? output.slice(-3000) : output.slice(start, start + 4000);
}
