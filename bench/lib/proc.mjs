// Running one benchmark process: its wall time, its peak RSS (from /usr/bin/time when the machine
// has it, else what the process reports about itself), and the last JSON line it printed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TIME = '/usr/bin/time';
export const HAS_TIME = existsSync(TIME);

/** CPU seconds the whole machine has been busy (all cores; idle and iowait excluded), or null. */
function machineBusySeconds() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100; // USER_HZ
  } catch {
    return null;
  }
}

/**
 * Runs `cmd args` to completion. Returns the exit code, wall seconds (of the whole process,
 * start-up included), peak RSS in kB (null when neither /usr/bin/time nor the process told it),
 * stdout, a tail of stderr, and `json`: the last line of stdout that parses as JSON.
 * `othersCores` is how many cores other processes kept busy meanwhile, on average (the machine's
 * busy time less the process's own user and system time, over the wall time): near 0 on a quiet
 * machine; it needs /usr/bin/time and /proc/stat, else it is null. `cpuSeconds` is the process's own
 * user and system time (all its threads), from /usr/bin/time, else null.
 */
export function runProcess(cmd, args, { env = process.env, cwd, timeoutSeconds = 600 } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'dlf-bench-rss-'));
  const rssFile = join(scratch, 'rss');
  const [file, argv] = HAS_TIME ? [TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const r = spawnSync(file, argv, { env, cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutSeconds * 1000 });
  const wallSeconds = (performance.now() - t0) / 1000;
  const busy1 = machineBusySeconds();
  let peakRssKb = null;
  let othersCores = null;
  let cpuSeconds = null;
  if (HAS_TIME && existsSync(rssFile)) {
    // time(1) writes "Command exited with non-zero status N" before the values on failure.
    const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
    const [rss, user, sys] = lines[lines.length - 1].split(' ').map(Number);
    if (Number.isFinite(rss)) peakRssKb = rss;
    if (Number.isFinite(user + sys)) cpuSeconds = user + sys;
    if (busy0 !== null && busy1 !== null && Number.isFinite(user + sys) && wallSeconds > 0) {
      othersCores = Math.max(0, (busy1 - busy0 - user - sys) / wallSeconds);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
  const stdout = r.stdout ?? '';
  let json;
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      json = JSON.parse(line);
      break;
    } catch {
      // not a JSON line
    }
  }
  if (peakRssKb === null && json && typeof json.peak_rss_kb === 'number') peakRssKb = json.peak_rss_kb;
  const timedOut = r.error?.code === 'ETIMEDOUT';
  return {
    code: r.status,
    signal: r.signal,
    timedOut,
    error: r.error ? String(r.error.message) : undefined,
    wallSeconds,
    peakRssKb,
    othersCores,
    cpuSeconds,
    stdout,
    stderrTail: (r.stderr ?? '').trim().split('\n').slice(-8).join('\n'),
    json,
  };
}

/** The NDJSON events a `dlf train --json` run printed. */
export function ndjson(stdout) {
  const events = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      events.push(JSON.parse(line));
    } catch {
      // ignore
    }
  }
  return events;
}

/** One line describing why a process failed. */
export function failure(r) {
  if (r.timedOut) return `timed out after ${r.wallSeconds.toFixed(0)} s`;
  if (r.error && r.code === null) return r.error;
  const msg = r.json?.skipped ?? r.stderrTail.split('\n').filter(Boolean).pop() ?? '';
  return `exit ${r.code ?? r.signal}${msg ? `: ${msg}` : ''}`;
}
