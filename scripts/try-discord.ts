/**
 * @module `npm run try:discord`: the real bot (`adapters/main.ts`, as `npm start` runs it) against
 * the fake Discord REST and gateway servers of the tests, with a short scripted conversation (a
 * `/mood edit` slash command, a button, a follow-up and an undo) — so a newcomer sees the Discord
 * adapter work without a token or a network. The transcript is printed and every picture the
 * bot sends is saved under `moodshift-output/try-discord/`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { BOT_TOKEN, FakeDiscord, type FakeMessage } from '../test/fakes/discord/fake-discord.ts';
import { STEP_TIMEOUT_MS, playConversation, repositoryRoot } from './try-script.ts';

const fake = await new FakeDiscord().start();
const { guild, channel } = fake.addGuild('Try server');
const alice = fake.addUser('alice');
fake.addMember(guild, alice);
const photoBytes = await sharp(readFileSync(join(repositoryRoot, 'test/fixtures/images/astronaut.png')))
  .resize({ width: 512 })
  .png()
  .toBuffer();
let lastPicture: FakeMessage | undefined;

await playConversation({
  name: 'Discord',
  person: 'alice',
  env: {
    DISCORD_TOKEN: BOT_TOKEN,
    DISCORD_APPLICATION_ID: fake.applicationId,
    DISCORD_API_ROOT: fake.apiRoot,
    DISCORD_ATTACHMENT_HOSTS: fake.attachmentHost,
  },
  banner: `Fake Discord on ${fake.apiRoot}`,
  ready: () => fake.waitForSession(undefined, STEP_TIMEOUT_MS),
  describe(step) {
    if (step.kind === 'photo') return `/mood edit image:astronaut.png feeling:${step.text}`;
    if (step.kind === 'button') return `[presses "${step.label}"]`;
    return `/mood edit feeling:${step.text}`;
  },
  async act(step) {
    let interaction;
    if (step.kind === 'photo') {
      const attachment = fake.uploadFile(photoBytes, 'astronaut.png', 'image/png');
      interaction = fake.slashCommand({
        user: alice,
        channel,
        command: 'mood',
        subcommand: 'edit',
        options: { image: { attachment }, feeling: step.text },
      });
    } else if (step.kind === 'button') {
      if (!lastPicture) throw new Error('there is no picture to press a button on');
      interaction = fake.pressButton({ user: alice, message: lastPicture, label: step.label });
    } else {
      // A follow-up without a picture edits the person's last one; no privileged intent needed.
      interaction = fake.slashCommand({
        user: alice,
        channel,
        command: 'mood',
        subcommand: 'edit',
        options: { feeling: step.text },
      });
    }
    const answer = await fake.waitForPicture(interaction, STEP_TIMEOUT_MS);
    lastPicture = answer;
    const attachment = answer.attachments[0];
    return {
      text: answer.content,
      buttons: answer.components.flatMap((row) => row.components).map((c) => (c.type === 2 ? (c.label ?? '') : 'menu')),
      ...(attachment ? { picture: { bytes: attachment.bytes, fileName: attachment.filename } } : {}),
    };
  },
  close: () => fake.close(),
});
