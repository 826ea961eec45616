import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FIXTURES, GatedRenderer, startTestWeb, type TestWeb } from './web-test-engine.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SKIP_REASON = `SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it`;

function browserTestOptions(): { skip?: string } {
  if (existsSync(CHROMIUM)) return {};
  if (process.env.CI === 'true') throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist`);
  console.warn(`\n*** ${SKIP_REASON} ***\n`);
  return { skip: SKIP_REASON };
}

const RESULTS = new URL('../../../test-results/', import.meta.url);

describe('web chat in a real Chromium', browserTestOptions(), () => {
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

  /** Opens the page and collects console errors (a CSP violation is one). */
  async function openChat(viewport: { width: number; height: number }, colorScheme: 'light' | 'dark' = 'light') {
    const context = await browser.newContext({ viewport, colorScheme });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(t.web.url);
    await page.waitForSelector('body[data-ready="true"]');
    return { context, page, problems };
  }

  const cards = (page: Page) => page.locator('.card');

  it('edits a photo end to end: upload, ask, More, Undo, and a refused text file', async () => {
    const { context, page, problems } = await openChat({ width: 1000, height: 1300 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'message', 'the message box has the focus');

    await page.setInputFiles('#file', fileURLToPath(new URL('astronaut.png', FIXTURES)));
    await page.locator('#attachment').waitFor({ state: 'visible' });
    await page.locator('#message').fill('make this sadder');
    await page.keyboard.press('Enter');

    await cards(page).first().waitFor();
    const first = cards(page).first();
    await first.locator('img.result').evaluate((img: HTMLImageElement) => img.decode());
    assert.ok(await first.locator('img.result').evaluate((img: HTMLImageElement) => img.naturalWidth === 512));
    assert.match(await first.locator('.caption').innerText(), /sadness/);
    const firstSource = await first.locator('img.result').getAttribute('src');

    await first.getByRole('button', { name: 'More', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('.card').length === 2);
    const second = cards(page).nth(1);
    assert.match(await second.locator('.caption').innerText(), /strong/);
    assert.notEqual(await second.locator('img.result').getAttribute('src'), firstSource);

    await second.getByRole('button', { name: 'Undo', exact: true }).click();
    await page.locator('.msg.moved').getByText('Back to picture 1').waitFor();
    assert.equal(await cards(page).count(), 2, 'Undo adds no copy of a picture already shown');
    assert.equal(
      await first.getAttribute('aria-current'),
      'true',
      'Undo moves the Current marker to the earlier picture',
    );
    assert.equal(await second.getAttribute('aria-current'), null);

    // The before/after view of the second picture.
    await second.getByRole('button', { name: 'Before / after' }).click();
    const slider = second.getByRole('slider');
    await slider.waitFor();
    await second.locator('.compare img.before').evaluate((img: HTMLImageElement) => img.decode());

    await page.setInputFiles('#file', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not a picture\n'),
    });
    await page.locator('#message').fill('make it happier');
    await page.locator('#message').press('Enter');
    const error = page.locator('.msg.error').last();
    await error.waitFor();
    assert.match(await error.innerText(), /Please send a JPEG, PNG, WebP, GIF or TIFF picture/);

    await page.screenshot({ path: fileURLToPath(new URL('web-chat.png', RESULTS)) });
    const cspProblems = problems.filter((text) => !/status of 415/.test(text));
    assert.deepEqual(cspProblems, [], 'no script errors and no Content-Security-Policy violations');
    await context.close();
  });

  it('shows progress while a slow render runs', async () => {
    const renderer = new GatedRenderer();
    const slow = await startTestWeb({}, {}, { renderer });
    const context = await browser.newContext({ viewport: { width: 800, height: 800 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      await page.goto(slow.web.url);
      await page.waitForSelector('body[data-ready="true"]');
      await page.setInputFiles('#file', fileURLToPath(new URL('rocket.jpg', FIXTURES)));
      await page.locator('#message').fill('make it scary');
      await page.locator('#message').press('Enter');
      await page.locator('.pending').getByText('Rendering: step 3 of 8…').waitFor();
      assert.equal(await page.locator('.pending .meter').isVisible(), true, 'a progress bar shows the steps');
      assert.equal(await page.locator('#send').isDisabled(), true, 'one turn at a time');
      renderer.open();
      await cards(page).first().waitFor();
      assert.equal(await page.locator('.pending').count(), 0);
      assert.equal(await page.locator('#send').isDisabled(), false);
    } finally {
      renderer.open();
      await context.close();
      await slow.close();
    }
  });

  it('works with the keyboard alone on a phone-sized dark screen', async () => {
    const { context, page } = await openChat({ width: 390, height: 780 }, 'dark');
    await page.setInputFiles('#file', fileURLToPath(new URL('chelsea.png', FIXTURES)));
    await page.keyboard.type('make it calm');
    await page.keyboard.press('Enter');
    await cards(page).first().waitFor();
    const card = cards(page).first();
    await card.locator('img.result').evaluate((img: HTMLImageElement) => img.decode());
    const width = await card.evaluate((element) => element.getBoundingClientRect().width);
    assert.ok(width <= 390, `the picture card fits the screen (${width}px)`);
    assert.equal(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      true,
      'no sideways scrolling',
    );

    // Tab to the picture itself and pick it with Enter: the next request will act on it.
    await card.locator('button.pick').focus();
    await page.keyboard.press('Enter');
    await page.locator('#target').waitFor({ state: 'visible' });
    assert.match(await page.locator('#target-text').innerText(), /picture 1/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'message');
    await page.keyboard.press('Escape');
    await page.locator('#target').waitFor({ state: 'hidden' });

    await page.screenshot({ path: fileURLToPath(new URL('web-chat-phone.png', RESULTS)) });

    // Coming back later (same cookie) shows where the conversation left off.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByText('Welcome back').waitFor();
    assert.match(await cards(page).first().locator('.caption').innerText(), /contentment/);
    await context.close();
  });
});
