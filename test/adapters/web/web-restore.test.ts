/**
 * The web chat in a real Chromium: a conversation of several edits, Undo and Redo that move the
 * Current marker instead of adding copies, a branch from an earlier picture, then a reload in the
 * middle. The page shows the whole conversation again: the person's messages and photo, every
 * picture with its caption and buttons, the current picture marked, scrolled to the end; and it
 * carries on from there.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FIXTURES, startTestWeb, type TestWeb } from './web-test-engine.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SKIP_REASON = `SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it`;

function browserTestOptions(): { skip?: string } {
  if (existsSync(CHROMIUM)) return {};
  if (process.env.CI === 'true') throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist`);
  console.warn(`\n*** ${SKIP_REASON} ***\n`);
  return { skip: SKIP_REASON };
}

const RESULTS = new URL('../../../test-results/', import.meta.url);

/** What a person sees of the conversation: their bubbles, the pictures (caption, buttons offered), the Current marker, the scroll. */
async function whatIsShown(page: Page) {
  return page.evaluate(() => {
    const chat = document.getElementById('chat')!;
    return {
      mine: Array.from(document.querySelectorAll('.msg.mine')).map((item) => ({
        text: item.querySelector('.bubble')?.textContent ?? '',
        // Before a reload the page shows its own copy (a blob: URL), after it the server's.
        photo: item.querySelector('.mine-photo img') !== null,
      })),
      pictures: Array.from(document.querySelectorAll<HTMLElement>('.card')).map((card) => ({
        number: card.dataset.picture,
        src: card.querySelector('img.result')?.getAttribute('src'),
        caption: (card.querySelector('.caption') as HTMLElement).innerText,
        offered: Array.from(card.querySelectorAll<HTMLButtonElement>('.actions button'))
          .filter((b) => b.dataset.offered === 'true')
          .map((b) => b.textContent),
        current: card.getAttribute('aria-current') === 'true',
      })),
      moved: Array.from(document.querySelectorAll('.msg.moved')).map((item) => item.textContent ?? ''),
      atEnd: chat.scrollHeight - chat.clientHeight - chat.scrollTop <= 2,
      scrollable: chat.scrollHeight > chat.clientHeight,
    };
  });
}

describe('web chat: a reload shows the whole conversation', browserTestOptions(), () => {
  let t: TestWeb;
  let browser: Browser;
  before(async () => {
    t = await startTestWeb();
    browser = await chromium.launch({
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
    mkdirSync(RESULTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('restores messages, pictures with captions and buttons, the current marker and the scroll, and carries on', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    const cards = page.locator('.card');
    const card = (n: number) => page.locator(`.card[data-picture="${n}"]`);
    const send = async (text: string) => {
      await page.locator('#message').fill(text);
      await page.locator('#message').press('Enter');
    };
    const waitForCards = (n: number) =>
      page.waitForFunction((count) => document.querySelectorAll('.card').length === count, n);
    const waitForMoves = (n: number) =>
      page.waitForFunction((count) => document.querySelectorAll('.msg.moved').length === count, n);
    const idle = () => page.waitForFunction(() => !document.querySelector('.pending'));

    await page.goto(t.web.url);
    await page.waitForSelector('body[data-ready="true"]');

    // 1. A photo and a feeling; 2. More; 3. a new feeling by text.
    await page.setInputFiles('#file', fileURLToPath(new URL('astronaut.png', FIXTURES)));
    await send('make this sadder');
    await waitForCards(1);
    await card(1).getByRole('button', { name: 'More', exact: true }).click();
    await waitForCards(2);
    await idle();
    await send('make it scary');
    await waitForCards(3);
    await idle();
    assert.match(await card(3).locator('.caption').innerText(), /fear/);

    // 4. Undo on picture 3: no copy, the marker moves to picture 2, whose Redo is now offered.
    await card(3).getByRole('button', { name: 'Undo', exact: true }).click();
    await waitForMoves(1);
    await idle();
    assert.equal(await cards.count(), 3, 'Undo adds no card');
    assert.equal(await card(2).getAttribute('aria-current'), 'true');
    assert.equal(
      await card(2).getByRole('button', { name: 'Redo', exact: true }).isEnabled(),
      true,
      'Redo is offered where the marker is',
    );
    assert.match((await whatIsShown(page)).moved[0]!, /Back to picture 2/);

    // 5. Redo: back to picture 3, still no copy.
    await card(2).getByRole('button', { name: 'Redo', exact: true }).click();
    await waitForMoves(2);
    await idle();
    assert.equal(await card(3).getAttribute('aria-current'), 'true');

    // 6. Pick picture 1 and give it another feeling: the label says what really happens.
    await card(1).locator('button.pick').click();
    assert.match(
      await page.locator('#target-text').innerText(),
      /picture 1 .*a new feeling starts from the original photo/,
    );
    await send('make it calm');
    await waitForCards(4);
    await idle();
    assert.match(await card(4).locator('.caption').innerText(), /contentment/);

    // 7. Undo on the branch: the marker goes back to picture 1, mid-conversation.
    await card(4).getByRole('button', { name: 'Undo', exact: true }).click();
    await waitForMoves(3);
    await idle();
    assert.equal(await card(1).getAttribute('aria-current'), 'true');

    await Promise.all(
      (await page.locator('img').all()).map((img) =>
        img.evaluate((element: HTMLImageElement) => element.decode().catch(() => {})),
      ),
    );
    const before = await whatIsShown(page);
    assert.equal(before.pictures.length, 4);
    assert.deepEqual(
      before.mine.map((m) => m.text),
      ['make this sadder', 'More', 'make it scary', 'Undo', 'Redo', 'make it calm', 'Undo'],
    );

    // Reload with the same cookie.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByText('Welcome back').waitFor();
    const restored = await whatIsShown(page);

    assert.deepEqual(restored.mine, before.mine, "the person's messages, and their photo");
    assert.ok(restored.mine[0]!.photo, 'the photo the person sent is shown');
    assert.ok(
      await page
        .locator('.msg.mine .mine-photo img')
        .first()
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 512),
      'the photo loads: the 512-pixel astronaut',
    );
    assert.deepEqual(
      restored.pictures,
      before.pictures,
      'every picture with its number, caption, buttons and the Current marker',
    );
    assert.deepEqual(
      restored.pictures.filter((p) => p.current).map((p) => p.number),
      ['1'],
      'picture 1 is current, as the server says',
    );
    assert.equal(restored.moved.length, 3, 'the three Undo/Redo moves are told again');
    for (const picture of await cards.locator('img.result').all()) {
      assert.ok(
        await picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
        'each picture loads',
      );
    }
    assert.ok(restored.scrollable, 'the conversation is longer than the window');
    assert.equal(restored.atEnd, true, 'scrolled to the end');
    await page.screenshot({ path: fileURLToPath(new URL('web-chat-restored.png', RESULTS)) });

    // The restored buttons work: More on the current picture 1 makes picture 5.
    await card(1).getByRole('button', { name: 'More', exact: true }).click();
    await waitForCards(5);
    assert.match(await card(5).locator('.caption').innerText(), /sadness · strong/);
    assert.equal(await card(5).getAttribute('aria-current'), 'true');
    assert.deepEqual(problems, [], 'no script errors and no Content-Security-Policy violations');
    await context.close();
  });
});
