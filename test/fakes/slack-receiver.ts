/** A recording Slack incoming-webhook receiver; `failures` answers 500 to that many first messages. */
import { startRecordingServer, type RecordingServer } from './recording-server.js';

export interface SlackReceiver extends RecordingServer {
  webhookUrl: string;
  failures: number;
  /** Messages accepted with 200. */
  accepted(): unknown[];
}

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const state = { failures: 0, accepted: [] as unknown[] };
  const server = await startRecordingServer((req) => {
    if (state.failures > 0) {
      state.failures--;
      return { status: 500, body: 'internal_error' };
    }
    state.accepted.push(req.json);
    return { status: 200, body: 'ok' };
  });
  const receiver = server as SlackReceiver;
  receiver.webhookUrl = `${server.url}/services/T000/B000/secretwebhooktoken123`;
  Object.defineProperty(receiver, 'failures', { get: () => state.failures, set: (n: number) => (state.failures = n) });
  receiver.accepted = () => state.accepted;
  return receiver;
}
