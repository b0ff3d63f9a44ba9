/**
 * `npm run ledger:rebuild`: writes the ticket ledger again from Temporal, the source of truth.
 *
 * Connects as the worker does (TEMPORAL_ADDRESS, or the local dev server `npm start` runs at
 * TEMPORAL_IP:TEMPORAL_PORT), lists every ticket workflow, open and closed, reads each one's state
 * with the getTicketState query and records it in the ledger the worker uses (LEDGER_URL, or
 * <data dir>/ledger.db). Idempotent: run it over an existing ledger or into a fresh one.
 *
 *   npm run ledger:rebuild                       the configured ledger
 *   npm run ledger:rebuild -- --sqlite FILE      a SQLite file instead (e.g. a fresh one to swap in)
 *
 * Queries need a running tierline worker (npm start), closed tickets included.
 */
import { Client, Connection } from '@temporalio/client';
import { describe, redact } from '../activities/errors.js';
import { openLedger, secretsOf, type LedgerLocation, type TicketLedger } from '../activities/ledger.js';
import { rebuildLedger } from '../activities/ledger/rebuild.js';
import { ledgerLocation, loadConfig, type TierlineConfig } from '../workers/config.js';

function target(args: string[], configured: LedgerLocation): LedgerLocation {
  const i = args.indexOf('--sqlite');
  if (i === -1) {
    if (args.length) throw new Error(`unknown arguments ${args.join(' ')}; expected nothing, or --sqlite FILE`);
    return configured;
  }
  const path = args[i + 1];
  if (!path || path.startsWith('--') || args.length !== 2) throw new Error('expected --sqlite FILE and nothing else');
  return { kind: 'sqlite', path };
}

async function main(): Promise<number> {
  const config = loadConfig();
  const location = target(process.argv.slice(2), ledgerLocation(config));
  const address = config.TEMPORAL_ADDRESS ?? `${config.TEMPORAL_IP === '0.0.0.0' ? '127.0.0.1' : config.TEMPORAL_IP}:${config.TEMPORAL_PORT}`;

  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '5s' });
  } catch (err) {
    console.error(`ledger:rebuild: cannot reach Temporal at ${address} (${(err as Error).message}); start tierline (npm start) or set TEMPORAL_ADDRESS`);
    return 1;
  }
  const ledger = openLedger(location);
  try {
    return await rebuild(ledger, connection, config, address, secretsOf(location));
  } catch (err) {
    console.error(`ledger:rebuild: ${redact(describe(err), secretsOf(location))}`);
    return 1;
  } finally {
    await ledger.close();
    await connection.close();
  }
}

async function rebuild(ledger: TicketLedger, connection: Connection, config: TierlineConfig, address: string, secrets: readonly string[]): Promise<number> {
  console.log(`ledger:rebuild: from Temporal ${address} (namespace ${config.TEMPORAL_NAMESPACE}) into ${ledger.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${ledger.location}`);
  const applied = await ledger.migrate();
  if (applied.length) console.log(`ledger:rebuild: created the schema (migrations ${applied.join(', ')})`);
  const result = await rebuildLedger({
    client: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
    ledger,
  });
  for (const failure of result.failures) console.error(`ledger:rebuild: ${failure.workflowId}: ${redact(failure.message, secrets)}`);
  if (result.stoppedBecause) console.error(`ledger:rebuild: stopped: ${result.stoppedBecause}`);
  console.log(
    `ledger:rebuild: ${result.workflows} ticket workflows, ${result.tickets} tickets written, ` +
      `${result.milestonesWritten} new milestones, ${result.ticketRowsUpdated} ticket rows inserted or brought forward, ${result.failures.length} failed`,
  );
  return result.failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    // Configuration errors: one line naming the setting (a secret's value hidden).
    console.error(`ledger:rebuild: ${err.message}`);
    process.exit(2);
  },
);
