/**
 * Part sizes for stores that upload in parts, pure. A snapshot stream has no length, so the part size
 * comes from the previous backup's size (the manifest records it), with room to double: a store's
 * part-count limit (S3 10,000 parts, Azure 50,000 blocks) must not end a backup that grew. The memory
 * the parts in flight take stays near the configured part size × queue.
 */
const MiB = 1024 * 1024;

/** The growth a backup may show over the previous one before the part count could run out. */
export const PART_HEADROOM = 2;

export interface PartPlan {
  partSize: number;
  queueSize: number;
}

export function planParts(configured: PartPlan, expectedBytes: number | undefined, limits: { maxParts: number; maxPartSize: number }): PartPlan {
  if (!expectedBytes) return configured;
  const needed = Math.ceil((expectedBytes * PART_HEADROOM) / limits.maxParts);
  const partSize = Math.min(limits.maxPartSize, Math.max(configured.partSize, Math.ceil(needed / MiB) * MiB));
  if (partSize === configured.partSize) return configured;
  // Larger parts, fewer in flight: the buffer budget stays that of the configured settings (at least two in flight).
  const queueSize = Math.max(2, Math.min(configured.queueSize, Math.floor((configured.partSize * configured.queueSize) / partSize)));
  return { partSize, queueSize };
}

/** The largest object a store accepts in parts of at most `maxPartSize`, `maxParts` of them. */
export const largestUpload = (limits: { maxParts: number; maxPartSize: number }) => limits.maxParts * limits.maxPartSize;
