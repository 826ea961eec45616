// The vision worker's entry point. Node 20 does not pass the main thread's `--import tsx` hooks
// on to worker threads, so the worker registers tsx itself before it loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./vision-worker.ts');
