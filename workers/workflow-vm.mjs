// How the worker runs ticket workflow code: the SDK's reusable V8 context, with its deadlock guard
// set once per activation instead of once per call into the context, and with the SDK's per-promise
// stack capture on or off. Plain JavaScript because it also runs as (part of) the workflow
// threads' entry, `workflow-thread.mjs`, which Node loads without tsx. Types: `workflow-vm.d.mts`.
//
// It leans on the internals of @temporalio/worker 1.24.0 (pinned exactly in package.json):
// `ReusableVMWorkflowCreator` and the `globalHandlers` of vm-shared. `checkSdkShape` fails the
// start with one clear line if an upgrade moved them, and test/workers/workflow-vm.test.ts proves
// the behaviour (a stuck workflow's task fails, the others go on; stack traces on and off).
import { createRequire } from 'node:module';
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

/** Runs `fn` synchronously; if it runs longer than `ms`, it is stopped and this throws. */
function guarded(ms, fn) {
  if (!ms) return fn();
  let out;
  guardContext.run = () => {
    out = fn();
  };
  try {
    enter.runInContext(guardContext, { timeout: ms, displayErrors: false });
  } finally {
    guardContext.run = undefined;
  }
  return out;
}

/**
 * The SDK's reusable-context creator with its deadlock guard moved out: it is created with no
 * timeout (so the SDK's calls into the context start no watchdog thread), and each workflow's
 * activation (all its calls, up to the completion) runs under one guard of `guardMs`. Node starts
 * and joins a thread for each guarded evaluation; an activation makes several calls (the jobs, each
 * round of unblocked conditions, the conclusion), so this starts one watchdog where the SDK
 * started four to eight.
 */
export class ActivationGuardedCreator extends sdk.reusableVm.ReusableVMWorkflowCreator {
  guardMs = undefined;

  /** Same signature as the SDK's, so the SDK's workflow thread can call it in place of its own. */
  static async create(workflowBundle, isolateExecutionTimeoutMs, registeredActivityNames, patchActivationCallback) {
    const creator = await super.create(workflowBundle, undefined, registeredActivityNames, patchActivationCallback);
    creator.guardMs = isolateExecutionTimeoutMs || undefined;
    return creator;
  }

  async createWorkflow(options) {
    const ms = this.guardMs;
    // The SDK's createWorkflow is synchronous up to its return (it initialises the workflow's
    // runtime in the context): the guard covers that call.
    const workflow = await guarded(ms, () => super.createWorkflow(options));
    if (!ms) return workflow;
    const activate = workflow.activate.bind(workflow);
    // The SDK's activate makes all its calls into the context before its first await; what runs
    // after it (a setImmediate, the unhandled-rejection check) makes none. A stopped activation
    // fails its workflow task as the SDK's own guard does, and Core then evicts the workflow.
    workflow.activate = (activation) => {
      try {
        return guarded(ms, () => activate(activation));
      } catch (err) {
        return Promise.resolve({ runId: workflow.runId, failed: { failure: workflow.activator.errorToFailure(err) } });
      }
    };
    // Disposing calls into the context too. (Taking the sink calls after an activation does not:
    // it reads the activator from outside, and the SDK does not guard it either.)
    const dispose = workflow.dispose.bind(workflow);
    workflow.dispose = () => guarded(ms, dispose);
    return workflow;
  }
}
