#!/usr/bin/env node
import '../util/young-generation.js';
import { ConsoleLogger } from '../log.js';
import { installInterruptHandlers } from '../util/interrupts.js';
import { main } from './main.js';
import { unsupportedNode } from './node-version.js';

const tooOld = unsupportedNode(process.version);
if (tooOld) {
  process.stderr.write(`error: ${tooOld}\n`);
  process.exit(2);
}
// A cancelled job (SIGINT/SIGTERM) stops what it started and removes what it left, then exits 130/143.
installInterruptHandlers(new ConsoleLogger());
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
process.exitCode = code;
