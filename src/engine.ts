/**
 * @module Builds the engine from the configuration: the store, normaliser, planner, renderer
 * and moderation chosen by the operator, wired into one `Editor`. Backends that need heavy
 * modules (ONNX Runtime, LangChain, BullMQ) are imported only when configured.
 */
import { loadConfig, type AppConfig } from './config.ts';
import { Conversations } from './conversations.ts';
import { Editor } from './editor.ts';
import type { Normaliser } from './intent.ts';
import { createLogger, type Logger } from './logger.ts';
import type { Moderation } from './moderation/moderation.ts';
import { createModeration } from './moderation/create-moderation.ts';
import { RulesNormaliser } from './normaliser/rules-normaliser.ts';
import { KnowledgePlanner } from './planner/knowledge-planner.ts';
import type { Planner } from './planner/planner.ts';
import { RedisConnection } from './redis/redis-connection.ts';
import { DecodeGate } from './image/decode-gate.ts';
import { GatedRenderer } from './renderer/gated-renderer.ts';
import type { Renderer } from './renderer/renderer.ts';
import { ToneRenderer } from './renderer/tone-renderer.ts';
import { createConversationStore } from './store/create-store.ts';
import type { ConversationStore } from './store/conversation-store.ts';

export interface Engine {
  config: AppConfig;
  logger: Logger;
  editor: Editor;
  /** The conversations as adapters may read them (history, pictures, readiness); adapters never use `store`. */
  conversations: Conversations;
  store: ConversationStore;
  moderation: Moderation;
  normaliser: Normaliser;
  planner: Planner;
  renderer: Renderer;
  /** The one Redis connection the store, moderation and the queue share (`REDIS_URL`), when configured. */
  redis?: RedisConnection;
  /** Closes every backend the engine opened. */
  close(): Promise<void>;
}

/** Parts to use instead of the configured ones (tests, benchmarks, embedding). */
export type EngineParts = Partial<
  Pick<Engine, 'logger' | 'store' | 'moderation' | 'normaliser' | 'planner' | 'renderer'>
>;

export async function createEngine(config: AppConfig = loadConfig({}), parts: EngineParts = {}): Promise<Engine> {
  const logger = parts.logger ?? createLogger({ level: config.logLevel });
  const opened: Array<{ close?: () => Promise<void> }> = [];
  const own = <T extends { close?: () => Promise<void> }>(part: T): T => {
    opened.push(part);
    return part;
  };
  // Opened first, so that it closes last; it looks at the server's settings once, in the background.
  const redis = config.redisUrl ? own(new RedisConnection({ url: config.redisUrl, logger })) : undefined;
  if (redis) void redis.checkServer(60_000).catch(() => undefined);
  const store =
    parts.store ??
    own(
      createConversationStore({
        redis,
        ttlSeconds: Math.round(config.stateTtlDays * 24 * 3600),
        imageTtlSeconds: Math.round(config.stateTtlDays * 24 * 3600),
        maxImageBytes: Math.round(config.pictureBudgetMegabytes * 1024 * 1024),
        picturesPerConversation: config.picturesPerConversation,
      }),
    );
  const moderation =
    parts.moderation ??
    own(
      await createModeration({
        redis,
        policyFile: config.policyFile,
        logger,
        pictureModel: config.pictureModel,
        pictureCheckTimeoutMs: config.pictureCheckTimeoutSeconds * 1000,
        pictureWarmUp: true,
      }),
    );
  const normaliser = parts.normaliser ?? (await createNormaliser(config, logger));
  const planner = parts.planner ?? own(await createPlanner(config, logger));
  // Picture checks and local renders share one bound on work in libuv's thread pool (MOODSHIFT_MAX_CONCURRENT_DECODES).
  const decodeGate = new DecodeGate(config.maxConcurrentDecodes);
  const renderer = parts.renderer ?? own(await createRenderer(config, store, logger, redis, decodeGate));
  const editor = new Editor({
    store,
    normaliser,
    planner,
    renderer,
    moderation,
    logger,
    decodeGate,
    imageLimits: {
      maxBytes: Math.round(config.maxImageMegabytes * 1024 * 1024),
      maxPixels: Math.round(config.maxMegapixels * 1_000_000),
      maxSide: config.maxSide,
      maxShrinkablePixels: Math.round(config.maxJpegMegapixels * 1_000_000),
      decodeTimeoutSeconds: config.decodeTimeoutSeconds,
    },
  });
  return {
    config,
    logger,
    editor,
    conversations: new Conversations(store),
    store,
    moderation,
    normaliser,
    planner,
    renderer,
    redis,
    close: async () => {
      for (const part of opened.reverse()) await part.close?.();
    },
  };
}

async function createNormaliser(config: AppConfig, logger: Logger): Promise<Normaliser> {
  const rules = new RulesNormaliser();
  if (config.normaliser === 'rules') return rules;
  const { createLlmNormaliser } = await import('./normaliser/llm-normaliser.ts');
  return createLlmNormaliser({ config, fallback: rules, logger });
}

async function createPlanner(config: AppConfig, logger: Logger): Promise<Planner> {
  const knowledge = new KnowledgePlanner();
  switch (config.planner) {
    case 'knowledge':
      return knowledge;
    case 'onnx': {
      const { createOnnxPlanner } = await import('./onnx/onnx-planner.ts');
      return createOnnxPlanner({
        modelsDir: config.modelsDir,
        executionProvider: config.executionProvider,
        fallback: knowledge,
        logger,
      });
    }
    case 'llm': {
      const { createLlmPlanner } = await import('./planner/llm-planner.ts');
      return createLlmPlanner({ config, fallback: knowledge, logger });
    }
  }
}

async function createRenderer(
  config: AppConfig,
  store: ConversationStore,
  logger: Logger,
  redis: RedisConnection | undefined,
  gate: DecodeGate,
): Promise<Renderer> {
  switch (config.renderer) {
    case 'tone': {
      // Its decodes run in libuv's thread pool: through the same gate as the pictures people send.
      const tone = new ToneRenderer();
      return new GatedRenderer(tone, { gate, timeoutSeconds: tone.options.timeoutSeconds });
    }
    case 'diffusion': {
      const { createDiffusionRenderer } = await import('./onnx/diffusion-renderer.ts');
      return createDiffusionRenderer({
        modelsDir: config.modelsDir,
        executionProvider: config.executionProvider,
        logger,
      });
    }
    case 'queue': {
      const { createQueueRenderer } = await import('./queue/queue-renderer.ts');
      return createQueueRenderer({ config, pictures: store.pictures, logger, redis });
    }
  }
}
