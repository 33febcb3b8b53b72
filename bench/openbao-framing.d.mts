/** The snapshot body re-chunked as OpenBao 2.x sends it (see openbao-framing.mjs). */
export function openBaoChunks(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer>;
