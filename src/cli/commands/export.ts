// dlf export: a run's model, with its preprocessing, as a file for other runtimes (ONNX). The
// exporter and the protobuf library it needs are imported only when the command runs, so that
// `dlf --help`, which registers every command, loads neither.
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError, oneLine } from '../../errors.js';
import { writeFileDurable } from '../../io/write.js';
import { runFiles } from '../document-out.js';
import { checkInputFile, checkOutputFile } from '../file-paths.js';
import type { Io } from '../output.js';

interface ExportFlags {
  format: string;
  out?: string;
  checkpoint?: string;
}

/** The formats `--format` takes. */
const FORMATS = ['onnx'];

export function registerExport(program: Command, io: Io): void {
  program
    .command('export')
    .description("write a run's model (best checkpoint by default) with its preprocessing as an ONNX file: raw feature values or pixels in, predictions out")
    .argument('<run-dir>', 'a run directory written by dlf train')
    .requiredOption('-f, --format <format>', 'the file format: onnx (IR version 8, opset 17; ai.onnx.ml 3 for categorical columns)')
    .option('-o, --out <file>', 'the file to write, atomically (default: <run-dir>/model.onnx)')
    .option('-c, --checkpoint <file>', 'checkpoint file (default: <run-dir>/checkpoints/best.json, else last.json)')
    .addHelpText(
      'after',
      '\nInputs: `features` [N, numeric columns] float (NaN for a missing value) and one string input [N] per\n' +
        'categorical column for a table; `pixels` [N, ...] float, raw 0..255, for images. Outputs: `prediction` (class\n' +
        "name or value in the target's units), `probabilities` and `logits` for classification. docs/export.md has the\n" +
        'graph layout and which layers and ops export.\n',
    )
    .action(async (runDir: string, flags: ExportFlags) => {
      if (!FORMATS.includes(flags.format)) throw new UsageError(`--format must be ${FORMATS.join(' or ')}, got '${oneLine(flags.format, 40)}'`);
      const checkpoint = flags.checkpoint === undefined ? undefined : checkInputFile('--checkpoint', flags.checkpoint);
      const out = checkOutputFile('--out', flags.out ?? join(runDir, 'model.onnx'), [
        ...(checkpoint ? [{ what: 'the checkpoint', path: checkpoint }] : []),
        ...runFiles(runDir),
      ]);
      const { exportOnnx } = await import('../../export/onnx-export.js');
      const model = exportOnnx(runDir, { checkpoint });
      writeFileDurable(out, model.bytes);
      const opsets = Object.entries(model.opsets)
        .map(([d, v]) => `${d === '' ? 'ai.onnx' : d} ${v}`)
        .join(', ');
      io.err(
        `wrote ${oneLine(out)}: ONNX IR version ${model.irVersion}, opset ${opsets}; ${model.nodes} nodes, ${model.bytes.length} bytes; ` +
          `inputs ${model.inputs.join(', ')}; outputs ${model.outputs.join(', ')} (checkpoint epoch ${model.epoch})\n`,
      );
    });
}
