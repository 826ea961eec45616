/** The web chat runs the adapter conformance suite over real HTTP (see `stories.ts`). */
import { runAdapterConformance } from './stories.ts';
import { webDriver } from './web-driver.ts';

runAdapterConformance('web', webDriver);
