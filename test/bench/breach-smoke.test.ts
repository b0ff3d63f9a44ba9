/**
 * The benchmark's smoke run (the benchmark itself never runs in the test command): tierline as
 * `npm start` runs it, a handful of tickets whose first-response deadlines fall within seconds of
 * each other, and the naive baseline after it. Correctness only: every breach reaches the local
 * Slack server exactly once, for tierline and for the baseline; visibility lists the tickets; each
 * breach's lateness can be read off its history; the CPU of the worker and the server is read.
 * It runs with `--split-cores` (the server on a core of its own) where the machine has two, and
 * checks each process was held to its side. No figure is asserted (these machines are shared and
 * noisy).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpus } from 'node:os';
import { runBreach } from '../../bench/lib/breach-scenario.js';
import { coreSplit, coresOf } from '../../bench/lib/cores.js';

test('breach bench, smoke size: every breach notified exactly once, by tierline and by the baseline', { timeout: 480_000 }, async () => {
  const splitCores = cpus().length >= 2;
  const everyCore = coresOf(process.pid);
  const result = await runBreach({ open: 12, due: 8, overload: true, concurrency: 4, leadS: 15, baseline: true, listing: true, firstDueS: 5, slots: 4, gapMinutes: 1, parts: true, splitCores, log: () => {} });
  if (splitCores) {
    // Read back from /proc after pinning: the server alone on cpu0, the rest off it.
    const { rest } = coreSplit();
    assert.deepEqual(result.placement, { server: '0', bench: rest, worker: rest, naiveWorker: rest });
    // This process has every core back once the run is over.
    assert.equal(coresOf(process.pid), everyCore);
  }
  // The breach phase: the eight first responses; the overload phase: all twelve resolutions.
  for (const [phase, expected] of [[result.breach, 8], [result.overload, 12]] as const) {
    assert.equal(phase?.tierline.notified, expected);
    assert.equal(phase?.tierline.duplicates, 0);
    assert.equal(phase?.tierline.lateness.n, expected);
    assert.equal(phase?.naive?.notified, expected);
    assert.equal(phase?.naive?.duplicates, 0);
    // Every notified workflow's history accounts for its lateness (the timer that woke it, the task after).
    assert.equal(phase?.tierline.parts?.n, expected);
    assert.equal(phase?.naive?.parts?.n, expected);
    // What a replay at each wake would read: a tierline ticket's history carries its policy.
    for (const before of [phase?.tierline.parts?.historyAtWake, phase?.naive?.parts?.historyAtWake]) assert.ok(before && before.events.p50 > 0 && before.bytes.p50 > 0, JSON.stringify(before));
    assert.ok(phase!.tierline.parts!.historyAtWake!.bytes.p50 > phase!.naive!.parts!.historyAtWake!.bytes.p50);
    // The breach phase counts its breaches later than the target, and reads the latest's parts.
    for (const tail of [phase?.tierline.tail, phase?.naive?.tail]) {
      if (phase !== result.breach) assert.equal(tail, undefined);
      else assert.ok(tail && tail.overMs === 1_000 && tail.n >= 0 && tail.n <= expected && (tail.n === 0) === (tail.parts === undefined), JSON.stringify(tail));
    }
    // The CPU each process spent on the phase is read (the worker's main thread always does some).
    for (const cpu of [phase?.tierline.cpuPerBreachMs, phase?.naive?.cpuPerBreachMs]) {
      assert.ok(cpu && cpu.worker > 0 && cpu.server > 0, JSON.stringify(cpu));
      assert.ok(cpu.workerThreads && cpu.workerThreads.main > 0, JSON.stringify(cpu));
      // The bench's process served the Slack calls; the machine's use is a share of its cores.
      assert.ok(cpu.bench !== undefined && cpu.bench > 0, JSON.stringify(cpu));
      assert.ok(cpu.machine && cpu.machine.busyPct > 0 && cpu.machine.busyPct <= 100 && cpu.machine.iowaitPct >= 0 && cpu.machine.stealPct >= 0, JSON.stringify(cpu));
      // Each core's own use, by its name in /proc/stat.
      const cores = Object.entries(cpu.machine.coreBusyPct ?? {});
      assert.equal(cores.length, cpus().length, JSON.stringify(cpu));
      assert.ok(cores.every(([name, busy]) => /^cpu\d+$/.test(name) && busy >= 0 && busy <= 100), JSON.stringify(cpu));
    }
  }
  // The eight P1s are open and listed; nobody is assigned.
  assert.equal(result.listing?.['open P1s']?.rows, 8);
  assert.equal(result.listing?.['by assignee']?.rows, 0);
});
