// Entry of the ticket worker's workflow threads (see ticketWorkerClass in workers/worker.ts): the
// SDK's own thread module, with the creator it makes swapped for ActivationGuardedCreator (its
// `worker` guard's when `workerData.stamp` is a buffer for the main thread's watch) and the promise
// hook left off unless `workerData.stackTraces`. Must not be imported from the main thread.
import { createRequire } from 'node:module';
import { isMainThread, workerData } from 'node:worker_threads';
import { ActivationGuardedCreator, checkSdkShape, sdk, withoutPromiseStacks } from './workflow-vm.mjs';

if (isMainThread) throw new Error('workers/workflow-thread.mjs is a workflow thread entry, not a module');
checkSdkShape();
if (!workerData?.stackTraces) withoutPromiseStacks();
// The SDK's thread module reads this export when it creates its creator.
sdk.reusableVm.ReusableVMWorkflowCreator = workerData?.stamp ? ActivationGuardedCreator.withStamp(workerData.stamp) : ActivationGuardedCreator;
createRequire(import.meta.url)('@temporalio/worker/lib/workflow/workflow-worker-thread.js');
