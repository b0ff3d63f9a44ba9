export declare const MALLOC_ARENAS_DEFAULT: number;
export declare const MALLOC_ARENAS_EXPECTED: string;
/** The setting's arenas: 0 for `auto` (glibc's own), else 1 to 64; undefined when the text is neither. */
export declare function parseArenas(text: string): number | undefined;
/** Whether this process runs on glibc, the C library that reads MALLOC_ARENA_MAX. */
export declare function onGlibc(): boolean;
/** The MALLOC_ARENA_MAX the worker's process is to run with (see malloc-arenas.mjs). */
export declare function arenaMax(env: NodeJS.ProcessEnv, arenas: number, glibc: boolean): string | undefined;
