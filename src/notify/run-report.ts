/** What a run ended with, in the form every alert channel (Slack, incident issues, job summary) renders. */
export interface RunReport {
  command: string;
  ok: boolean;
  /** Where backups live: s3://bucket/prefix/ or a directory. */
  target: string;
  /** Link to the run (GitHub Actions run page), when known. */
  runUrl?: string;
  /** One-line headline, e.g. "backup vault-snapshot-20251126-020000 complete". */
  headline: string;
  /** Label/value pairs worth showing (sizes, keys, durations). Never secrets. */
  facts: Array<[string, string]>;
  error?: { component: string; message: string; hint?: string };
  lastGoodBackup?: { key: string; ageHours: number };
}

export function describeAge(hours: number): string {
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} days`;
}
