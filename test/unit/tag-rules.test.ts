import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/domain/cursor.js';
import { DomainError } from '../../shared/domain/errors.js';
import { formatQuayDate, isValidTagName, parsePythonInt, pythonRepr, truthyBool } from '../../shared/domain/quay-format.js';
import { EXPIRATION_MAX_S, clampedExpirationEnd, isAlive, isUsableExpiration, nextRangeStart } from '../../shared/domain/tag-rules.js';

describe('formatQuayDate (email.utils.formatdate, -0000)', () => {
  it.each([
    [1_700_000_000, 'Tue, 14 Nov 2023 22:13:20 -0000'],
    [0, 'Thu, 01 Jan 1970 00:00:00 -0000'],
    [951_782_400, 'Tue, 29 Feb 2000 00:00:00 -0000'],
  ])('%i → %s', (seconds, expected) => {
    expect(formatQuayDate(seconds)).toBe(expected);
  });
});

describe('truthyBool (util/parsing.py)', () => {
  it.each(['False', 'false', '0', 'FALSE', '', 'null'])('%j is false', (value) => expect(truthyBool(value)).toBe(false));
  it.each(['true', 'True', '1', 'yes', 'no', 'off', 'nil'])('%j is true', (value) => expect(truthyBool(value)).toBe(true));
  it('absent is false', () => expect(truthyBool(undefined)).toBe(false));
});

describe('parsePythonInt', () => {
  it.each([['5', 5], [' 7 ', 7], ['+3', 3], ['-4', -4], ['05', 5], ['1_0', 10], ['99999999999999999999', 1e20]])('%j → %d', (value, expected) => {
    expect(parsePythonInt(value)).toBe(expected);
  });
  it.each(['abc', '5.0', '', '1e3', '0x10', '1__0', '_1'])('%j is not an int', (value) => {
    expect(parsePythonInt(value)).toBeNull();
  });
});

describe('tag names (TAG_REGEX without the trailing-newline bug)', () => {
  it.each(['latest', 'v1.2.3', '_x', '9', 'a'.repeat(128), 'A-b_c.d'])('%j is valid', (name) => expect(isValidTagName(name)).toBe(true));
  it.each(['', '-x', '.x', 'a'.repeat(129), '北京', 'foo\n', 'a b', 'a/b', 'a:b'])('%j is invalid', (name) => {
    expect(isValidTagName(name)).toBe(false);
  });
});

describe('pythonRepr (jsonschema messages)', () => {
  it('quotes like Python', () => {
    expect(pythonRepr('aksdjhasd')).toBe("'aksdjhasd'");
    expect(pythonRepr(true)).toBe('True');
    expect(pythonRepr(null)).toBe('None');
    expect(pythonRepr({ a: [1, 'x'] })).toBe("{'a': [1, 'x']}");
  });
});

describe('expiration rules', () => {
  const start = 1_700_000_000_123;
  it('clamps the offset from the start to [1 h, 104 w], keeping the sub-second remainder', () => {
    expect(clampedExpirationEnd(start, 1_700_000_001)).toBe(start + 3600 * 1000);
    expect(clampedExpirationEnd(start, 1_700_000_000 + 86_400)).toBe(start + 86_400 * 1000);
    expect(clampedExpirationEnd(start, 1_700_000_000 + 300 * 604_800)).toBe(start + EXPIRATION_MAX_S * 1000);
  });
  it('accepts only real future instants', () => {
    const now = 1_700_000_000_000;
    expect(isUsableExpiration(1_700_000_001, now)).toBe(true);
    expect(isUsableExpiration(1_700_000_000, now)).toBe(false);
    expect(isUsableExpiration(1e12, now)).toBe(false);
    expect(isUsableExpiration(Number.POSITIVE_INFINITY, now)).toBe(false);
  });
  it('alive means no end, or an end strictly ahead, and not closed', () => {
    expect(isAlive({}, 10)).toBe(true);
    expect(isAlive({ end: 11 }, 10)).toBe(true);
    expect(isAlive({ end: 10 }, 10)).toBe(false);
    expect(isAlive({ end: 11, endedBy: 'deleted' }, 10)).toBe(false);
  });
});

describe('nextRangeStart', () => {
  it('is now for a new name', () => expect(nextRangeStart(100, null)).toBe(100));
  it('is after the previous start (same millisecond, lagging clock)', () => {
    expect(nextRangeStart(100, { start: 100 })).toBe(101);
    expect(nextRangeStart(90, { start: 100 })).toBe(101);
  });
  it('never starts inside a closed or expired previous range', () => {
    expect(nextRangeStart(90, { start: 50, end: 120, endedBy: 'deleted' })).toBe(120);
    expect(nextRangeStart(130, { start: 50, end: 120 })).toBe(130);
  });
  it('ignores a pending future expiration of an alive previous range', () => {
    expect(nextRangeStart(100, { start: 50, end: 500 })).toBe(100);
  });
});

describe('cursors', () => {
  it('round-trip within their scope and are refused elsewhere', () => {
    const cursor = encodeCursor('scope-a', { PK: 'REPO#a/b', SK: 'H#1' });
    expect(decodeCursor(cursor, 'scope-a')).toEqual({ PK: 'REPO#a/b', SK: 'H#1' });
    expect(() => decodeCursor(cursor, 'scope-b')).toThrow(DomainError);
    expect(() => decodeCursor('%%%', 'scope-a')).toThrow(DomainError);
  });
});
