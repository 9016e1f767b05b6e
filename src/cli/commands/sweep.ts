import type { Command } from 'commander';
import type { Io } from '../output.js';
export function registerSweep(_p: Command, _io: Io): void {}
