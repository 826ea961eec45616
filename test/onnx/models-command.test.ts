import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runModelsCommand } from '../../src/onnx/models-command.ts';
import { tinyUnet, tinyVaeDecoder, writeTinyDiffusionModels, writeTinyPlannerModels } from '../helpers/tiny-onnx.ts';

let root: string;
let counter = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'moodshift-models-'));
});
after(() => rm(root, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await runModelsCommand(argv, { stdout, stderr });
  return { code, out, err };
}

async function diffusionDir(options: Parameters<typeof writeTinyDiffusionModels>[1] = {}): Promise<string> {
  const dir = join(root, `diffusion-${counter++}`);
  await writeTinyDiffusionModels(dir, options);
  return dir;
}

describe('moodshift models check', () => {
  it('reports a complete export as ready', async () => {
    const dir = await diffusionDir();
    await writeTinyPlannerModels(dir);
    const result = await run('check', dir);
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, /diffusion: ready/);
    assert.match(result.out, /onnx: ready/);
    assert.match(result.out, /absent +diffusion +per\/eai\.onnx \(optional\)/);
  });

  it('names a missing file and the signature it must have', async () => {
    const dir = await diffusionDir();
    await rm(join(dir, 'vae_decoder/model.onnx'));
    const result = await run('check', dir, '--backend', 'diffusion');
    assert.equal(result.code, 1);
    assert.match(result.out, /missing +diffusion +vae_decoder\/model\.onnx/);
    assert.match(result.out, /expected inputs: latent_sample float32\|float16 rank 4/);
    assert.match(result.out, /diffusion: NOT ready \(1 file missing or wrong\)/);
  });

  it('catches a truncated model file', async () => {
    const dir = await diffusionDir();
    const bytes = tinyUnet();
    await writeFile(join(dir, 'unet/model.onnx'), bytes.subarray(0, bytes.length - 40));
    const result = await run('check', dir, '--backend', 'diffusion');
    assert.equal(result.code, 1);
    assert.match(
      result.out,
      /wrong +diffusion +unet\/model\.onnx\n.*cannot be loaded as an ONNX model \(\d+ bytes; truncated/,
    );
  });

  it('catches a model with the wrong signature and says what it found', async () => {
    const dir = await diffusionDir();
    await writeFile(join(dir, 'unet/model.onnx'), tinyVaeDecoder());
    const result = await run('check', dir, '--backend', 'diffusion');
    assert.equal(result.code, 1);
    assert.match(result.out, /no input named timestep/);
    assert.match(result.out, /found inputs: latent_sample float32/);
  });

  it('catches a float16 timestep where an exporter wrote int32, by element type', async () => {
    const dir = join(root, `int32-${counter++}`);
    await writeTinyDiffusionModels(dir);
    // A UNet with an int32 timestep: not a type the manifest accepts.
    const { GraphBuilder } = await import('../helpers/tiny-onnx.ts');
    const g = new GraphBuilder();
    const sample = g.input('sample', 'float32', ['batch', 8, 'h', 'w']);
    g.input('timestep', 'int32', [1]);
    g.input('encoder_hidden_states', 'float32', ['batch', 16, 8]);
    g.op('Identity', [g.op('Slice', [sample, g.int64s([0]), g.int64s([4]), g.int64s([1])])], {}, 'out_sample');
    g.output('out_sample', 'float32', ['batch', 4, 'h', 'w']);
    await writeFile(join(dir, 'unet/model.onnx'), g.encode('unet'));
    const result = await run('check', dir, '--backend', 'diffusion');
    assert.equal(result.code, 1);
    assert.match(result.out, /input timestep is int32, expected int64 or float32 or float16/);
  });

  it('catches a broken tokenizer and a partly present group of optional files', async () => {
    const dir = await diffusionDir({ withPer: true });
    await writeFile(join(dir, 'tokenizer/tokenizer.json'), '{"model": ');
    await rm(join(dir, 'per/adapter.onnx'));
    const result = await run('check', dir, '--backend', 'diffusion');
    assert.equal(result.code, 1);
    assert.match(result.out, /wrong +diffusion +tokenizer\/tokenizer\.json/);
    assert.match(result.out, /missing +diffusion +per\/adapter\.onnx\n.*per group is present, so it is needed too/);
  });

  it("checks EPEM's PER files against the contract, naming the file, the expected and the found signature", async () => {
    const dir = await diffusionDir({ withPer: true });
    assert.equal(
      (await run('check', dir, '--backend', 'diffusion')).code,
      0,
      'the tiny PER blocks follow the contract',
    );
    // An adapter from the old contract: emotion_embeds in, adapter_hidden_states out, no text features.
    const { GraphBuilder, writeModel } = await import('../helpers/tiny-onnx.ts');
    const g = new GraphBuilder();
    const input = g.input('emotion_embeds', 'float32', ['batch', 'queries', 8]);
    g.op('Identity', [input], {}, 'adapter_hidden_states');
    g.output('adapter_hidden_states', 'float32', ['batch', 'queries', 8]);
    await writeModel(join(dir, 'per/adapter.onnx'), g.encode('old-adapter'));
    const result = await run('check', dir, '--backend', 'diffusion');
    assert.equal(result.code, 1);
    assert.match(result.out, /wrong +diffusion +per\/adapter\.onnx/);
    assert.match(result.out, /no input named text_embeds/);
    assert.match(result.out, /no output named f\b/);
    assert.match(
      result.out,
      /expected inputs: text_embeds float32\|float16 rank 3; v_prime float32\|float16 rank 3\. outputs: f float32\|float16 rank 3/,
    );
    assert.match(
      result.out,
      /found inputs: emotion_embeds float32 \[batch, queries, 8\]\. outputs: adapter_hidden_states/,
    );
  });

  it("reads the planner export's export.json, and reports one that is not JSON", async () => {
    const dir = join(root, `planner-${counter++}`);
    await writeTinyPlannerModels(dir);
    await writeFile(join(dir, 'blip2/export.json'), JSON.stringify({ format: 1, end_token_id: 50118 }));
    assert.match((await run('check', dir, '--backend', 'onnx')).out, /ok +onnx +blip2\/export\.json/);
    await writeFile(join(dir, 'blip2/export.json'), '{"end_token_id": ');
    const result = await run('check', dir, '--backend', 'onnx');
    assert.equal(result.code, 1);
    assert.match(result.out, /wrong +onnx +blip2\/export\.json\n +is not valid JSON/);
  });

  it('catches a file whose pinned checksum differs', async () => {
    const dir = await diffusionDir();
    const manifest = join(root, `pinned-${counter++}.json`);
    await writeFile(
      manifest,
      JSON.stringify({
        version: 1,
        backends: {
          diffusion: {
            description: 'test',
            files: [{ path: 'unet/model.onnx', kind: 'onnx', required: true, sha256: '0'.repeat(64) }],
          },
          onnx: { description: 'test', files: [] },
        },
      }),
    );
    const result = await run('check', dir, '--backend', 'diffusion', '--manifest', manifest);
    assert.equal(result.code, 1);
    assert.match(result.out, /its sha256 is [0-9a-f]{64}, expected 0{64}/);
  });

  it('prints the checksums and sizes to pin', async () => {
    const dir = await diffusionDir();
    const result = await run('hash', dir, '--backend', 'diffusion');
    assert.equal(result.code, 0);
    const pins = JSON.parse(result.out) as Record<string, { sha256: string; bytes: number }>;
    const unet = await readFile(join(dir, 'unet/model.onnx'));
    assert.deepEqual(pins['unet/model.onnx'], {
      sha256: createHash('sha256').update(unet).digest('hex'),
      bytes: unet.length,
    });
    assert.equal(pins['per/eai.onnx'], undefined, 'absent files are not listed');
  });

  it('refuses an unknown backend with the usage', async () => {
    const result = await run('check', '--backend', 'gpu');
    assert.equal(result.code, 2);
    assert.match(result.err, /--backend must be one of diffusion, onnx/);
  });
});

describe('moodshift models fetch', () => {
  let server: Server;
  let baseUrl: string;
  const payload = randomBytes(300_000);
  const unet = Buffer.from(tinyUnet());
  const requests: { path: string; range: string | undefined }[] = [];
  let cutNext = 0;

  before(async () => {
    server = createServer((request, response) => {
      const path = request.url!.replace(/^\//, '');
      requests.push({ path, range: request.headers.range });
      const body = path === 'unet/model.onnx_data' ? payload : path === 'unet/model.onnx' ? unet : undefined;
      if (!body) {
        response.writeHead(404).end();
        return;
      }
      const start = Number(/bytes=(\d+)-/.exec(request.headers.range ?? '')?.[1] ?? 0);
      const headers: Record<string, string | number> = { 'content-length': body.length - start };
      if (start > 0) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
      response.writeHead(start > 0 ? 206 : 200, headers);
      if (cutNext > 0 && body === payload) {
        cutNext--;
        // Send part of the file, then drop the connection.
        response.write(body.subarray(start, start + 100_000), () => setTimeout(() => response.destroy(), 50));
        return;
      }
      response.end(body.subarray(start));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function manifestWith(dataSha: string): Promise<string> {
    const path = join(root, `manifest-${counter++}.json`);
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        backends: {
          diffusion: {
            description: 'test',
            files: [
              { path: 'unet/model.onnx', kind: 'onnx', required: true, sha256: null },
              { path: 'unet/model.onnx_data', kind: 'data', required: true, sha256: dataSha, bytes: payload.length },
              { path: 'per/eai.onnx', kind: 'onnx', required: false, sha256: null },
            ],
          },
          onnx: { description: 'test', files: [] },
        },
      }),
    );
    return path;
  }

  const sha = createHash('sha256').update(payload).digest('hex');

  it('resumes a partial download with a Range request and verifies the checksum', async () => {
    const dir = join(root, `fetch-${counter++}`);
    await mkdir(join(dir, 'unet'), { recursive: true });
    await writeFile(join(dir, 'unet/model.onnx_data.partial'), payload.subarray(0, 123_456));
    requests.length = 0;
    const result = await run(
      'fetch',
      '--backend',
      'diffusion',
      '--dir',
      dir,
      '--base-url',
      baseUrl,
      '--manifest',
      await manifestWith(sha),
    );
    assert.equal(result.code, 0, result.err);
    assert.equal(
      requests.find((r) => r.path === 'unet/model.onnx_data')?.range,
      'bytes=123456-',
      'only the rest was asked for',
    );
    assert.ok((await readFile(join(dir, 'unet/model.onnx_data'))).equals(payload));
    assert.ok(!existsSync(join(dir, 'unet/model.onnx_data.partial')));
    assert.match(result.err, /fetched +unet\/model\.onnx_data \(checksum verified\)/);
    assert.match(result.err, /fetching unet\/model\.onnx_data 100%/);
  });

  it('keeps what arrived before a broken connection and finishes on the next run', async () => {
    const dir = join(root, `fetch-${counter++}`);
    const manifest = await manifestWith(sha);
    cutNext = 1;
    const first = await run(
      'fetch',
      '--backend',
      'diffusion',
      '--dir',
      dir,
      '--base-url',
      baseUrl,
      '--manifest',
      manifest,
      '--retries',
      '0',
    );
    assert.equal(first.code, 1, first.err);
    assert.match(first.err, /failed +unet\/model\.onnx_data/);
    assert.ok(!existsSync(join(dir, 'unet/model.onnx_data')), 'nothing half-written is put in place');
    const second = await run(
      'fetch',
      '--backend',
      'diffusion',
      '--dir',
      dir,
      '--base-url',
      baseUrl,
      '--manifest',
      manifest,
    );
    assert.equal(second.code, 0, second.err);
    assert.ok((await readFile(join(dir, 'unet/model.onnx_data'))).equals(payload));
    assert.ok((await readFile(join(dir, 'unet/model.onnx'))).equals(unet));
    assert.match(second.err, /have +unet\/model\.onnx/);
  });

  it('retries a broken connection by itself, resuming where it stopped', async () => {
    const dir = join(root, `fetch-${counter++}`);
    cutNext = 2;
    const result = await run(
      'fetch',
      '--backend',
      'diffusion',
      '--dir',
      dir,
      '--base-url',
      baseUrl,
      '--manifest',
      await manifestWith(sha),
    );
    assert.equal(result.code, 0, result.err);
    assert.ok((await readFile(join(dir, 'unet/model.onnx_data'))).equals(payload));
  });

  it('refuses a download whose checksum differs and removes it', async () => {
    const dir = join(root, `fetch-${counter++}`);
    const result = await run(
      'fetch',
      '--backend',
      'diffusion',
      '--dir',
      dir,
      '--base-url',
      baseUrl,
      '--manifest',
      await manifestWith('f'.repeat(64)),
    );
    assert.equal(result.code, 1);
    assert.match(result.err, /does not match its checksum: sha256 [0-9a-f]{64}, expected f{64}/);
    assert.ok(!existsSync(join(dir, 'unet/model.onnx_data')));
    assert.ok(!existsSync(join(dir, 'unet/model.onnx_data.partial')));
  });

  it('says where to configure a URL when a backend has none', async () => {
    const dir = join(root, `fetch-${counter++}`);
    await mkdir(dir, { recursive: true });
    const sources = join(root, `sources-${counter++}.json`);
    await writeFile(sources, JSON.stringify({ diffusion: { baseUrl: null, files: {} } }));
    const result = await run(
      'fetch',
      '--backend',
      'diffusion',
      '--dir',
      dir,
      '--sources',
      sources,
      '--manifest',
      await manifestWith(sha),
    );
    assert.equal(result.code, 1);
    assert.match(result.err, /no URL +unet\/model\.onnx: set a baseUrl for diffusion/);
  });
});

describe("moodshift models check: moodshift eval's optional files", () => {
  it('names each learned metric as not measured, with the files it lacks, without failing the check', async () => {
    const dir = await diffusionDir();
    await writeTinyPlannerModels(dir);
    const result = await run('check', dir);
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, /CLIP-I +not measured \(missing: eval\/clip-vision\/model\.onnx\)/);
    assert.match(
      result.out,
      /CLIP-T +not measured \(missing: eval\/clip-vision\/model\.onnx, eval\/clip-text\/model\.onnx, eval\/clip-text\/tokenizer\.json\)/,
    );
    assert.match(
      result.out,
      /M-Eval +not measured \(missing: eval\/emotion-classifier\/model\.onnx, eval\/emotion-classifier\/config\.json\)/,
    );
  });

  it('reports every metric as measured when its tiny files are there, and only those with --backend eval', async () => {
    const { writeTinyEvalModels } = await import('../eval/tiny-eval-models.ts');
    const dir = join(root, `eval-${counter++}`);
    await writeTinyEvalModels(dir);
    const result = await run('check', dir, '--backend', 'eval');
    assert.equal(result.code, 0, result.out);
    for (const metric of ['CLIP-I', 'CLIP-T', 'LPIPS', 'FID', 'M-Eval'])
      assert.match(result.out, new RegExp(`${metric} +measured\\n`));
    assert.doesNotMatch(result.out, /diffusion:|onnx:/);
  });

  it('fails on a present but broken eval file and says what is wrong with it', async () => {
    const { writeTinyEvalModels } = await import('../eval/tiny-eval-models.ts');
    const dir = join(root, `eval-${counter++}`);
    await writeTinyEvalModels(dir, { wrongClipOutput: true });
    const result = await run('check', dir, '--backend', 'eval');
    assert.equal(result.code, 1, result.out);
    assert.match(result.out, /CLIP-I +wrong\n +eval\/clip-vision\/model\.onnx\n +no output named image_embeds/);
    assert.match(result.out, /LPIPS +measured/);
  });
});
