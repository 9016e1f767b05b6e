#!/usr/bin/env node
// The dlf command: the bundled CLI that `npm run build` makes (dist/bundle/, quick to load), or the
// CLI as tsc compiled it (dist/cli/) when there is no bundle.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/cli/main.js');
process.exitCode = await main(process.argv);
