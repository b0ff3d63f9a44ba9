// How the worker runs ticket workflow code: the SDK's reusable V8 context, with its deadlock guard
// set once per activation instead of once per call into the context (the `task` guard, vm's
// timeout), or replaced by a watch from the main thread that costs an activation two atomic adds
// (the `worker` guard), and with the SDK's per-promise stack capture on or off. Plain JavaScript
// because it also runs as (part of) the workflow threads' entry, `workflow-thread.mjs`, which Node
// loads without tsx. Types: `workflow-vm.d.mts`.
//
// It leans on the internals of @temporalio/worker 1.24.0 (pinned exactly in package.json):
// `ReusableVMWorkflowCreator` and the `globalHandlers` of vm-shared. `checkSdkShape` fails the
// start with one clear line if an upgrade moved them, and test/workers/workflow-vm.test.ts proves
// the behaviour (with the `task` guard a stuck workflow's task fails and the others go on; with the
// `worker` guard one stuck workflow stops the worker, named; stack traces on and off).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { TextDecoder, TextEncoder } from 'node:util';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
/** The SDK's own module objects (CommonJS), so that a change to them is seen by the SDK too. */
export const sdk = {
  reusableVm: require('@temporalio/worker/lib/workflow/reusable-vm.js'),
  vmShared: require('@temporalio/worker/lib/workflow/vm-shared.js'),
};

export function checkSdkShape() {
  const { ReusableVMWorkflowCreator } = sdk.reusableVm;
  const { globalHandlers } = sdk.vmShared;
  const missing = [
    typeof ReusableVMWorkflowCreator?.create !== 'function' && 'reusable-vm ReusableVMWorkflowCreator.create',
    typeof ReusableVMWorkflowCreator?.prototype?.createWorkflow !== 'function' && 'reusable-vm ReusableVMWorkflowCreator#createWorkflow',
    typeof globalHandlers?.install !== 'function' && 'vm-shared globalHandlers.install',
    typeof globalHandlers?.setPromiseHook !== 'function' && 'vm-shared globalHandlers.setPromiseHook',
  ].filter(Boolean);
  if (missing.length) throw new Error(`@temporalio/worker changed shape (${missing.join(', ')}): workers/workflow-vm.mjs needs updating for this SDK version`);
}

/**
 * Turns off, for this thread, the SDK's promise hook: for the Temporal UI's stack-trace query it
 * captures and source-maps a stack for every promise workflow code creates, which took about a
 * third of the workflow thread in a profile of the overload. Must run before the thread's first
 * workflow creator installs the hook; returns false if that already happened (the hook stays).
 */
export function withoutPromiseStacks() {
  const { globalHandlers } = sdk.vmShared;
  if (globalHandlers.promiseHookInstalled) return false;
  globalHandlers.setPromiseHook = () => {};
  return true;
}

// One small context whose only script calls back out: evaluating it under vm's `timeout` puts a
// watchdog over everything the callback does, including the SDK's own (unguarded) calls into the
// workflow context. When the watchdog fires, V8 unwinds all of it and this evaluation throws.
const guardContext = vm.createContext({ run: undefined });
const enter = new vm.Script('run()', { filename: 'tierline-activation-guard' });

/**
 * The `task` guard: vm's `timeout` over each activation. A stuck activation is stopped and throws,
 * and its workflow task fails. Node starts and joins a watchdog thread for each evaluation.
 */
class VmTimeoutGuard {
  constructor(ms) {
    this.ms = ms;
  }

  /** Runs `fn` synchronously; if it runs longer than the timeout, it is stopped and this throws. */
  run(_label, fn) {
    let out;
    guardContext.run = () => {
      out = fn();
    };
    try {
      enter.runInContext(guardContext, { timeout: this.ms, displayErrors: false });
    } finally {
      guardContext.run = undefined;
    }
    return out;
  }
}

// The `worker` guard's shared memory, one buffer per workflow thread: [seq, label length] as
// Int32, then the label's UTF-8 bytes. The thread adds 1 to seq as an activation starts and 1 as
// it ends (odd: running); the watch on the main thread reads it.
const LABEL_OFFSET = 8;
const STAMP_BYTES = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The thread's side of the `worker` guard: marks each activation's start and end; never stops one. */
class ActivationStamp {
  #words;
  #label;

  constructor(buffer) {
    this.#words = new Int32Array(buffer, 0, 2);
    this.#label = new Uint8Array(buffer, LABEL_OFFSET);
  }

  /** `label`: the workflow's, as UTF-8 bytes (labelBytes). */
  run(label, fn) {
    this.#label.set(label);
    Atomics.store(this.#words, 1, label.length);
    Atomics.add(this.#words, 0, 1);
    try {
      return fn();
    } finally {
      Atomics.add(this.#words, 0, 1);
    }
  }
}

function labelBytes(info) {
  const bytes = encoder.encode(`${info.workflowType} ${info.workflowId} (run ${info.runId})`);
  return bytes.subarray(0, STAMP_BYTES - LABEL_OFFSET);
}

/**
 * The main thread's side of the `worker` guard: every `periodMs` it reads each workflow thread's
 * stamp, and calls `onStuck` once for an activation it has seen running for `timeoutMs` or more.
 * It measures on its own clock, from the check that first saw the activation running, so a
 * report comes between `timeoutMs` and `timeoutMs + periodMs` after the activation started, or
 * later if this thread was itself busy; never sooner.
 */
export class ActivationWatch {
  #slots = [];
  #timer = undefined;

  constructor(timeoutMs, onStuck, periodMs = Math.min(1000, Math.max(20, Math.floor(timeoutMs / 5)))) {
    this.timeoutMs = timeoutMs;
    this.onStuck = onStuck;
    this.periodMs = periodMs;
  }

  /** A new workflow thread's buffer (pass it in the thread's `workerData.stamp`). */
  newBuffer() {
    const buffer = new SharedArrayBuffer(STAMP_BYTES);
    this.#slots.push({ words: new Int32Array(buffer, 0, 2), label: new Uint8Array(buffer, LABEL_OFFSET), seq: 0, since: 0, reported: false });
    return buffer;
  }

  start() {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.check(performance.now()), this.periodMs);
    this.#timer.unref();
  }

  stop() {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One look at every thread (the timer calls it; exported for tests). */
  check(now) {
    for (const slot of this.#slots) {
      const seq = Atomics.load(slot.words, 0);
      if (seq !== slot.seq) {
        slot.seq = seq;
        slot.since = now;
        slot.reported = false;
        continue;
      }
      if ((seq & 1) === 0 || slot.reported || now - slot.since < this.timeoutMs) continue;
      slot.reported = true;
      const length = Math.min(Atomics.load(slot.words, 1), slot.label.length);
      this.onStuck({ label: decoder.decode(slot.label.slice(0, length)), ms: Math.round(now - slot.since) });
    }
  }
}

/**
 * The SDK's reusable-context creator with its deadlock guard moved out: it is created with no
 * timeout (so the SDK's calls into the context start no watchdog thread), and each workflow's
 * activation (all its calls, up to the completion) runs under one guard. With the `task` guard
 * (vm's timeout) Node starts and joins a thread for each guarded evaluation; an activation makes
 * several calls (the jobs, each round of unblocked conditions, the conclusion), so this starts one
 * watchdog where the SDK started four to eight. `withStamp` makes the `worker` guard's creator.
 */
export class ActivationGuardedCreator extends sdk.reusableVm.ReusableVMWorkflowCreator {
  guard = undefined;

  /** Same signature as the SDK's, so the SDK's workflow thread can call it in place of its own. */
  static async create(workflowBundle, isolateExecutionTimeoutMs, registeredActivityNames, patchActivationCallback) {
    const creator = await super.create(workflowBundle, undefined, registeredActivityNames, patchActivationCallback);
    creator.guard = isolateExecutionTimeoutMs ? new VmTimeoutGuard(isolateExecutionTimeoutMs) : undefined;
    return creator;
  }

  /** The creator for a thread that marks its activations in `buffer` for an ActivationWatch, and stops none itself. */
  static withStamp(buffer) {
    return class StampedCreator extends ActivationGuardedCreator {
      static async create(workflowBundle, _isolateExecutionTimeoutMs, registeredActivityNames, patchActivationCallback) {
        const creator = await super.create(workflowBundle, undefined, registeredActivityNames, patchActivationCallback);
        creator.guard = new ActivationStamp(buffer);
        return creator;
      }
    };
  }

  async createWorkflow(options) {
    const guard = this.guard;
    if (!guard) return super.createWorkflow(options);
    const label = guard instanceof ActivationStamp ? labelBytes(options.info) : undefined;
    // The SDK's createWorkflow is synchronous up to its return (it initialises the workflow's
    // runtime in the context): the guard covers that call.
    const workflow = await guard.run(label, () => super.createWorkflow(options));
    const activate = workflow.activate.bind(workflow);
    // The SDK's activate makes all its calls into the context before its first await; what runs
    // after it (a setImmediate, the unhandled-rejection check) makes none. An activation the
    // `task` guard stops fails its workflow task as the SDK's own guard does, and Core then evicts
    // the workflow.
    workflow.activate = (activation) => {
      try {
        return guard.run(label, () => activate(activation));
      } catch (err) {
        return Promise.resolve({ runId: workflow.runId, failed: { failure: workflow.activator.errorToFailure(err) } });
      }
    };
    // Disposing calls into the context too. (Taking the sink calls after an activation does not:
    // it reads the activator from outside, and the SDK does not guard it either.)
    const dispose = workflow.dispose.bind(workflow);
    workflow.dispose = () => guard.run(label, dispose);
    return workflow;
  }
}
