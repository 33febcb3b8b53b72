import '../src/util/young-generation.js';
import { installInterruptHandlers } from '../src/util/interrupts.js';
import { ActionsLogger } from './actions-logger.js';
import { run } from './main.js';
import { actionsRunner } from './runner.js';

// GitHub cancels a job with SIGINT, then SIGTERM: stop what was started and remove what was left.
installInterruptHandlers(new ActionsLogger(actionsRunner));
await run();
