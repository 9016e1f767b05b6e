// src/io: durable writes leave the previous file whole on failure and no temporary file behind;
// reads take only regular files up to a cap, without blocking on a FIFO; UTF-8 is decoded strictly;
// outside text in a message stays on one line.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IoError, DataError, oneLine } from '../../src/errors.js';
import { errorText } from '../../src/cli/report.js';
import { ReadFailure, decodeUtf8, readRegularFile } from '../../src/io/read.js';
import { isTempName, tempPathFor, writeFileDurable } from '../../src/io/write.js';
import { tempDir } from '../cli/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function failure(f: () => unknown): ReadFailure {
  try {
    f();
  } catch (e) {
    if (e instanceof ReadFailure) return e;
    throw e;
  }
  throw new Error('did not fail');
}

describe('writeFileDurable', () => {
  it('replaces the file and leaves no temporary file', () => {
    const p = join(tmp.dir, 'a.json');
    writeFileDurable(p, 'one');
    writeFileDurable(p, new Uint8Array([116, 119, 111]));
    expect(readFileSync(p, 'utf8')).toBe('two');
    expect(readdirSync(tmp.dir).filter(isTempName)).toEqual([]);
  });

  it('a failed replace keeps the previous target and removes the temporary file', () => {
    const dir = join(tmp.dir, 'fail');
    mkdirSync(dir);
    // The target is a non-empty directory: the rename fails after the bytes were written.
    const target = join(dir, 'x');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'k');
    expect(() => writeFileDurable(target, 'new')).toThrow(IoError);
    try {
      writeFileDurable(target, 'new');
    } catch (e) {
      expect((e as IoError).format()).toMatch(/^cannot replace .*fail\/x: /);
    }
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('k');
    expect(readdirSync(dir)).toEqual(['x']);
  });

  it('a directory that cannot be made is an IoError naming it', () => {
    const file = join(tmp.dir, 'plain');
    writeFileSync(file, '');
    const e = (() => {
      try {
        writeFileDurable(join(file, 'sub', 'x.json'), '{}');
      } catch (err) {
        return err as IoError;
      }
    })();
    expect(e).toBeInstanceOf(IoError);
    expect(e!.format()).toMatch(/cannot create directory .*plain\/sub: a component of the path is not a directory/);
  });

  it('temporary names are recognised', () => {
    expect(isTempName('.last.json.123.tmp')).toBe(true);
    expect(isTempName('last.json')).toBe(false);
    expect(tempPathFor('/a/b/last.json')).toBe(`/a/b/.last.json.${process.pid}.tmp`);
  });
});

describe('readRegularFile', () => {
  it('reads a regular file, and a symlink to one', () => {
    const p = tmp.write('r.txt', 'hello');
    symlinkSync(p, join(tmp.dir, 'link.txt'));
    expect(readRegularFile(join(tmp.dir, 'link.txt'), 100).toString()).toBe('hello');
  });

  it('refuses what is not a regular file without blocking', () => {
    expect(failure(() => readRegularFile(tmp.dir, 100)).reason).toMatch(/is a directory/);
    expect(failure(() => readRegularFile('/dev/zero', 100)).reason).toMatch(/character device/);
    symlinkSync('/dev/urandom', join(tmp.dir, 'rand'));
    expect(failure(() => readRegularFile(join(tmp.dir, 'rand'), 100)).reason).toMatch(/character device/);
    expect(failure(() => readRegularFile(join(tmp.dir, 'missing'), 100)).reason).toBe('no such file or directory');
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO that nobody writes to (no hang)', () => {
    const fifo = join(tmp.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(failure(() => readRegularFile(fifo, 100)).reason).toMatch(/named pipe/);
  });

  it('refuses a file over the cap', () => {
    const p = tmp.write('big.txt', 'x'.repeat(2048));
    expect(failure(() => readRegularFile(p, 1024)).reason).toMatch(/is 2\.0 KiB, more than the 1\.0 KiB/);
  });
});

describe('decodeUtf8', () => {
  it('decodes valid text and drops a byte-order mark', () => {
    expect(decodeUtf8(Buffer.from('\uFEFFa: é ✓ 😀\n'))).toBe('a: é ✓ 😀\n');
  });

  it('names the line and byte of invalid UTF-8', () => {
    for (const bad of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf5, 0x80, 0x80, 0x80]]) {
      const bytes = Buffer.concat([Buffer.from('ok\nline two '), Buffer.from(bad), Buffer.from(' end')]);
      expect(failure(() => decodeUtf8(bytes)).reason).toBe('is not valid UTF-8 (line 2, byte 13)');
    }
  });
});

describe('one-line messages', () => {
  it('escapes line breaks and control characters from outside text', () => {
    expect(oneLine('a\nb\r\tc\u0000\u2028')).toBe('a\\nb\\r\\tc\\x00\\u2028');
    expect(oneLine('x'.repeat(300)).length).toBe(201);
    const e = new DataError("not a number: '1\n2'", { file: 'd\n.csv', row: 3, column: 'a\nb' });
    expect(e.format()).not.toContain('\n');
  });

  it('a system error that reaches the CLI is one line naming the call and path, without a stack', () => {
    const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/x/y' });
    expect(errorText(err)).toBe('cannot write /x/y: no space left on device');
    expect(errorText(new TypeError('boom'))).toBe('internal error: boom (a bug in dlf; run with DLF_DEBUG=1 for the stack trace)');
  });
});
