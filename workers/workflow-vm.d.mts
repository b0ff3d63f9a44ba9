import type { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';

export declare function checkSdkShape(): void;
export declare function withoutPromiseStacks(): boolean;
export declare class ActivationGuardedCreator extends ReusableVMWorkflowCreator {
  static withStamp(buffer: SharedArrayBuffer): typeof ActivationGuardedCreator;
  /** Called with the names of globals a workflow added, once they are removed; default reportStrayGlobals. */
  static onStrayGlobals: (names: string[], workflowId: string | undefined) => void;
}

/** One line on stderr naming the workflow and the globals it added. */
export declare function reportStrayGlobals(names: string[], workflowId: string | undefined): void;

/** An activation the watch has seen running for the timeout or more: the workflow's type, id and run, and how long it has run (at least). */
export interface StuckActivation {
  label: string;
  ms: number;
}

export declare class ActivationWatch {
  constructor(timeoutMs: number, onStuck: (stuck: StuckActivation) => void, periodMs?: number);
  readonly timeoutMs: number;
  readonly periodMs: number;
  newBuffer(): SharedArrayBuffer;
  start(): void;
  stop(): void;
  check(now: number): void;
}
