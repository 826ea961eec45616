/** Telegram (real grammY against the fake Bot API) runs the adapter conformance suite (see `stories.ts`). */
import { runAdapterConformance } from './stories.ts';
import { telegramDriver } from './telegram-driver.ts';

runAdapterConformance('telegram', telegramDriver);
