/**
 * The web chat in a real Chromium runs the adapter conformance suite (see `stories.ts`): the same
 * stories as over HTTP, told through the page a person uses.
 */
import { describe } from 'node:test';
import { runAdapterConformance } from './stories.ts';
import { WEB_CAPABILITIES } from './web-driver.ts';
import { browserTestOptions, webBrowserDriver } from './web-browser-driver.ts';

// The file's own suite holds the shared stories, so that the test reporter files them under this file.
describe('web chat in Chromium', browserTestOptions(), () => {
  runAdapterConformance('web (Chromium)', WEB_CAPABILITIES, webBrowserDriver);
});
