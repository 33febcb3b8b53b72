import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { ByteQueue } from '../../src/util/byte-queue.js';

test('property: any mix of pushes, peeks and shifts hands out exactly the bytes pushed, in order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.record({ push: fc.uint8Array({ maxLength: 40 }) }), fc.record({ shift: fc.nat(60) }), fc.record({ peek: fc.nat(60) })), {
        maxLength: 60,
      }),
      (ops) => {
        const queue = new ByteQueue();
        let reference = Buffer.alloc(0);
        const out: Buffer[] = [];
        const expected: Buffer[] = [];
        for (const op of ops) {
          if ('push' in op) {
            queue.push(Buffer.from(op.push));
            reference = Buffer.concat([reference, Buffer.from(op.push)]);
          } else if ('shift' in op) {
            out.push(Buffer.from(queue.shift(op.shift)));
            expected.push(reference.subarray(0, op.shift));
            reference = reference.subarray(Math.min(op.shift, reference.length));
          } else {
            expect(Buffer.from(queue.peek(op.peek)).equals(reference.subarray(0, op.peek))).toBe(true);
          }
          expect(queue.length).toBe(reference.length);
        }
        expect(Buffer.concat(out).equals(Buffer.concat(expected))).toBe(true);
      },
    ),
    { numRuns: 500 },
  );
});

test('a slice inside one pushed buffer is a view of it, not a copy', () => {
  const queue = new ByteQueue();
  const data = Buffer.alloc(100, 7);
  queue.push(data);
  const slice = queue.shift(40);
  expect(slice.buffer).toBe(data.buffer);
  expect(queue.shift(60).buffer).toBe(data.buffer);
});
