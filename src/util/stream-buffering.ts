/**
 * Buffering between pipeline stages. With Node's 16 KiB default every 1 MiB chunk stalls the stage
 * before it, so hashing, encryption and file I/O (on the thread pool) never overlap; a few MiB let them
 * run side by side while memory stays bounded (measured in docs/BENCHMARKS.md).
 */
export const STAGE_HIGH_WATER_MARK = 4 * 1024 * 1024;
