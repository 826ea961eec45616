/** The web chat runs the adapter conformance suite over real HTTP (see `stories.ts`). */
import { describe } from 'node:test';
import { runAdapterConformance } from './stories.ts';
import { WEB_CAPABILITIES, webDriver } from './web-driver.ts';

// The file's own suite holds the shared stories, so that the test reporter files them under this file.
describe('web chat', () => {
  runAdapterConformance('web', WEB_CAPABILITIES, webDriver);
});
