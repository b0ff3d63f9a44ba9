#!/usr/bin/env node
// The `tierline` command: runs cli/main.ts through tsx's loader, in this process.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
