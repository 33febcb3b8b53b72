import { installInterruptHandlers } from '../src/util/interrupts.js';
import { ActionsLogger } from './actions-logger.js';
import { run } from './main.js';

// GitHub cancels a job with SIGINT, then SIGTERM: stop what was started and remove what was left.
installInterruptHandlers(new ActionsLogger());
await run();
