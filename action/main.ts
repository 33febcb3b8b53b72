/**
 * The GitHub Action: read inputs, run the engine, then tell the story (outputs, job summary) and
 * alert (incident issue, Slack). A failure to alert is logged and never hides the run's own failure.
 */
import * as core from '@actions/core';
import { BackupError } from '../src/errors.js';
import { findLastGoodBackup, describeTarget } from '../src/jobs/last-good.js';
import { presenterOf, runCommand } from '../src/commands/commands.js';
import { systemClock, type CommandResult } from '../src/commands/command.js';
import { failureReport, successReport } from '../src/notify/report-of.js';
import type { RunReport } from '../src/notify/run-report.js';
import { postToSlack } from '../src/notify/slack.js';
import { inertReport } from '../src/notify/untrusted-text.js';
import { describeUnexpected, errorMessage } from '../src/util/error-text.js';
import { addOidcToken, maskedValues, readActionInputs, readNotifySettings, runUrlFromEnv, type ActionInputs } from './action-inputs.js';
import { setOutputs, outputsOf } from './action-outputs.js';
import { ActionsLogger } from './actions-logger.js';
import { updateIncident } from './incidents.js';
import { writeJobSummary } from './job-summary.js';

export async function run(): Promise<void> {
  const log = new ActionsLogger();
  let inputs: ActionInputs | undefined;
  let report: RunReport;
  let result: CommandResult | undefined;
  try {
    inputs = readActionInputs();
    await addOidcToken(inputs);
    result = await runCommand(inputs.command, inputs.raw, { log });
    for (const line of presenterOf(result).logLines(result)) log.info(line);
    report = successReport(result, describeTarget(inputs.raw), inputs.runUrl);
    setOutputs({ result: 'success', ...outputsOf(result) });
  } catch (error) {
    const command = inputs?.command ?? (core.getInput('command') || 'backup');
    const raw = inputs?.raw ?? { target: core.getInput('target') };
    const lastGood = await findLastGoodBackup(raw, systemClock(), log);
    report = failureReport(command, describeTarget(raw), error, inputs?.runUrl ?? runUrlFromEnv(process.env), lastGood);
    setOutputs({ result: 'failure', error: report.error!.message });
    core.setFailed(error instanceof BackupError ? error.describe() : describeUnexpected(error));
  }
  // Whatever reaches an issue, the summary or Slack is masked like the log and rendered inert.
  await tell(inertReport(report, maskedValues()), result, inputs, log);
}

async function tell(report: RunReport, result: CommandResult | undefined, inputs: ActionInputs | undefined, log: ActionsLogger): Promise<void> {
  try {
    await writeJobSummary(report, result);
  } catch (error) {
    log.warn(`could not write the job summary: ${errorMessage(error)}`);
  }
  const notify = inputs?.notify ?? notifyAfterBadInputs(log);
  const repository = process.env.GITHUB_REPOSITORY;
  let recovered = false;
  if (notify.githubToken && repository) {
    try {
      const action = await updateIncident({ token: notify.githubToken, label: notify.incidentLabel, repository }, report);
      if (action !== 'none') log.info(`incident issue ${action}`);
      recovered = action === 'closed';
    } catch (error) {
      log.warn(`could not update the incident issue (the run's own result stands): ${errorMessage(error)}`);
    }
  }
  // Failures always; a success when asked to, or when it ends an incident Slack heard about.
  if (notify.slackWebhookUrl && (!report.ok || notify.notifyOnSuccess || recovered)) {
    try {
      await postToSlack(report, { webhookUrl: notify.slackWebhookUrl, recovered });
      log.info(recovered ? 'Slack told of the recovery' : 'Slack notified');
    } catch (error) {
      log.warn(`could not notify Slack (the run's own result stands): ${errorMessage(error)}`);
    }
  }
}

/** The inputs failed to read: alert with what can be read, so the failure is still reported. */
function notifyAfterBadInputs(log: ActionsLogger): ActionInputs['notify'] {
  try {
    return readNotifySettings();
  } catch (error) {
    log.warn(`notification settings are not valid either (${errorMessage(error)}); alerting with the defaults`);
    return { githubToken: core.getInput('github-token'), incidentLabel: 'vault-backup-incident', slackWebhookUrl: core.getInput('slack-webhook-url'), notifyOnSuccess: false };
  }
}
