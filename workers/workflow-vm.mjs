// How the worker runs ticket workflow code: the SDK's reusable V8 context, with its deadlock guard
// set once per activation instead of once per call into the context (the `task` guard, vm's
// timeout), or replaced by a watch from the main thread that costs an activation two atomic adds
// (the `worker` guard), with the SDK's per-promise stack capture on or off, and with one set of
// read-only globals for every workflow on the thread in place of the SDK's swap of every global
// from one workflow to the next (SEAL_GLOBALS). Plain JavaScript
// because it also runs as (part of) the workflow threads' entry, `workflow-thread.mjs`, which Node
// loads without tsx. Types: `workflow-vm.d.mts`.
//
// It leans on the internals of @temporalio/worker 1.24.0 (pinned exactly in package.json):
// `ReusableVMWorkflowCreator` (its createWorkflow is repeated in `newWorkflow`), `ReusableVMWorkflow`
// and the `globalHandlers` of vm-shared. `checkSdkShape` fails the
// start with one clear line if an upgrade moved them, and test/workers/workflow-vm.test.ts proves
// the behaviour (with the `task` guard a stuck workflow's task fails and the others go on; with the
// `worker` guard one stuck workflow stops the worker, named; stack traces on and off).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearInterval, setInterval } from 'node:timers';
import { TextDecoder, TextEncoder } from 'node:util';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
/** The SDK's own module objects (CommonJS), so that a change to them is seen by the SDK too. */
export const sdk = {
  reusableVm: require('@temporalio/worker/lib/workflow/reusable-vm.js'),
  vmShared: require('@temporalio/worker/lib/workflow/vm-shared.js'),
  coreBridge: createRequire(require.resolve('@temporalio/worker/lib/workflow/reusable-vm.js'))('@temporalio/core-bridge'),
};

export function checkSdkShape() {
  const { ReusableVMWorkflowCreator } = sdk.reusableVm;
  const { globalHandlers } = sdk.vmShared;
  const missing = [
    typeof ReusableVMWorkflowCreator?.create !== 'function' && 'reusable-vm ReusableVMWorkflowCreator.create',
    typeof ReusableVMWorkflowCreator?.prototype?.createWorkflow !== 'function' && 'reusable-vm ReusableVMWorkflowCreator#createWorkflow',
    !(ReusableVMWorkflowCreator?.workflowByRunId instanceof Map) && 'reusable-vm ReusableVMWorkflowCreator.workflowByRunId',
    typeof sdk.reusableVm.ReusableVMWorkflow !== 'function' && 'reusable-vm ReusableVMWorkflow',
    typeof sdk.coreBridge?.native?.getTimeOfDay !== 'function' && 'core-bridge native.getTimeOfDay',
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

// One context, many workflows. The SDK gives each workflow its own view of the context's global
// object: whenever a call into the context is for another workflow than the last one, it saves
// every global property's descriptor for the workflow it leaves and redefines the other's. Through
// vm's interceptors that costs about 95 µs (72 globals) against 2 µs for a call that stays with its
// workflow, and on a busy worker nearly every activation is another ticket's; the swap was a fifth
// of the workflow thread's time in a profile of the overload. The only global that differs between
// workflows is the SDK's `__TEMPORAL_ACTIVATOR__` (the rest is set once, as the bundle loads: Date,
// Math.random and the timers read the activator). So here the global properties are made
// read-only once the workflow code is loaded (a workflow that assigns one fails in strict code, and
// changes nothing in sloppy code), and a call sets the activator of its workflow. vm's global
// cannot be made non-extensible, so a new global is looked for whenever the workflow changes (8
// µs): it is deleted before another workflow runs, and reported (`onStrayGlobals`).
const SEAL_GLOBALS = `{
  globalThis.__TEMPORAL_ACTIVATOR__ = undefined;
  globalThis.__tierline_call = undefined;
  const mutable = new Set(['__TEMPORAL_ACTIVATOR__', '__tierline_call']);
  for (const key of Reflect.ownKeys(globalThis)) {
    if (mutable.has(key)) continue;
    const d = Reflect.getOwnPropertyDescriptor(globalThis, key);
    // vm's global passes a definition on to the context object, which takes a missing value as
    // undefined: the value goes along.
    const sealed = 'value' in d
      ? { value: d.value, writable: false, enumerable: d.enumerable, configurable: false }
      : { get: d.get, set: d.set, enumerable: d.enumerable, configurable: false };
    if (!Reflect.defineProperty(globalThis, key, sealed)) throw new Error('cannot make the global ' + String(key) + ' read-only');
  }
  const known = new Set(Reflect.ownKeys(globalThis));
  const report = globalThis.__tierline_stray_globals;
  let last;
  const call = () => {
    const [activator, fn, args] = globalThis.__tierline_call;
    globalThis.__tierline_call = undefined;
    if (activator !== last) {
      const keys = Reflect.ownKeys(globalThis);
      if (keys.length !== known.size) {
        const strays = keys.filter((key) => !known.has(key));
        for (const key of strays) Reflect.deleteProperty(globalThis, key);
        report(strays.map(String), last?.info?.workflowId);
      }
      last = activator;
    }
    globalThis.__TEMPORAL_ACTIVATOR__ = activator;
    return __TEMPORAL__.api[fn](...args);
  };
  Object.defineProperty(globalThis, '__TIERLINE_CALL_INTO_SCOPE', { value: call, writable: false, enumerable: false, configurable: false });
  known.add('__TIERLINE_CALL_INTO_SCOPE');
}`;
const callIntoScope = new vm.Script('__TIERLINE_CALL_INTO_SCOPE()', { filename: 'tierline-call-into-scope' });

/** What `onStrayGlobals` gets by default: one line on stderr. */
export function reportStrayGlobals(names, workflowId) {
  process.stderr.write(`tierline: workflow ${workflowId ?? '(unknown)'} added the global(s) ${names.join(', ')} to the workflow context that every ticket on its thread shares; removed, so that no other ticket sees them (workflow code keeps its state in the workflow)\n`);
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
    creator.context.__tierline_stray_globals = (names, workflowId) => ActivationGuardedCreator.onStrayGlobals(names, workflowId);
    vm.runInContext(SEAL_GLOBALS, creator.context, { filename: 'tierline-seal-globals' });
    return creator;
  }

  /** Called with the names of globals a workflow added, after they were removed (see SEAL_GLOBALS). */
  static onStrayGlobals = reportStrayGlobals;

  /**
   * The SDK's createWorkflow (reusable-vm.js, 1.24.0), its calls into the context going through
   * tierline's `__TIERLINE_CALL_INTO_SCOPE`, which sets the workflow's activator, instead of the
   * SDK's, which swaps every global.
   */
  newWorkflow(options) {
    const context = this.context;
    let activator; // none while the runtime starts: modules loaded before it is set are shared, as in the SDK
    const workflowModule = new Proxy({}, {
      get(_, fn) {
        return (...args) => {
          context.__tierline_call = [activator, fn, args];
          // Every microtask has run by the time this returns (the context's microtaskMode).
          return callIntoScope.runInContext(context, { displayErrors: true });
        };
      },
    });
    workflowModule.initRuntime({
      ...options,
      sourceMap: this.workflowBundle.sourceMap,
      getTimeOfDay: sdk.coreBridge.native.getTimeOfDay,
      registeredActivityNames: this.registeredActivityNames,
      stackTracesEnabled: sdk.vmShared.globalHandlers.promiseHookInstalled,
      patchActivationCallback: this.patchActivationCallback,
    });
    activator = context.__TEMPORAL_ACTIVATOR__;
    const workflow = new sdk.reusableVm.ReusableVMWorkflow(options.info.runId, context, activator, workflowModule);
    sdk.reusableVm.ReusableVMWorkflowCreator.workflowByRunId.set(options.info.runId, workflow);
    return workflow;
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
    if (!guard) return this.newWorkflow(options);
    const label = guard instanceof ActivationStamp ? labelBytes(options.info) : undefined;
    // Creating the workflow is synchronous (it initialises the workflow's runtime in the
    // context): the guard covers that call.
    const workflow = guard.run(label, () => this.newWorkflow(options));
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
