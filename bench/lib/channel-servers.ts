/**
 * The local Slack and SMTP servers of the tests, in a child process of their own, so that parsing
 * what they receive (mailparser in the SMTP server) does not run on the worker's event loop: the
 * lifecycle benchmark then tells the worker's time from the channels'. Run as a script, this file
 * is the child; `startChannelServers` forks it and returns its addresses.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChannelServers {
  slack: { url: string; token: string; channel: string };
  smtp: { url: string; host: string; port: number };
  pid: number;
  close(): Promise<void>;
}

type Addresses = Omit<ChannelServers, 'close' | 'pid'>;
const CHANNEL = 'C0BENCH';

export async function startChannelServers(): Promise<ChannelServers> {
  const child = fork(fileURLToPath(import.meta.url), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const addresses = await new Promise<Addresses>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Addresses));
    child.once('exit', (code) => reject(new Error(`the channel servers exited with code ${String(code)} before they were up`)));
  });
  return {
    ...addresses,
    pid: child.pid ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const { start: startSlack } = await import('../../test/servers/slack.js');
  const { start: startSmtp } = await import('../../test/servers/smtp.js');
  const slack = await startSlack({ channels: [CHANNEL] });
  const smtp = await startSmtp();
  const stop = () => void Promise.all([slack.close(), smtp.close()]).finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send({ slack: { url: slack.url, token: slack.token, channel: CHANNEL }, smtp: { url: smtp.url, host: smtp.host, port: smtp.port } } satisfies Addresses);
}
