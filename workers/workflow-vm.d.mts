import type { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';

export declare function checkSdkShape(): void;
export declare function withoutPromiseStacks(): boolean;
export declare class ActivationGuardedCreator extends ReusableVMWorkflowCreator {
  guardMs: number | undefined;
}
