/**
 * @module Tokenizers read from an export's `tokenizer.json` through `@huggingface/tokenizers`
 * (the CLIP BPE of the text encoder, the OPT BPE of the planner's decoder). Nothing here splits
 * text itself; it only truncates and pads to the length a model wants.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ConfigError } from '../errors.ts';

interface TokenizerConfig {
  pad_token?: string | { content?: string } | null;
}

interface TokenizerJson {
  padding?: { pad_id?: number } | null;
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

export class TextTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    /** The token that ends a sequence (`<|endoftext|>` for CLIP, `</s>` for OPT), when there is one. */
    readonly endId: number | undefined,
    /** The token used for padding. */
    readonly padId: number,
  ) {}

  /** Reads `tokenizer.json` (and `tokenizer_config.json` beside it, when present). */
  static async fromFile(path: string): Promise<TextTokenizer> {
    let json: TokenizerJson;
    try {
      json = JSON.parse(await readFile(path, 'utf8')) as TokenizerJson;
    } catch (error) {
      throw new ConfigError(
        `Tokenizer file ${path} is missing or not valid JSON (${error instanceof Error ? error.message : String(error)}). ` +
          'Export it with the model (a `tokenizers` tokenizer.json, e.g. from save_pretrained of a fast tokenizer).',
        { cause: error },
      );
    }
    const configPath = join(dirname(path), 'tokenizer_config.json');
    const config: TokenizerConfig = existsSync(configPath)
      ? (JSON.parse(await readFile(configPath, 'utf8')) as TokenizerConfig)
      : {};
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(json, config as object);
    } catch (error) {
      throw new ConfigError(
        `Tokenizer file ${path} could not be read: ${error instanceof Error ? error.message : String(error)}.`,
        { cause: error },
      );
    }
    const idOf = (...tokens: string[]): number | undefined => {
      for (const token of tokens) {
        const id = tokenizer.token_to_id(token);
        if (id !== undefined) return id;
      }
      return undefined;
    };
    const endId = idOf('<|endoftext|>', '</s>', '[SEP]');
    // As transformers' tokenizers: tokenizer_config.json's pad_token first (SD 1.5's CLIP pads with
    // <|endoftext|>, SD 2's with "!"), then tokenizer.json's padding, then the usual names.
    const configPad = typeof config.pad_token === 'string' ? config.pad_token : config.pad_token?.content;
    const padId =
      (configPad !== undefined ? idOf(configPad) : undefined) ??
      json.padding?.pad_id ??
      idOf('<pad>', '<|endoftext|>', '[PAD]') ??
      endId ??
      0;
    return new TextTokenizer(tokenizer, endId, padId);
  }

  /** The id of one token of the vocabulary, if it has it. */
  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token) ?? undefined;
  }

  /** Token ids with the tokenizer's special tokens (CLIP: start and end; OPT: a leading `</s>`). */
  encode(text: string, addSpecialTokens = true): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  /**
   * Exactly `length` ids: truncated (keeping the end token last, as CLIP does) or padded.
   * Returns the ids and how many of them are real tokens.
   */
  encodeFixed(text: string, length: number): { ids: number[]; tokens: number } {
    let ids = this.encode(text);
    if (ids.length > length) {
      const endsWithEnd = this.endId !== undefined && ids[ids.length - 1] === this.endId;
      ids = endsWithEnd ? [...ids.slice(0, length - 1), this.endId!] : ids.slice(0, length);
    }
    const tokens = ids.length;
    while (ids.length < length) ids.push(this.padId);
    return { ids, tokens };
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }
}
