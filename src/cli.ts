/**
 * @module The `moodshift` command line: `edit`, `parse`, `chat`, `models`, `audit`, `worker`, `eval`.
 * Logs go to standard error (level `warn` unless LOG_LEVEL says otherwise) so that standard
 * output carries only the results.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { loadConfig } from './config.ts';
import { createEngine, type Engine } from './engine.ts';
import { isEmotion } from './emotions.ts';
import { CLI_CHAT_HELP } from './messages.ts';
import { ConfigError, UnavailableError } from './errors.ts';
import { createLogger } from './logger.ts';
import { RulesNormaliser, intentToJson } from './normaliser/rules-normaliser.ts';
import type { ImageAttachment, Reply, Turn } from './turn.ts';

const USAGE = `Usage:
  moodshift edit IN "REQUEST" [-o OUT]      edit a picture, e.g. moodshift edit cat.png "make it sadder" -o sad.png
                                            (without -o: into ./moodshift-output/)
  moodshift parse "TEXT" [--current EMOTION] print what the bot understands, as one JSON object
  moodshift parse --jsonl                   read {"text": …, "current"?: …} lines on stdin, write one Intent per line
  moodshift chat IMAGE [--dir DIR]          a conversation over one picture in the terminal;
                                            pictures go to DIR (default ./moodshift-output/)
  moodshift models check [DIR]              verify ONNX model files against the manifest
  moodshift models fetch [--backend B]      download a backend's model files
  moodshift audit [--scope SCOPE] [--since TIME] [--limit N]
                                            export the moderation audit log as JSON lines (needs REDIS_URL)
  moodshift worker                          serve renders from the Redis queue (GPU hosts)
  moodshift migrate-redis [--prefix P]      rename, once, the Redis keys of moodshift 0.1 to 0.2's (bots and workers stopped)
  moodshift eval DATASET [--renderer R --planner P --normaliser N] [--emotions E,…] [--out DIR]
                                            score edits of a photo folder or an L-AVC .jsonl (the EPEM
                                            paper's Table 1) into DIR/report.html (default
                                            ./moodshift-output/eval-<time>); moodshift eval --help for more`;

/** Where `edit` without -o and `chat` write their pictures, in the current directory (git-ignored). */
export const OUTPUT_DIR = 'moodshift-output';

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

export async function runCli(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'edit':
      return editCommand(rest, io);
    case 'parse':
      return parseCommandLine(rest, io);
    case 'chat':
      return chatCommand(rest, io);
    case 'models': {
      const { runModelsCommand } = await import('./onnx/models-command.ts');
      const { modelsDir, modelsBaseUrl } = loadConfig();
      return runModelsCommand(rest, io, { modelsDir, ...(modelsBaseUrl ? { modelsBaseUrl } : {}) });
    }
    case 'audit': {
      const { runAuditCommand } = await import('./moderation/audit-command.ts');
      try {
        return await runAuditCommand(rest, io);
      } catch (error) {
        if (!(error instanceof UnavailableError)) throw error;
        // Nothing was exported: one sentence that says what to start, no stack trace.
        io.stderr.write(
          `Nothing exported: ${error.message} Start Redis (docker compose up -d redis) or point REDIS_URL at it.\n`,
        );
        return 1;
      }
    }
    case 'eval': {
      const { runEvalCommand } = await import('./eval/eval-command.ts');
      return runEvalCommand(rest, io);
    }
    case 'worker': {
      const { runWorker } = await import('./queue/worker.ts');
      return runWorker(rest, io);
    }
    case 'migrate-redis': {
      const { runMigrateRedisCommand } = await import('./redis/migrate-command.ts');
      return runMigrateRedisCommand(rest, io);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      io.stderr.write(`Unknown command "${command}".\n${USAGE}\n`);
      return 2;
  }
}

async function cliEngine(): Promise<Engine> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevelSet ? config.logLevel : 'warn', fd: 2 });
  return createEngine(config, { logger });
}

function fileAttachment(path: string, bytes: Buffer): ImageAttachment {
  return { declaredBytes: bytes.length, name: basename(path), fetch: async () => bytes };
}

function cliTurn(text: string, messageId: string, images: ImageAttachment[] = []): Turn {
  return {
    key: { platform: 'cli', chat: 'local', user: 'local' },
    messageId,
    text,
    images,
    actor: { id: 'local', name: 'you', isModerator: true },
  };
}

const EXTENSION_FORMATS: Record<string, 'jpeg' | 'png' | 'webp'> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.png': 'png',
  '.webp': 'webp',
};

/** Writes a reply's picture; converts it when OUT's extension names another format. */
async function writeReplyImage(reply: Reply, out: string): Promise<void> {
  const image = reply.image!;
  const wanted = EXTENSION_FORMATS[extname(out).toLowerCase()];
  const current = image.type.split('/')[1];
  if (wanted && wanted !== current) {
    const { default: sharp } = await import('sharp');
    await writeFile(out, await sharp(image.bytes).toFormat(wanted).toBuffer());
  } else {
    await writeFile(out, image.bytes);
  }
}

/** The file's bytes, or undefined after telling the person the path cannot be read. */
async function readPicture(path: string, io: Io): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    io.stderr.write(`Cannot read "${path}": check the path.\n`);
    return undefined;
  }
}

function printReply(reply: Reply, io: Io): void {
  const stream = reply.kind === 'error' ? io.stderr : io.stdout;
  stream.write(reply.text + '\n');
}

async function editCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' } },
  });
  const [input, request] = positionals;
  if (!input || request === undefined) {
    io.stderr.write(`moodshift edit needs a picture and a request.\n${USAGE}\n`);
    return 2;
  }
  const bytes = await readPicture(input, io);
  if (!bytes) return 2;
  const engine = await cliEngine();
  try {
    const [reply] = await engine.editor.handle(cliTurn(request, '1', [fileAttachment(input, bytes)]));
    if (!reply || reply.kind !== 'edit' || !reply.image) {
      if (reply) printReply(reply.kind === 'ask' ? { ...reply, kind: 'error' } : reply, io);
      return 1;
    }
    let out = values.output;
    if (out === undefined) {
      await mkdir(resolve(OUTPUT_DIR), { recursive: true });
      out = join(OUTPUT_DIR, `${basename(input, extname(input))}-${reply.image.name.replace(/^moodshift-/, '')}`);
    }
    await writeReplyImage(reply, out);
    io.stdout.write(`${reply.text}\nwrote ${out}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}

async function parseCommandLine(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { current: { type: 'string' }, jsonl: { type: 'boolean', default: false } },
  });
  const normaliser = new RulesNormaliser();
  if (values.current !== undefined && !isEmotion(values.current)) {
    io.stderr.write(`--current must be one of the eight emotions, not "${values.current}".\n`);
    return 2;
  }
  if (!values.jsonl) {
    if (positionals.length === 0) {
      io.stderr.write(`moodshift parse needs the text to parse, or --jsonl.\n${USAGE}\n`);
      return 2;
    }
    const intent = await normaliser.normalise(positionals.join(' '), { current: values.current, hasImage: true });
    io.stdout.write(JSON.stringify(intentToJson(intent)) + '\n');
    return 0;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  let bad = 0;
  for await (const line of lines) {
    lineNumber++;
    if (!line.trim()) continue;
    let text: unknown;
    let current: unknown;
    try {
      ({ text, current } = JSON.parse(line) as { text?: unknown; current?: unknown });
    } catch {
      text = undefined;
    }
    if (typeof text !== 'string') {
      io.stderr.write(`line ${lineNumber}: expected {"text": "...", "current"?: "emotion"}\n`);
      io.stdout.write(JSON.stringify({ kind: 'unknown' }) + '\n');
      bad++;
      continue;
    }
    const intent = await normaliser.normalise(text, {
      current: isEmotion(current) ? current : undefined,
      hasImage: true,
    });
    io.stdout.write(JSON.stringify(intentToJson(intent)) + '\n');
  }
  return bad > 0 ? 1 : 0;
}

async function chatCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { dir: { type: 'string' } } });
  const [input] = positionals;
  if (!input) {
    io.stderr.write(`moodshift chat needs a picture.\n${USAGE}\n`);
    return 2;
  }
  const bytes = await readPicture(input, io);
  if (!bytes) return 2;
  const outDir = values.dir ?? OUTPUT_DIR;
  await mkdir(resolve(outDir), { recursive: true });
  const engine = await cliEngine();
  let turnNumber = 0;
  let pictureNumber = 0;
  const show = async (replies: Reply[]) => {
    for (const reply of replies) {
      if (reply.image) {
        const extension = extname(reply.image.name) || `.${reply.image.type.split('/')[1] ?? 'png'}`;
        const out = join(outDir, `picture-${++pictureNumber}${extension}`);
        await writeFile(out, reply.image.bytes);
        io.stdout.write(`Picture ${pictureNumber}: ${reply.text}\n→ ${out}\n`);
      } else {
        printReply(reply, io);
      }
      if (reply.actions.length) io.stdout.write(`(you can say: ${reply.actions.join(', ')}, or another feeling)\n`);
    }
  };
  try {
    io.stdout.write(`Type /quit or press Ctrl+D to leave. Pictures go to ${outDir}/.\n`);
    await show(await engine.editor.handle(cliTurn('', String(++turnNumber), [fileAttachment(input, bytes)])));
    const lines = createInterface({
      input: process.stdin,
      output: process.stdout,
      prompt: 'you> ',
      terminal: process.stdin.isTTY,
    });
    lines.prompt();
    for await (const line of lines) {
      const text = line.trim();
      if (['quit', 'exit', ':q', '/quit', '/exit'].includes(text.toLowerCase())) break;
      if (['help', '/help', '?'].includes(text.toLowerCase())) {
        io.stdout.write(CLI_CHAT_HELP + '\n');
        lines.prompt();
        continue;
      }
      if (text) await show(await engine.editor.handle(cliTurn(text, String(++turnNumber))));
      lines.prompt();
    }
    return 0;
  } finally {
    await engine.close();
  }
}

const isMain = process.argv[1] && /(?:cli\.ts|moodshift(?:\.js)?)$/.test(process.argv[1]);
if (isMain) {
  loadDotenv({ quiet: true });
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        error instanceof ConfigError
          ? `${error.message}\n`
          : `moodshift: ${String((error as Error)?.stack ?? error)}\n`,
      );
      process.exit(1);
    },
  );
}
