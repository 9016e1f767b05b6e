#!/usr/bin/env node
// Builds the native kernels (binding.gyp → build/Release/dlf_native.node) with the node-gyp that
// npm bundles. Run by `npm install`/`npm ci` as the package's install script, and by
// `npm run build:native`. It never fails the install: when there is no compiler, no Python or the
// build breaks, it prints one line saying dlf will use the TypeScript kernels, keeps the compiler's
// output in build/native-build.log, and exits 0. DLF_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = join(root, 'build', 'native-build.log');
const addon = join(root, 'build', 'Release', 'dlf_native.node');

/** The node-gyp to run: the one npm passes to scripts, npm's bundled copy, or one on the PATH. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return { cmd: process.execPath, args: [c] };
  return { cmd: 'node-gyp', args: [] };
}

function fallback(reason, output) {
  try {
    mkdirSync(dirname(log), { recursive: true });
    writeFileSync(log, output);
  } catch {
    // The log is a convenience; the install goes on without it.
  }
  console.log(`dlf: native kernels not built (${reason}); dlf will use the TypeScript kernels (details: build/native-build.log)`);
  process.exit(0);
}

try {
  if (process.env.DLF_SKIP_NATIVE === '1') {
    console.log('dlf: native kernels skipped (DLF_SKIP_NATIVE=1); dlf will use the TypeScript kernels');
    process.exit(0);
  }
  const gyp = nodeGyp();
  // Build against the headers of the running Node when they are installed beside it (npm passes
  // its configured nodedir itself); node-gyp would otherwise try to download them.
  const local = join(dirname(process.execPath), '..');
  const nodedir = !process.env.npm_config_nodedir && existsSync(join(local, 'include', 'node', 'node_api.h')) ? [`--nodedir=${local}`] : [];
  const r = spawnSync(gyp.cmd, [...gyp.args, 'rebuild', '--release', ...nodedir], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, JOBS: process.env.JOBS ?? '2' },
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error) fallback(`could not run node-gyp: ${r.error.message}`, output);
  if (r.status !== 0) {
    const lines = output.split('\n');
    const compilerError = lines.find((l) => /\berror\b:/i.test(l) && !/^gyp/.test(l));
    const notFound = lines.find((l) => /make: \*\*\*.*Error 127/.test(l)) ? 'the C++ compiler or a build tool was not found' : undefined;
    const gypError = lines.find((l) => /gyp ERR! stack \w*Error/.test(l))?.replace(/^gyp ERR! stack /, '');
    const firstError = (compilerError ?? notFound ?? gypError)?.trim().slice(0, 160);
    fallback(firstError ? `build failed: ${firstError}` : `node-gyp exited with ${r.status ?? r.signal}`, output);
  }
  if (!existsSync(addon)) fallback('node-gyp produced no build/Release/dlf_native.node', output);
  // Loading it here catches an addon that links but cannot load.
  const probe = spawnSync(process.execPath, ['-e', `process.dlopen({ exports: {} }, ${JSON.stringify(addon)})`], { encoding: 'utf8' });
  if (probe.status !== 0) fallback(`the built addon does not load: ${(probe.stderr || '').split('\n')[0]}`, output + (probe.stderr ?? ''));
  writeFileSync(log, output);
  console.log('dlf: native kernels built (build/Release/dlf_native.node)');
} catch (e) {
  fallback(`unexpected: ${e instanceof Error ? e.message : String(e)}`, String(e instanceof Error ? e.stack : e));
}
