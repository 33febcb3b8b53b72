/**
 * The CLI tells Slack what the action tells it: the same report, masked with every secret setting of the run and
 * rendered inert; failures always, successes with notify-on-success. The CLI keeps no incident state, so it never
 * sends a "recovered" message. A failure to post is a warning: the run's own result and exit code stand.
 */
import { failureReport, successReport } from '../commands/report-of.js';
import { describeTarget, findLastGoodBackup } from '../commands/last-good.js';
import type { CommandResult } from '../commands/command.js';
import { INPUTS } from '../config/input-definitions.js';
import { Inputs, type RawInputs } from '../config/settings.js';
import type { Logger } from '../log.js';
import { postToSlack } from '../notify/slack.js';
import { inertReport, secretParts } from '../notify/untrusted-text.js';
import { errorMessage } from '../util/error-text.js';

export type SlackPost = typeof postToSlack;

export async function tellSlack(
  command: string,
  raw: RawInputs,
  outcome: { result: CommandResult } | { error: unknown },
  log: Logger,
  now: Date,
  post: SlackPost = postToSlack,
): Promise<void> {
  let settings: { webhookUrl: string | undefined; onSuccess: boolean };
  try {
    const inputs = new Inputs(raw);
    settings = { webhookUrl: inputs.optional('slack-webhook-url'), onSuccess: inputs.boolean('notify-on-success') };
  } catch (error) {
    log.warn(`Slack settings are not valid (${errorMessage(error)}); Slack is not told`);
    return;
  }
  const { webhookUrl, onSuccess } = settings;
  if (!webhookUrl || ('result' in outcome && !onSuccess)) return;
  const report =
    'result' in outcome
      ? successReport(outcome.result, describeTarget(raw))
      : failureReport(command, describeTarget(raw), outcome.error, undefined, await findLastGoodBackup(raw, now, log));
  const secrets = INPUTS.filter((d) => d.secret).flatMap((d) => secretParts(raw[d.name] ?? ''));
  try {
    await post(inertReport(report, secrets), { webhookUrl });
    log.info('Slack notified');
  } catch (error) {
    log.warn(`could not notify Slack (the run's own result stands): ${errorMessage(error)}`);
  }
}
