/**
 * The inbound SMTP listener: the last hop of mail to the support address (a relay or an MX
 * forwards to it). It accepts mail for any recipient, has no AUTH and binds to 127.0.0.1 unless
 * told otherwise, so only the local relay reaches it. Each message goes to `receiveMail`; the reply
 * to DATA says what happened. A message that can never become a ticket gets a 5xx (the sender gives
 * up and bounces it); a failure on our side gets a 4xx, so the sending server tries again later.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { InvalidInput } from '../../client/tickets.js';
import type { MailOutcome } from './inbound.js';

export interface InboundSmtpOptions {
  /** Defaults to 127.0.0.1: the listener takes mail from anyone who reaches it. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** The largest message accepted, in bytes (advertised with SIZE); 25 MiB by default. */
  maxBytes?: number;
  /** The name in the greeting and EHLO reply. */
  name?: string;
  /** Handles one raw message: `receiveMail` with its dependencies. */
  receive(raw: Buffer): Promise<MailOutcome>;
  /** Where failures are reported; console.error by default. */
  log?: (line: string) => void;
}

export interface InboundSmtp {
  host: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_MAIL_BYTES = 25 * 1024 * 1024;

export async function startInboundSmtp(opts: InboundSmtpOptions): Promise<InboundSmtp> {
  const host = opts.host ?? '127.0.0.1';
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MAIL_BYTES;
  const log = opts.log ?? ((line: string) => console.error(line));
  const server = new SMTPServer({
    name: opts.name ?? 'tierline',
    banner: 'tierline inbound mail',
    logger: false,
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: maxBytes,
    // Any recipient: the relay in front decides which addresses reach support.
    onRcptTo(_address, _session, callback) {
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= maxBytes) chunks.push(chunk);
      });
      stream.on('error', (err: Error) => callback(reply(451, `4.3.0 reading the message failed: ${err.message}`)));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(reply(552, `5.3.4 the message is larger than ${maxBytes} bytes`));
        // As the final delivery, record the envelope sender (RFC 5321 4.4): `<>` marks a bounce.
        const sender = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        const raw = Buffer.concat([Buffer.from(`Return-Path: <${sender.replace(/[\r\n<>]/g, '')}>\r\n`), ...chunks]);
        opts.receive(raw).then(
          (outcome) => callback(null, oneLine(`2.0.0 ${outcome.action}${outcome.ticketId ? ` ${outcome.ticketId}` : ''}: ${outcome.reason}`)),
          (err: unknown) => {
            if (err instanceof InvalidInput) {
              log(`tierline: inbound mail from <${sender}> refused: ${err.message}`);
              return callback(reply(550, `5.6.0 ${err.message}`));
            }
            log(`tierline: inbound mail from <${sender}> failed, the sender will retry: ${err instanceof Error ? err.message : String(err)}`);
            callback(reply(451, '4.3.0 the message could not be handled now; try again later'));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After start-up, a connection error is logged, not thrown: one bad client must not stop the listener.
  server.on('error', (err: Error) => log(`tierline: inbound SMTP: ${err.message}`));
  const { port } = server.server.address() as AddressInfo;
  return {
    host,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function reply(code: number, message: string): Error {
  return Object.assign(new Error(oneLine(message)), { responseCode: code });
}

/** SMTP replies are one line of printable text. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 400);
}
