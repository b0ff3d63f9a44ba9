import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAuthentication, SMTPServerSession } from 'smtp-server';
import { faultQueue, type FaultQueue } from './faults.js';

/**
 * A real SMTP server (smtp-server) on 127.0.0.1. Every message it accepts is parsed with
 * mailparser, so tests assert on headers and parts the way a mail client reads them.
 */

export type SmtpFault =
  /** Answer the end of DATA with this reply code (451 deferred, 550 rejected); nothing is stored. */
  | { kind: 'reply'; code: number }
  /** Store the message, then cut the connection before the 250 reaches the client. */
  | { kind: 'accept-then-drop' };

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  mail: ParsedMail;
  raw: string;
}

export interface SmtpServerOptions {
  /** When set, AUTH is required with exactly these credentials. */
  user?: string;
  password?: string;
}

export interface SmtpTestServer {
  url: string;
  host: string;
  port: number;
  received: ReceivedMail[];
  faults: FaultQueue<SmtpFault>['controls'];
  close(): Promise<void>;
}

export async function start(options: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const received: ReceivedMail[] = [];
  const faults = faultQueue<SmtpFault>();
  const sockets = new Map<number, Socket>();


  const server = new SMTPServer({
    logger: false,
    disabledCommands: options.user === undefined ? ['AUTH', 'STARTTLS'] : ['STARTTLS'],
    authOptional: options.user === undefined,
    allowInsecureAuth: true,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      if (auth.username === options.user && auth.password === options.password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const fault = faults.take();
        if (fault?.kind === 'reply') {
          const text = fault.code >= 500 ? 'Message rejected' : 'Try again later';
          return callback(Object.assign(new Error(text), { responseCode: fault.code }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelope = {
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        simpleParser(raw).then(
          (mail) => {
            received.push({ envelope, mail, raw });
            if (fault?.kind === 'accept-then-drop') {
              // The message is stored; the client never hears the 250.
              sockets.get(session.remotePort)?.destroy();
              return;
            }
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort;
    if (port === undefined) return;
    sockets.set(port, socket);
    socket.on('close', () => sockets.delete(port));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    received,
    faults: faults.controls,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets.values()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
