/**
 * @module `npm run try:telegram`: the real bot (`adapters/main.ts`, as `npm start` runs it) against
 * the fake Telegram Bot API server of the tests, with a short scripted conversation — so a
 * newcomer sees the Telegram adapter work without a token or a network. The transcript is
 * printed and every picture the bot sends is saved under `moodshift-output/try-telegram/`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FakeBotApi, type FakeMessage } from '../test/fakes/telegram/fake-bot-api.ts';
import { STEP_TIMEOUT_MS, playConversation, repositoryRoot } from './try-script.ts';

const isProgress = (m: FakeMessage) => m.text !== undefined && /^(Planning|Rendering|Queued)/.test(m.text);
const buttonsOf = (message: FakeMessage) => (message.reply_markup?.inline_keyboard ?? []).flat();

const fake = await FakeBotApi.start();
const chat = fake.privateChat();
const photo = await sharp(readFileSync(join(repositoryRoot, 'test/fixtures/images/astronaut.png')))
  .resize({ width: 512 })
  .jpeg({ quality: 88 })
  .toBuffer();
let lastPicture: FakeMessage | undefined;

await playConversation({
  name: 'Telegram',
  person: 'Alice',
  env: { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot },
  banner: `Fake Telegram Bot API on ${fake.apiRoot}`,
  ready: () => fake.waitFor(() => fake.callsOf('getUpdates').length > 0, 'the bot to start polling', STEP_TIMEOUT_MS),
  describe: (step) =>
    step.kind === 'photo'
      ? `[sends a photo] ${step.text}`
      : step.kind === 'button'
        ? `[presses "${step.label}"]`
        : step.text,
  async act(step) {
    const after = fake.lastMessageId(chat);
    if (step.kind === 'photo') await fake.userSendsPhoto(photo, { caption: step.text });
    else if (step.kind === 'text') fake.userSendsText(step.text);
    else {
      const data = lastPicture && buttonsOf(lastPicture).find((b) => b.text === step.label)?.callback_data;
      if (!lastPicture || !data) throw new Error(`the bot's last picture has no "${step.label}" button`);
      fake.userPressesButton(lastPicture, data);
    }
    const answer = await fake.waitForBotMessage(
      chat,
      after,
      (m) => !isProgress(m),
      'the bot to answer',
      STEP_TIMEOUT_MS,
    );
    const fileId = answer.photo?.at(-1)?.file_id ?? answer.document?.file_id;
    if (fileId) lastPicture = answer;
    return {
      text: answer.caption ?? answer.text ?? '',
      buttons: buttonsOf(answer).map((b) => b.text),
      ...(fileId ? { picture: { bytes: fake.fileBytes(fileId), fileName: 'moodshift.jpg' } } : {}),
    };
  },
  close: () => fake.close(),
});
