// dlf info: the dlf and Node versions, the kernel backends that can run here and which one is the
// default, and what the native addon detected: CPU features, the dispatch level and GEMM
// micro-kernel it chose, the threads its kernels use, and whether denormals are flushed (FTZ/DAZ).
import type { Command } from 'commander';
import { nativeStatus } from '../../kernels/native.js';
import { dlfVersion } from '../../package-root.js';
import { autoBackend, availableBackends, kernelsFor } from '../../kernels/select.js';
import { defaultBackend, defaultBackendSource } from '../backend.js';
import type { Io } from '../output.js';

export function registerInfo(program: Command, io: Io): void {
  program
    .command('info')
    .description('print the dlf and Node versions, the kernel backends available here, the default, and what the native addon detected')
    .option('--json', 'print one JSON object')
    .action((flags: { json?: boolean }) => {
      const requested = defaultBackend();
      // Resolves the default the way a command would, so that a bad DLF_BACKEND is reported here too.
      const resolved = kernelsFor(requested).name;
      const s = nativeStatus();
      const native = s.available ? { available: true, path: s.path, ...s.addon.info() } : { available: false, path: s.path, reason: s.reason };
      const report = {
        dlf: dlfVersion(),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        backends: availableBackends(),
        default: { requested, from: defaultBackendSource(), resolved, auto: autoBackend() },
        native,
      };
      if (flags.json) {
        io.out(JSON.stringify(report) + '\n');
        return;
      }
      const yes = (b: boolean) => (b ? 'yes' : 'no');
      const lines = [
        `dlf ${report.dlf}`,
        `node ${report.node} (${report.platform})`,
        `backends: ${report.backends.join(', ')}`,
        `default backend: ${resolved}` + (requested === resolved ? ` (${report.default.from})` : ` (${requested}, ${report.default.from})`),
      ];
      if (s.available) {
        const i = s.addon.info();
        lines.push(
          `native addon: ${s.path}`,
          `  cpu: ${i.arch}, avx512f ${yes(i.avx512f)}, avx512vl ${yes(i.avx512vl)}, avx2 ${yes(i.avx2)}, fma ${yes(i.fma)}`,
          `  kernels: ${i.levelName} (gemm micro-kernel ${i.gemmKernel})`,
          `  threads: ${i.threads} of ${i.hardwareThreads} hardware threads` +
            (process.env.DLF_THREADS?.trim() ? ' (DLF_THREADS)' : ' (all; DLF_THREADS=n sets it)'),
          `  denormals: flush-to-zero ${i.ftz ? 'on' : 'off'}, denormals-are-zero ${i.daz ? 'on' : 'off'}` +
            ` in the kernels (worker threads, and the calling thread during each call); JavaScript keeps denormals (this thread: flush-to-zero ${i.callerFtz ? 'on' : 'off'}, denormals-are-zero ${i.callerDaz ? 'on' : 'off'})`,
        );
      } else {
        lines.push(`native addon: unavailable: ${s.reason}`);
      }
      io.out(lines.join('\n') + '\n');
    });
}
