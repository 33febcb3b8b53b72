import { Transform, type TransformCallback, type Writable } from 'node:stream';

/** Passes data on unchanged while also writing it to `copy`, waiting for `copy` when it is full. */
export class TapStream extends Transform {
  constructor(private readonly copy: Writable) {
    super();
    copy.once('error', (error) => this.destroy(error));
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    if (this.copy.write(chunk)) return done(null, chunk);
    this.copy.once('drain', () => done(null, chunk));
  }
}
