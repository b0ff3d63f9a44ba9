/**
 * `npm run bench:ledger`: what one ledger write costs the worker on the embedded SQLite ledger. A
 * breach's processing point writes one milestone and the ticket's row in one transaction (a local
 * activity), and libsql runs it on the JavaScript thread: the thread that also runs the worker's
 * other activities and hands activations to workflow code.
 *
 *   npm run bench:ledger -- [--writes 2000] [--rounds 3] [--json FILE]
 *
 * Each round writes `--writes` breaches of as many tickets, one after the other, into a fresh
 * ledger file in the system's temporary folder (on the same disk the data folder usually is),
 * through the ledger activity itself. The figures are per write: the wall time and the process's
 * CPU (user + system), medians over the rounds.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLedgerActivities, openLedger, type RecordTicketMilestonesInput } from '../activities/ledger.js';
import { environment } from './lib/environment.js';
import { median } from './lib/run.js';

const { values } = parseArgs({ options: { writes: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, json: { type: 'string' } } });
const WRITES = Number(values.writes);
const ROUNDS = Number(values.rounds);
if (!(Number.isInteger(WRITES) && WRITES > 0)) throw new Error('--writes: expected a positive whole number');
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error('--rounds: expected a positive whole number');

const OPENED = Date.UTC(2026, 11, 1, 9, 0);
/** A breach as the ticket workflow writes it: the new milestone and the ticket's row. */
function breach(i: number): RecordTicketMilestonesInput {
  return {
    ticketId: `T-BENCH${String(i).padStart(10, '0')}`,
    entries: [{ seq: 3, at: OPENED + 90_000, actor: 'tierline', type: 'sla-breach', summary: 'resolution breached', data: { clock: 'resolution', target: 'overload 30' } }],
    ticket: { policy: 'bench', channel: 'api', priority: 'P1', tier: 'support', status: 'awaiting_first_response', openedAt: OPENED, seq: 3 },
    metrics: { firstResponseMs: null, asOfSeq: 3 },
  };
}

const wallMs: number[] = [];
const cpuMs: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const dir = mkdtempSync(join(tmpdir(), 'tierline-bench-ledger-'));
  const ledger = openLedger({ kind: 'sqlite', path: join(dir, 'ledger.db') });
  await ledger.migrate();
  const { recordTicketMilestones } = createLedgerActivities(ledger);
  const cpu = process.cpuUsage();
  const began = performance.now();
  for (let i = 0; i < WRITES; i++) await recordTicketMilestones(breach(i));
  const used = process.cpuUsage(cpu);
  wallMs.push((performance.now() - began) / WRITES);
  cpuMs.push((used.user + used.system) / 1000 / WRITES);
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`  round ${round}: ${wallMs.at(-1)!.toFixed(3)} ms wall, ${cpuMs.at(-1)!.toFixed(3)} ms CPU per write`);
}
const figures = { wallMsPerWrite: Math.round(median(wallMs) * 1000) / 1000, cpuMsPerWrite: Math.round(median(cpuMs) * 1000) / 1000 };
console.log(`\none ledger write (a breach: one milestone and the ticket's row), median of ${ROUNDS} rounds of ${WRITES}: ${figures.wallMsPerWrite} ms wall, ${figures.cpuMsPerWrite} ms CPU`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ ...environment(), writes: WRITES, rounds: ROUNDS, ...figures, wallMsPerRound: wallMs, cpuMsPerRound: cpuMs }, null, 2)}\n`);
