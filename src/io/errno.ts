// What an operating-system error code means, in words for a one-line message, and the test that
// tells a system error (an Error carrying `code`, `syscall` and often `path`) from any other.

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EFBIG: 'file too large',
  ENXIO: 'no such device or address',
  ENOTEMPTY: 'directory not empty',
  EBUSY: 'resource busy',
  EXDEV: 'cross-device link',
  EINVAL: 'invalid argument',
  ETXTBSY: 'text file busy',
  EAGAIN: 'resource temporarily unavailable',
};

export interface SystemError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** Whether `e` is an error the operating system reported (it has an E-code). */
export function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && /^E[A-Z0-9]+$/.test((e as SystemError).code);
}

/** The reason for an errno code in words (`no space left on device`), or the code itself. */
export function reasonOf(code: string | undefined): string {
  return (code && REASONS[code]) ?? (code ? code.toLowerCase() : 'unknown error');
}
