import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextTokenizer } from '../../src/onnx/tokenizer.ts';
import { tinyClipTokenizerJson } from '../helpers/tiny-onnx.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'moodshift-tokenizer-'));
});
after(() => rm(root, { recursive: true, force: true }));

async function tokenizerIn(name: string, config?: object): Promise<TextTokenizer> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tinyClipTokenizerJson()));
  if (config) await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return TextTokenizer.fromFile(join(dir, 'tokenizer.json'));
}

describe('tokenizers from an export', () => {
  it("pads the empty prompt with tokenizer_config.json's pad token, as transformers' CLIPTokenizer does", async () => {
    // SD 2's CLIP tokenizer pads with "!" rather than <|endoftext|>: the empty prompt's
    // unconditional embedding depends on it. Here "|" stands in for it.
    const tokenizer = await tokenizerIn('config-pad', { pad_token: '|' });
    const pad = tokenizer.tokenId('|')!;
    const { ids, tokens } = tokenizer.encodeFixed('', 16);
    assert.equal(ids.length, 16);
    assert.equal(tokens, 2, 'start and end tokens');
    assert.deepEqual(ids.slice(tokens), new Array(16 - tokens).fill(pad));
    const object = await tokenizerIn('config-pad-object', { pad_token: { content: '|' } });
    assert.equal(object.padId, pad);
  });

  it('pads with <|endoftext|> when the export says nothing (SD 1.5)', async () => {
    const tokenizer = await tokenizerIn('no-config');
    assert.equal(tokenizer.padId, tokenizer.tokenId('<|endoftext|>'));
    assert.equal(tokenizer.endId, tokenizer.tokenId('<|endoftext|>'));
  });
});
