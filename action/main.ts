/**
 * The GitHub Action: read inputs, run the engine, then tell the story (outputs, job summary) and
 * alert (incident issue, Slack). A failure to alert is logged and never hides the run's own failure.
 */
import * as core from '@actions/core';
import { BackupError } from '../src/errors.js';
import { findLastGoodBackup, describeTarget } from '../src/jobs/last-good.js';
import { formatListTable } from '../src/jobs/list.js';
import { runCommand, type CommandResult } from '../src/jobs/run-command.js';
import { failureReport, successReport } from '../src/notify/report-of.js';
import type { RunReport } from '../src/notify/run-report.js';
import { postToSlack } from '../src/notify/slack.js';
import { inertReport } from '../src/notify/untrusted-text.js';
import { addOidcToken, maskedValues, readActionInputs, runUrlFromEnv, type ActionInputs } from './action-inputs.js';
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
    if (result.command === 'list') log.info(formatListTable(result.list));
    report = successReport(result, describeTarget(inputs.raw), inputs.runUrl);
    setOutputs({ result: 'success', ...outputsOf(result) });
  } catch (error) {
    const command = inputs?.command ?? (core.getInput('command') || 'backup');
    const raw = inputs?.raw ?? { target: core.getInput('target') };
    const lastGood = await findLastGoodBackup(raw, new Date(), log);
    report = failureReport(command, describeTarget(raw), error, inputs?.runUrl ?? runUrlFromEnv(process.env), lastGood);
    setOutputs({ result: 'failure', error: report.error!.message });
    core.setFailed(error instanceof BackupError ? error.describe() : `unexpected failure: ${(error as Error)?.stack ?? String(error)}`);
  }
  // Whatever reaches an issue, the summary or Slack is masked like the log and rendered inert.
  await tell(inertReport(report, maskedValues()), result, inputs, log);
}

async function tell(report: RunReport, result: CommandResult | undefined, inputs: ActionInputs | undefined, log: ActionsLogger): Promise<void> {
  try {
    await writeJobSummary(report, result);
  } catch (error) {
    log.warn(`could not write the job summary: ${(error as Error).message}`);
  }
  const notify = inputs?.notify ?? { githubToken: core.getInput('github-token'), incidentLabel: core.getInput('incident-label') || 'vault-backup-incident', slackWebhookUrl: core.getInput('slack-webhook-url'), notifyOnSuccess: false };
  const repository = process.env.GITHUB_REPOSITORY;
  if (notify.githubToken && repository) {
    try {
      const action = await updateIncident({ token: notify.githubToken, label: notify.incidentLabel, repository }, report);
      if (action !== 'none') log.info(`incident issue ${action}`);
    } catch (error) {
      log.warn(`could not update the incident issue (the run's own result stands): ${(error as Error).message}`);
    }
  }
  if (notify.slackWebhookUrl && (!report.ok || notify.notifyOnSuccess)) {
    try {
      await postToSlack(report, { webhookUrl: notify.slackWebhookUrl });
      log.info('Slack notified');
    } catch (error) {
      log.warn(`could not notify Slack (the run's own result stands): ${(error as Error).message}`);
    }
  }
}
