/** Runs `work` on every item, at most `limit` at a time, in list order of starting; results keep the items' order. The first failure rejects. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!);
    }),
  );
  return results;
}

/** Runs `work` on every item, at most `limit` at a time, in list order of starting; resolves when all are done. */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  await mapConcurrently(items, limit, work);
}
