/**
 * Buffering between pipeline stages. With Node's 16 KiB default every 1 MiB chunk stalls the stage
 * before it, so hashing, encryption and file I/O (on the thread pool) never overlap; a few MiB at the
 * slow side's input (a file, a network upload) let them run side by side while memory stays bounded.
 */
export const STAGE_HIGH_WATER_MARK = 4 * 1024 * 1024;

/**
 * Buffering in a stage that passes chunks on (the encryptor, the progress meter) and at the input of an
 * uploader whose part buffers are its slack: one chunk. More only held bytes that the store's own buffers
 * hold anyway when it is the slow side (measured in docs/BENCHMARKS.md).
 */
export const PASS_THROUGH_HIGH_WATER_MARK = 1024 * 1024;
