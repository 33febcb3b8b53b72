/** The newest complete backup of a target, for failure reports ("last good backup, N hours old"). */
import { newestComplete, readCatalog } from '../catalog/backup-catalog.js';
import { Inputs, targetSettings, type RawInputs } from '../config/settings.js';
import type { Logger } from '../log.js';
import { openStore } from '../storage/open/open-store.js';
import { errorMessage } from '../util/error-text.js';

export async function findLastGoodBackup(raw: RawInputs, now: Date, log: Logger): Promise<{ key: string; ageHours: number; location: string } | undefined> {
  try {
    const store = await openStore(targetSettings(new Inputs(raw)));
    const newest = newestComplete(await readCatalog(store));
    if (!newest) return undefined;
    return { key: newest.objectKey, ageHours: (now.getTime() - newest.at.getTime()) / 3_600_000, location: store.location };
  } catch (error) {
    log.warn(`could not look up the last good backup: ${errorMessage(error)}`);
    return undefined;
  }
}

/** The target as written in the inputs, for alerts; never throws. */
export function describeTarget(raw: RawInputs): string {
  return (raw.target ?? '').trim() || '(no target)';
}
