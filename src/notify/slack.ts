/**
 * Slack incoming-webhook messages: Block Kit with a plain-text fallback. Retries 429/5xx a bounded
 * number of times. The webhook URL is a secret: it never appears in a message or an error.
 */
import { request } from 'undici';
import { BackupError } from '../errors.js';
import { describeAge, type RunReport } from './run-report.js';
import { errorCode } from '../util/error-text.js';
import { systemSleep } from '../util/system-time.js';

export interface SlackOptions {
  webhookUrl: string;
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
}

/** Escapes Slack mrkdwn control characters (links, mentions and channel pings all start with <). */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Untrusted text as a Slack code block; Slack has no longer fences, so backticks inside become a look-alike. */
function code(text: string): string {
  return `\`\`\`${esc(text).replace(/`/g, 'ˋ')}\`\`\``;
}

/** `recovered`: this success closed an open incident, so the channel that heard of the failure hears it ended. */
export function slackMessage(report: RunReport, recovered = false): { text: string; blocks: unknown[] } {
  if (report.ok && recovered) return recoveredMessage(report);
  const status = report.ok ? 'succeeded' : 'FAILED';
  const text = esc(`vault-backup ${report.command} ${status} for ${report.target}: ${report.error ? report.error.message : report.headline}`);
  const lines: string[] = [];
  if (report.error) {
    lines.push(`*Error* (${esc(report.error.component)}):`, code(report.error.message));
    if (report.error.hint) lines.push(`*What to do:* ${esc(report.error.hint)}`);
  } else lines.push(esc(report.headline));
  if (report.lastGoodBackup) lines.push(`*Last good backup:* \`${esc(report.lastGoodBackup.key)}\` (${describeAge(report.lastGoodBackup.ageHours)} old)`);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: `${report.ok ? '✅' : '🚨'} vault-backup ${report.command} ${status}`.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900) } },
  ];
  if (report.facts.length) {
    blocks.push({ type: 'section', fields: report.facts.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: `*${esc(k)}*\n${esc(v)}`.slice(0, 1900) })) });
  }
  const context = [`target: ${esc(report.target)}`];
  if (report.runUrl) context.push(`<${report.runUrl}|run log>`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return { text, blocks };
}

/** Short: what recovered, and the link; the facts are in the run. */
function recoveredMessage(report: RunReport): { text: string; blocks: unknown[] } {
  const text = esc(`vault-backup ${report.command} recovered for ${report.target}: ${report.headline}`);
  const context = [`target: ${esc(report.target)}`, ...(report.runUrl ? [`<${report.runUrl}|run log>`] : [])];
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `✅ *vault-backup ${esc(report.command)} recovered*: ${esc(report.headline)}`.slice(0, 2900) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
    ],
  };
}

export class NotifyError extends BackupError {
  constructor(message: string) {
    super('notify', message, { hint: 'check the Slack webhook secret; the run result itself is unaffected' });
  }
}

/** Posts one message; returns after success, or throws NotifyError after the last attempt. */
export async function postToSlack(report: RunReport, options: SlackOptions & { recovered?: boolean }): Promise<void> {
  const attempts = options.attempts ?? 3;
  const sleep = options.sleep ?? systemSleep;
  const body = JSON.stringify(slackMessage(report, options.recovered));
  let last = '';
  let tried = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    tried = attempt;
    try {
      const res = await request(options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        headersTimeout: options.timeoutMs ?? 10_000,
        bodyTimeout: options.timeoutMs ?? 10_000,
      });
      const answer = (await res.body.text()).slice(0, 200);
      if (res.statusCode >= 200 && res.statusCode < 300) return;
      last = `HTTP ${res.statusCode} ${answer}`;
      if (res.statusCode !== 429 && res.statusCode < 500) break; // a 4xx will not get better
    } catch (error) {
      last = errorCode(error) ?? 'connection failed';
    }
    if (attempt < attempts) await sleep(1000 * 2 ** (attempt - 1));
  }
  throw new NotifyError(`Slack webhook did not accept the message after ${tried} attempt(s): ${last}`);
}
