import type { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';

export declare function checkSdkShape(): void;
export declare function withoutPromiseStacks(): boolean;
export declare function guarded<T>(ms: number | undefined, fn: () => T): T;
export declare class ActivationGuardedCreator extends ReusableVMWorkflowCreator {
  guardMs: number | undefined;
}
