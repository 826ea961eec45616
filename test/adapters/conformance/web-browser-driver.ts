/**
 * @module The conformance driver of the web chat in a real Chromium: each person is a browser
 * context (its own cookie) on the page, and does what a person does there: picks a file and
 * presses Enter, clicks the buttons and the feeling chips under a picture, clicks a picture to
 * act on it with the next message. The answer is read off the page: the new card (its caption,
 * picture, offered buttons and chips), the card an Undo moves the Current marker to, or the
 * bot's text bubble; progress is what the pending bubble showed while the turn ran. A restart
 * stops the server and the engine and starts new ones on the same port and Redis while the pages
 * stay open, as a deploy under an open tab.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWeb, type RunningWebAdapter } from '../../../adapters/web/index.ts';
import { EMOTIONS, type Emotion } from '../../../src/emotions.ts';
import type { Engine } from '../../../src/engine.ts';
import { createTestEngine } from '../web/web-test-engine.ts';
import { WEB_CAPABILITIES } from './web-driver.ts';
import {
  PROGRESS_TEXT,
  type Action,
  type AdapterDriver,
  type Answer,
  moderatorCommandText,
  type ModeratorCommand,
  type Person,
} from './driver.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SKIP_REASON = `SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it`;

/** `{ skip: reason }` where there is no Chromium outside CI; throws in CI, where it must be. */
export function browserTestOptions(): { skip?: string } {
  if (existsSync(CHROMIUM)) return {};
  if (process.env.CI === 'true') throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist`);
  console.warn(`\n*** ${SKIP_REASON} ***\n`);
  return { skip: SKIP_REASON };
}

interface BrowserPerson extends Person {
  page: Promise<Page>;
}

/** Where an answer is on the page: the card of an edit, or the index of a text item in the log. */
interface BrowserAnswer extends Answer {
  editId?: string;
  item: number;
}

/** What the page shows of one answer, read in the page. */
interface Shown {
  item: number;
  editId?: string;
  text: string;
  src?: string;
  actions: string[];
  emotions: string[];
}

/** Records every text the pending bubble shows ("Working on it…", "Rendering: step 2 of 8…"). */
const RECORD_PROGRESS = `
  window.__progress = [];
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('.pending-text')) {
      const text = el.textContent ?? '';
      if (window.__progress.at(-1) !== text) window.__progress.push(text);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

/**
 * Reads the answer among the log items after the first `count`: a new card, else the card an
 * Undo or Redo moved the Current marker to, else the last text bubble. Plain JavaScript in a
 * string, run in the page as it is (the test's compiler would add helpers the page lacks).
 */
const READ_ANSWER = `(count) => {
  const items = Array.from(document.querySelectorAll('#log > li'));
  const fresh = items.slice(count).filter((li) => li.matches('.msg.bot'));
  const offered = (root, selector, attribute) =>
    Array.from(root.querySelectorAll(selector)).filter((b) => b.dataset.offered === 'true').map((b) => b.getAttribute(attribute) || '');
  const withCard = fresh.find((li) => li.querySelector('.card')) || fresh.find((li) => li.matches('.moved'));
  const card = withCard ? withCard.querySelector('.card') || document.querySelector('.card[aria-current="true"]') : null;
  if (card) {
    const img = card.querySelector('img.result');
    return {
      item: items.indexOf(withCard),
      editId: card.dataset.editId,
      text: card.querySelector('.caption').innerText,
      src: img ? img.getAttribute('src') : undefined,
      actions: offered(card, '.actions button', 'data-turn'),
      emotions: offered(card, '.chips button', 'data-emotion'),
    };
  }
  const last = fresh[fresh.length - 1];
  return { item: items.indexOf(last), text: last.querySelector('.bubble').innerText, actions: [], emotions: offered(last, '.chips button', 'data-emotion') };
}`;

export async function webBrowserDriver(options: { redisUrl?: string }): Promise<AdapterDriver> {
  const env: Record<string, string> = options.redisUrl ? { REDIS_URL: options.redisUrl } : {};
  let engine: Engine = await createTestEngine(env);
  let web: RunningWebAdapter = await startWeb(engine, { port: 0, host: '127.0.0.1', newSessionsPerMinute: 10_000 });
  const port = Number(new URL(web.url).port);
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const open = (name: string): BrowserPerson => ({
    name,
    page: (async () => {
      const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
      contexts.push(context);
      await context.addInitScript(RECORD_PROGRESS);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      // Script errors and Content-Security-Policy violations fail the next answer. A refused turn
      // (415, 403…) is logged by the browser as a failed load: that is the story, not a problem.
      page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
      page.on('console', (m) => {
        if (
          m.type() === 'error' &&
          !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
        )
          problems.push(`${name}: ${m.text()}`);
      });
      await page.goto(web.url);
      await page.waitForSelector('body[data-ready="true"]');
      return page;
    })(),
  });
  const pageOf = (as: Person) => (as as BrowserPerson).page;
  const handleOf = (on: Answer) => on as BrowserAnswer;

  /** Does `act` on the page, waits for the turn to finish, and reads the answer it added to the log. */
  const answer = async (as: Person, act: (page: Page) => Promise<void>): Promise<BrowserAnswer> => {
    const page = await pageOf(as);
    const before = (await page.evaluate(
      `({ items: document.querySelectorAll('#log > li').length, progress: window.__progress.length })`,
    )) as { items: number; progress: number };
    await act(page);
    // Polled from here: the page's Content-Security-Policy forbids the eval that waitForFunction needs.
    const done = `!document.querySelector('.pending') && Array.from(document.querySelectorAll('#log > li')).slice(${before.items}).some((li) => li.matches('.msg.bot'))`;
    const deadline = Date.now() + 20_000;
    while (!(await page.evaluate(done))) {
      if (Date.now() > deadline) throw new Error(`${as.name}: no answer on the page within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const shown = (await page.evaluate(`(${READ_ANSWER})(${before.items})`)) as Shown;
    if (problems.length) throw new Error(`the page reported: ${problems.splice(0).join(' / ')}`);
    const progress = (await page.evaluate(`window.__progress.slice(${before.progress})`)) as string[];
    let image: Buffer | undefined;
    if (shown.src) {
      const response = await page.context().request.get(new URL(shown.src, web.url).href);
      if (!response.ok()) throw new Error(`the picture ${shown.src} answered ${response.status()}`);
      image = await response.body();
    }
    return {
      item: shown.item,
      editId: shown.editId,
      text: shown.text,
      image,
      actions: shown.actions as Action[],
      emotions: shown.emotions.filter((e): e is Emotion => (EMOTIONS as readonly string[]).includes(e)),
      progressSeen: progress.some((text) => PROGRESS_TEXT.test(text)),
      private: false,
    };
  };
  const send = async (page: Page, text: string) => {
    await page.locator('#message').fill(text);
    await page.locator('#message').press('Enter');
  };
  const card = (page: Page, on: Answer) => page.locator(`.card[data-edit-id="${handleOf(on).editId}"]`);
  // Web visitors are anonymous sessions: nobody can be named to ban (`capabilities.bans`).
  const commandText = (command: ModeratorCommand) => moderatorCommandText(command);

  return {
    name: 'web (Chromium)',
    capabilities: WEB_CAPABILITIES,
    member: open,
    moderator: open,
    sendPhoto: (as, photo, text) =>
      answer(as, async (page) => {
        await page.setInputFiles('#file', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo });
        await send(page, text ?? '');
      }),
    sendFile: (as, file, text) =>
      answer(as, async (page) => {
        await page.setInputFiles('#file', { name: file.name, mimeType: file.type, buffer: file.bytes });
        await send(page, text);
      }),
    sendText: (as, text) => answer(as, (page) => send(page, text)),
    press: (as, on, action) =>
      answer(as, (page) => card(page, on).locator(`.actions button[data-turn="${action}"]`).click()),
    choose: (as, on, emotion) =>
      answer(as, async (page) => {
        const where = handleOf(on).editId ? card(page, on) : page.locator('#log > li').nth(handleOf(on).item);
        await where.locator(`.chips button[data-emotion="${emotion}"]`).click();
      }),
    replyTo: (as, on, text) =>
      answer(as, async (page) => {
        await card(page, on).locator('button.pick').click();
        await send(page, text);
      }),
    help: (as) => answer(as, (page) => send(page, '/help')),
    moderate: (as, command) => answer(as, (page) => send(page, commandText(command))),
    async restart() {
      if (!options.redisUrl) throw new Error('a restart keeps the conversations only with Redis');
      await web.stop();
      await engine.close();
      engine = await createTestEngine(env);
      web = await startWeb(engine, { port, host: '127.0.0.1', newSessionsPerMinute: 10_000 });
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await web.stop();
      await engine.close();
    },
  };
}
