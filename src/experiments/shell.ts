// Shell quoting for the commands `dlf sweep --emit-jobs` writes: POSIX sh single quotes, so any
// argument (spaces, quotes, $, braces of a YAML map) reaches dlf unchanged.

function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export const shellLine = (argv: readonly string[]) => argv.map(shellQuote).join(' ');
