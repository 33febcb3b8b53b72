/**
 * The restore test's inventories as records at the target: each carries a MAC under a key derived from the
 * backup it was taken from (docs/FORMAT.md, "Records"), so only a holder of a key that opens that backup can
 * write one the next restore test compares with. One that does not authenticate (planted, edited, or its
 * backup pruned) is reported and passed over; an older one that does is used instead.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { openStoredHeader } from '../catalog/authenticate.js';
import type { DataKeyOpener } from '../crypto/data-keys.js';
import { recordKey } from '../crypto/open-header.js';
import type { Logger } from '../log.js';
import { INVENTORY_PREFIX, inventoryKey, isInventoryKey, parseBackupKey } from '../naming/backup-names.js';
import type { BackupStore } from '../storage/backup-store.js';
import { CryptoError } from '../crypto/errors.js';
import type { Inventory } from './inventory.js';
import { canonicalJson } from '../util/canonical-json.js';

const LABEL = 'inventory';
/** Inventories tried, newest first, before the comparison is given up. */
const CANDIDATES = 5;

const path = z.string().min(1).max(1024);
const inventorySchema = z.object({
  takenAt: z.iso.datetime({ offset: true }),
  backupKey: path,
  mounts: z.array(z.object({ path, type: z.string().max(128) })).max(100_000),
  authMethods: z.array(z.object({ path, type: z.string().max(128) })).max(100_000),
  policyCount: z.number().int().min(0).max(10_000_000),
  kvSecrets: z.array(z.object({ mount: path, count: z.number().int().min(0).max(1_000_000_000), truncated: z.boolean() })).max(100_000),
});
const recordSchema = inventorySchema.extend({ mac: z.string().regex(/^[0-9a-f]{64}$/) });

/** Why an inventory at the target is not one to compare with (anything else, such as a store outage, fails the run). */
class UntrustedInventory extends Error {}

const mac = (key: Buffer, inventory: Inventory) => createHmac('sha256', key).update(canonicalJson(inventory)).digest('hex');

/** The backup an inventory was taken from, found in the target and opened: its record key. */
async function keyOf(store: BackupStore, opener: DataKeyOpener, backupKey: string): Promise<Buffer> {
  const parsed = parseBackupKey(backupKey);
  if (!parsed || parsed.kind !== 'backup') throw new UntrustedInventory(`it names ${JSON.stringify(backupKey)}, which is not a backup key`);
  const stored = await store.stat(backupKey, { readContent: false });
  if (!stored) throw new UntrustedInventory(`its backup ${backupKey} is no longer at the target`);
  try {
    return recordKey(await openStoredHeader(store, opener, { objectKey: backupKey, backupId: parsed.backupId, size: stored.size }), LABEL);
  } catch (error) {
    if (error instanceof CryptoError) throw new UntrustedInventory(`its backup ${backupKey} does not open: ${error.message}`);
    throw error;
  }
}

/** Stores `inventory` under a new key, with its MAC. */
export async function storeInventory(store: BackupStore, opener: DataKeyOpener, inventory: Inventory): Promise<string> {
  const key = inventoryKey(new Date(inventory.takenAt));
  const record = { ...inventory, mac: mac(await keyOf(store, opener, inventory.backupKey), inventory) };
  await store.putSmallNew(key, Buffer.from(JSON.stringify(record, null, 2) + '\n'));
  return key;
}

/** The newest inventory at the target that authenticates, or undefined; each one passed over is logged with why. */
export async function previousInventory(store: BackupStore, opener: DataKeyOpener, log: Logger): Promise<{ key: string; inventory: Inventory } | undefined> {
  const keys: string[] = [];
  for await (const object of store.list(INVENTORY_PREFIX)) if (isInventoryKey(object.key)) keys.push(object.key);
  keys.sort().reverse();
  for (const key of keys.slice(0, CANDIDATES)) {
    try {
      const text = (await store.getSmall(key, 4 * 1024 * 1024)).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new UntrustedInventory('it is not JSON');
      }
      const parsed = recordSchema.safeParse(json);
      if (!parsed.success)
        throw new UntrustedInventory(
          `it is not an authenticated inventory (${parsed.error.issues[0]?.path.join('.') || 'document'}: ${parsed.error.issues[0]?.message})`,
        );
      const { mac: stored, ...inventory } = parsed.data;
      const expected = mac(await keyOf(store, opener, inventory.backupKey), inventory);
      if (!timingSafeEqual(Buffer.from(stored, 'hex'), Buffer.from(expected, 'hex')))
        throw new UntrustedInventory('its MAC does not verify: it was not written by a restore test holding the backup key');
      return { key, inventory };
    } catch (error) {
      if (!(error instanceof UntrustedInventory)) throw error;
      log.warn(`inventory ${key} is not compared with: ${error.message}`);
    }
  }
  return undefined;
}
