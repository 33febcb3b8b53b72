/**
 * Keeps V8's young generation at the size it starts with. V8 doubles it whenever enough objects have
 * survived a collection (to 16 MiB within the first second of a backup) and keeps it for the run; this
 * program's objects are few and short-lived (the bytes live outside V8's heap), so the larger young
 * generation bought no time and cost its size in resident memory (measured in docs/BENCHMARKS.md).
 * V8 reads this flag each time it would grow the space, so setting it at start-up takes effect; it is
 * imported first by each entry point.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
