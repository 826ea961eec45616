/**
 * @module Runs the fake OpenAI-compatible server on its own, answering normaliser prompts as the
 * rules normaliser reads them, so that scripts can be tried without a real model:
 *
 *     node --import tsx test/fakes/openai/serve-fake-openai.ts [port]
 *     LLM_BASE_URL=http://127.0.0.1:<port>/v1 npm run eval:normaliser
 *
 * Prints the base URL on the first line; stops on Ctrl-C.
 */
import { FakeOpenAiServer } from './fake-openai-server.ts';
import { answersLikeTheRules } from './rules-model.ts';

const server = await new FakeOpenAiServer().start(Number(process.argv[2] ?? 0));
server.answerWith(answersLikeTheRules);
console.log(server.baseUrl);
const stop = (): void => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
