import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../../src/cli.ts';
import { EMOTIONS } from '../../src/emotions.ts';
import { ToneEstimator } from '../../src/estimator/tone-estimator.ts';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/images');
const out = mkdtempSync(join(tmpdir(), 'moodshift-cli-'));
after(() => rmSync(out, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: '', stderr: '' };
  stdout.on('data', (c: Buffer) => (chunks.stdout += c.toString()));
  stderr.on('data', (c: Buffer) => (chunks.stderr += c.toString()));
  const code = await runCli(args, { stdout, stderr });
  return { code, ...chunks };
}

const PHOTOS = readdirSync(fixtures).filter((name) => /\.(png|jpg)$/.test(name));

describe('moodshift edit', () => {
  it('edits every shared photo toward every emotion, keeping size and format', async () => {
    const estimator = new ToneEstimator();
    for (const photo of PHOTOS) {
      // A smaller copy keeps 40 edits quick; the full-size path is covered below.
      const input = join(out, `small-${photo}`);
      await sharp(join(fixtures, photo)).resize(200).toFile(input);
      for (const emotion of EMOTIONS) {
        const output = join(out, `${photo}-${emotion}${photo.slice(photo.lastIndexOf('.'))}`);
        const result = await cli(['edit', input, `make it feel ${emotion}`, '-o', output]);
        assert.equal(result.code, 0, `${photo} → ${emotion}: ${result.stderr}`);
        assert.match(result.stdout, new RegExp(`(^|→ |^more )${emotion}( than the original)? · moderate`, 'm'));
        const [before, edited] = await Promise.all([sharp(input).metadata(), sharp(output).metadata()]);
        assert.equal(edited.width, before.width);
        assert.equal(edited.height, before.height);
        assert.equal(edited.format, before.format);
        const [was, now] = await Promise.all(
          [input, output].map(async (file) => {
            const bytes = await sharp(file).toBuffer();
            const meta = await sharp(bytes).metadata();
            return estimator.estimate({
              bytes,
              format: meta.format === 'jpeg' ? 'jpeg' : 'png',
              width: meta.width!,
              height: meta.height!,
            });
          }),
        );
        assert.ok(now![emotion] > was![emotion], `${photo} → ${emotion}: the picture reads more like ${emotion}`);
      }
    }
  });

  it('edits a full-size photo and writes the format OUT asks for', async () => {
    const output = join(out, 'rocket-sad.webp');
    const result = await cli(['edit', join(fixtures, 'rocket.jpg'), 'make this sadder', '-o', output]);
    assert.equal(result.code, 0, result.stderr);
    const meta = await sharp(output).metadata();
    assert.equal(meta.format, 'webp');
    assert.equal(meta.width, 640);
  });

  it('says what is wrong with a missing file, a broken picture or an unknown request', async () => {
    assert.equal((await cli(['edit', join(out, 'nope.png'), 'sadder'])).code, 2);
    const broken = join(out, 'broken.txt');
    (await import('node:fs')).writeFileSync(broken, 'not a picture');
    const refused = await cli(['edit', broken, 'sadder', '-o', join(out, 'x.png')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /JPEG, PNG, WebP/);
    const unknown = await cli(['edit', join(fixtures, 'coffee.png'), 'what time is it', '-o', join(out, 'y.png')]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /feeling/);
  });
});

describe('moodshift parse', () => {
  it('prints one Intent as JSON with only the fields that apply', async () => {
    const result = await cli(['parse', 'Please change the emotion of this image from anger to amusement']);
    assert.deepEqual(JSON.parse(result.stdout), {
      kind: 'edit',
      target: 'amusement',
      source: 'anger',
      intensity: 0.6,
      instruction: 'Please change the emotion of this image from anger to amusement',
    });
    assert.deepEqual(JSON.parse((await cli(['parse', 'a bit less sad', '--current', 'sadness'])).stdout), {
      kind: 'refine',
      direction: 'less',
    });
    assert.equal((await cli(['parse', 'x', '--current', 'grumpy'])).code, 2);
  });

  it('reads JSON lines on standard input through the installed command', () => {
    const input = [
      '{"text": "make it scarier"}',
      '{"text": "push it further", "current": "fear"}',
      '{"text": "go back"}',
      'not json',
    ].join('\n');
    const run = spawnSync(process.execPath, [join(root, 'bin/moodshift.js'), 'parse', '--jsonl'], {
      input,
      encoding: 'utf8',
      cwd: root,
    });
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; target?: string; direction?: string });
    assert.equal(lines.length, 4, 'one line out per line in, in order');
    assert.equal(lines[0]!.target, 'fear');
    assert.equal(lines[1]!.direction, 'more');
    assert.equal(lines[2]!.kind, 'undo');
    assert.equal(lines[3]!.kind, 'unknown');
    assert.match(run.stderr, /line 4/);
  });
});

describe('moodshift chat', () => {
  it('holds a conversation over one picture: edit, more, undo, redo, less', () => {
    const input = ['make it sadder', 'more', 'undo', 'redo', 'less', '/help', '/quit'].join('\n') + '\n';
    const run = spawnSync(
      process.execPath,
      [join(root, 'bin/moodshift.js'), 'chat', join(fixtures, 'chelsea.png'), '--dir', out],
      {
        input,
        encoding: 'utf8',
        cwd: root,
        timeout: 120_000,
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const captions = run.stdout.split('\n').filter((line) => line.includes('→ sadness'));
    assert.deepEqual(
      captions.map((line) => line.split('· ')[1]),
      ['moderate', 'strong', 'moderate', 'strong', 'moderate'],
      run.stdout,
    );
    assert.match(run.stdout, /Type \/quit or press Ctrl\+D to leave/);
    assert.match(run.stdout, /saved as picture-N/, 'the help speaks of numbered pictures');
    assert.doesNotMatch(run.stdout, /Reply to any of my pictures/, 'a terminal cannot reply to a picture');
    const pictures = run.stdout.match(/Picture \d+(?=:)/g) ?? [];
    assert.ok(pictures.length >= 5, run.stdout);
    const written = readdirSync(out).filter((name) => name.startsWith('picture-'));
    for (let n = 1; n <= pictures.length; n++) {
      assert.equal(pictures[n - 1], `Picture ${n}`);
      assert.ok(
        written.some((name) => name.startsWith(`picture-${n}.`)),
        `Picture ${n} is written as picture-${n}.*`,
      );
    }
  });
});

describe('moodshift edit without -o, and --help', () => {
  it('writes into ./moodshift-output/ of the current folder and says where', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'moodshift-cwd-'));
    try {
      const run = spawnSync(
        process.execPath,
        [join(root, 'bin/moodshift.js'), 'edit', join(fixtures, 'coffee.png'), 'make it sadder'],
        {
          encoding: 'utf8',
          cwd,
          timeout: 120_000,
        },
      );
      assert.equal(run.status, 0, run.stderr);
      const written = readdirSync(join(cwd, 'moodshift-output'));
      assert.equal(written.length, 1);
      assert.match(run.stdout, new RegExp(`wrote moodshift-output/${written[0]!.replace('.', '\\.')}`));
      assert.ok(
        !readdirSync(fixtures).some((name) => name.startsWith('coffee-')),
        'nothing is written beside the input',
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('lists the documented flags', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    for (const flag of [
      '-o OUT',
      '--dir DIR',
      '--since TIME',
      '--scope SCOPE',
      '--limit N',
      '--jsonl',
      '--current EMOTION',
      '--backend B',
    ])
      assert.ok(help.stdout.includes(flag), flag);
  });
});
