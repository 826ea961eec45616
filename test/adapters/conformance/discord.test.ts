/** Discord (real discord.js against the fake Discord) runs the adapter conformance suite (see `stories.ts`). */
import { discordDriver } from './discord-driver.ts';
import { runAdapterConformance } from './stories.ts';

runAdapterConformance('discord', discordDriver);
