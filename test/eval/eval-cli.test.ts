import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../../src/cli.ts';
import type { EvalReport } from '../../src/eval/summary.ts';
import { startFakeOpenAi, type FakeOpenAiServer } from '../fakes/openai/fake-openai-server.ts';

function capture() {
  const out = {
    text: '',
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  return out;
}

describe('moodshift eval on the command line', () => {
  let dir: string;
  let server: FakeOpenAiServer;
  const saved = { ...process.env };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moodshift-eval-cli-'));
    await mkdir(join(dir, 'photos'));
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 150, b: 90 } } })
      .composite([
        {
          input: { create: { width: 20, height: 20, channels: 3, background: { r: 20, g: 40, b: 160 } } },
          left: 10,
          top: 10,
        },
      ])
      .jpeg()
      .toFile(join(dir, 'photos', 'warm.jpg'));
    server = await startFakeOpenAi();
  });
  after(async () => {
    process.env = saved;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('explains itself and refuses what it cannot do with a sentence', async () => {
    const help = capture();
    assert.equal(await runCli(['eval', '--help'], { stdout: help as never, stderr: capture() as never }), 0);
    assert.match(help.text, /--compare RUN_A RUN_B/);
    assert.match(help.text, /--h-eval-form RUN/);
    const err = capture();
    assert.equal(
      await runCli(['eval', join(dir, 'photos'), '--emotions', 'joy'], {
        stdout: capture() as never,
        stderr: err as never,
      }),
      2,
    );
    assert.match(err.text, /--emotions takes names from: amusement, awe/);
    const top = capture();
    await runCli(['--help'], { stdout: top as never, stderr: capture() as never });
    assert.match(top.text, /moodshift eval DATASET/);
  });

  it('scores G-Eval with the configured vision model and prints the summary table', async () => {
    process.env = {
      ...saved,
      LLM_BASE_URL: server.baseUrl,
      LLM_MODEL: 'fake-vision',
      MODELS_DIR: join(dir, 'no-models'),
      LOG_LEVEL: 'silent',
    };
    server.answerWith({ content: 'Sadness.' });
    const out = capture();
    const err = capture();
    const run = join(dir, 'runs', 'a');
    const code = await runCli(['eval', join(dir, 'photos'), '--emotions', 'sadness,fear', '--out', run], {
      stdout: out as never,
      stderr: err as never,
    });
    assert.equal(code, 0, err.text);
    assert.match(out.text, /\| G-Eval \(%\)/);
    assert.match(out.text, /LPIPS: not measured: file eval\/lpips\/model\.onnx missing/);
    const report = JSON.parse(await readFile(join(run, 'report.json'), 'utf8')) as EvalReport;
    assert.deepEqual(report.summary['G-Eval'], { value: 50, n: 2 });
    assert.equal(report.backends.judgeModel, 'fake-vision');
    const gEval = report.confusion.find((c) => c.judge === 'G-Eval')!;
    assert.equal(gEval.counts.fear.sadness, 1);
    assert.equal(gEval.counts.sadness.sadness, 1);
    assert.equal(server.requests.length, 2);
    assert.ok(existsSync(join(dir, 'runs', 'g-eval-cache')), 'answers cached beside the run');

    const second = join(dir, 'runs', 'b');
    assert.equal(
      await runCli(['eval', join(dir, 'photos'), '--emotions', 'sadness,fear', '--out', second], {
        stdout: capture() as never,
        stderr: capture() as never,
      }),
      0,
    );
    assert.equal(server.requests.length, 2, 'the same pictures are not asked about again');
    const compared = capture();
    assert.equal(
      await runCli(['eval', '--compare', run, second, '--out', join(dir, 'cmp')], {
        stdout: compared as never,
        stderr: capture() as never,
      }),
      0,
    );
    const html = await readFile(join(dir, 'cmp', 'compare.html'), 'utf8');
    assert.ok(html.includes(`A: ${run}`) && html.includes(`B: ${second}`));
  });
});
