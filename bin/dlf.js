#!/usr/bin/env node
// The dlf command: the bundled CLI that `npm run build` makes (dist/bundle/, quick to load), or the
// CLI as tsc compiled it (dist/cli/) when there is no bundle.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');
const code = await main(process.argv);
// After an interrupt, work a command had under way must not go on: leave now.
if (code === 130 || code === 143) process.exit(code);
process.exitCode = code;
