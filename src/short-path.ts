// A file path from outside, made fit for a one-line message: a path can be thousands of characters
// long (the operating system refuses it, and the message must still say why), so a long one keeps
// its start and its end, the parts a reader recognises, around an ellipsis.

/** `path` when it is at most `max` characters, else its first and last `max / 2` around '…'. */
export function shortPath(path: string, max = 300): string {
  if (path.length <= max) return path;
  const half = Math.floor(max / 2);
  return `${path.slice(0, half)}…${path.slice(path.length - half)}`;
}
