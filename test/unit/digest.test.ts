import { describe, it, expect } from 'vitest';
import { isValidDigest, sha256Digest } from '../../shared/domain/digest.js';

const enc = new TextEncoder();

describe('sha256Digest', () => {
  it('hashes the exact bytes (known vectors)', () => {
    expect(sha256Digest(new Uint8Array())).toBe(
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Digest(enc.encode('abc'))).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('changes when only whitespace changes', () => {
    expect(sha256Digest(enc.encode('{"a":1}'))).not.toBe(sha256Digest(enc.encode('{"a": 1}')));
  });

  it('produces a valid digest', () => {
    expect(isValidDigest(sha256Digest(enc.encode('x')))).toBe(true);
  });
});

describe('isValidDigest', () => {
  const hex64 = 'a'.repeat(64);
  it('accepts sha256 and sha512', () => {
    expect(isValidDigest(`sha256:${hex64}`)).toBe(true);
    expect(isValidDigest(`sha512:${'0'.repeat(128)}`)).toBe(true);
  });

  it.each([
    ['uppercase hex', `sha256:${'A'.repeat(64)}`],
    ['short hex', `sha256:${'a'.repeat(63)}`],
    ['long hex', `sha256:${'a'.repeat(65)}`],
    ['sha512 with 64 hex', `sha512:${hex64}`],
    ['unregistered algorithm', `md5:${hex64}`],
    ['no algorithm', hex64],
    ['trailing newline', `sha256:${hex64}\n`],
    ['empty', ''],
  ])('rejects %s', (_label, value) => {
    expect(isValidDigest(value)).toBe(false);
  });

  it('rejects non-strings', () => {
    for (const value of [undefined, null, 42, {}, [`sha256:${hex64}`]]) {
      expect(isValidDigest(value)).toBe(false);
    }
  });
});
