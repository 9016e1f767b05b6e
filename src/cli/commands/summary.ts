// dlf summary: a table of a config's layers (output shape per sample, parameters, multiply-adds,
// YAML line), the totals and the planned memory of training, without reading any data rows.
import type { Command } from 'commander';
import { formatBytes as formatSize } from '../../compile/bytes.js';
import { programStatsLine, summarize } from '../../compile/summary.js';
import { loadConfig } from '../../config/load.js';
import { dataDims } from '../../data/dims.js';
import { shapeStr } from '../../tensor/shape.js';
import { locatorOf } from '../../train/session.js';
import { maxMemory, maxMemoryHelp } from '../max-memory.js';
import { type Io, formatBytes } from '../output.js';
import { collect } from './common.js';
import { textTable } from '../table.js';

const int = (n: number) => n.toLocaleString('en-US');

export function registerSummary(program: Command, io: Io): void {
  program
    .command('summary')
    .description(
      'print a table of the layers of a config: shapes, parameters, multiply-adds, memory (nothing is trained; a CSV table is read to fit its columns)',
    )
    .argument('<config>', 'the YAML config file')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--json', 'print the summary as one JSON object')
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .action((configFile: string, flags: { set: string[]; json?: boolean; maxMemory?: number }) => {
      const rc = loadConfig(configFile, { set: flags.set });
      const s = summarize(rc.config, dataDims(rc.config.data, rc.config.seed, locatorOf(rc)), locatorOf(rc), { maxMemory: flags.maxMemory });
      if (flags.json) {
        io.out(JSON.stringify({ file: rc.file, name: rc.config.name, ...s }) + '\n');
        return;
      }
      const withState = s.totals.state > 0;
      const head = ['layer', 'type', 'output', 'params', ...(withState ? ['state'] : []), 'MACs', 'line'];
      const rows = s.layers.map((l) => [
        l.scope,
        l.type,
        shapeStr(l.outputShape),
        int(l.params),
        ...(withState ? [int(l.state)] : []),
        int(l.macs),
        l.place.line !== undefined ? String(l.place.line) : '-',
      ]);
      const total = ['total', '', '', int(s.totals.params), ...(withState ? [int(s.totals.state)] : []), int(s.totals.macs), ''];
      const all = [head, ...rows, total];
      const right = new Set(head.map((h, c) => (['params', 'state', 'MACs', 'line'].includes(h) ? c : -1)));
      const table = textTable(all, (c) => right.has(c));
      io.out(`${rc.file}\n`);
      const inp = s.input;
      if (inp.vocab !== undefined) {
        const labels = inp.labels ? `; labels ${shapeStr(inp.labels)}, one per token` : '';
        io.out(`input ${shapeStr(inp.shape)} token ids of a vocabulary of ${int(inp.vocab)}${labels}\n`);
      }
      io.out(table.line(head));
      for (const r of rows) io.out(table.line(r));
      io.out(table.line(table.widths.map((w) => '-'.repeat(w))));
      io.out(table.line(total));
      const m = s.memory;
      io.out(
        `\nMACs are multiply-adds per sample; params are trainable` +
          (withState ? ', state are running statistics' : '') +
          '.\n' +
          `training plan at batch ${m.batch}: arena ${formatBytes(m.arenaBytes)} (${formatBytes(m.unplannedBytes)} without buffer reuse), ` +
          `${formatBytes(m.persistentBytes)} persistent; parameters ${formatBytes(m.parameterBytes)}\n` +
          `training needs ${formatSize(m.totalBytes)} in all (parameters, optimizer state, plan and tables); the memory bound is ${formatSize(m.boundBytes)}\n` +
          programStatsLine(s.program) +
          '\n',
      );
    });
}
