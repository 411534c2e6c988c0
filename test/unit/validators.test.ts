/**
 * The precompiled body validators: the committed file is what the schemas generate today, and the
 * validators accept and refuse what Quay's schemas do.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_DTS, GENERATED_JS, generateValidators } from '../../infra/build/generate-validators.js';
import * as validators from '../../shared/http/validators.generated.js';

describe('shared/http/validators.generated.js', () => {
  it('is up to date with shared/http/schemas.ts (run `npm run generate` after changing a schema)', () => {
    const fresh = generateValidators();
    expect(readFileSync(GENERATED_JS, 'utf8')).toBe(fresh.js);
    expect(readFileSync(GENERATED_DTS, 'utf8')).toBe(fresh.dts);
  });

  it('ChangeTag: strings or null for targets, numbers or null for expiration, unknown keys ignored', () => {
    expect(validators.ChangeTag({})).toBe(true);
    expect(validators.ChangeTag({ manifest_digest: null, expiration: null, extra: 1 })).toBe(true);
    expect(validators.ChangeTag({ expiration: 1.5, image: 'abc' })).toBe(true);
    expect(validators.ChangeTag({ expiration: 'aksdjhasd' })).toBe(false);
    expect(validators.ChangeTag.errors?.[0]).toMatchObject({ keyword: 'type', instancePath: '/expiration' });
    expect(validators.ChangeTag({ expiration: true })).toBe(false);
    expect(validators.ChangeTag([])).toBe(false);
    expect(validators.ChangeTag('text')).toBe(false);
  });

  it('RestoreTag refuses null; the admin bodies need their keys and enums', () => {
    expect(validators.RestoreTag({ manifest_digest: null })).toBe(false);
    expect(validators.CreateRepository({ namespace: 'a', repository: 'b', visibility: 'public' })).toBe(true);
    expect(validators.CreateRepository({ namespace: 'a', repository: 'b', visibility: 'secret' })).toBe(false);
    expect(validators.CreateRepository({ namespace: 'a', repository: 'b' })).toBe(false);
    expect(validators.PutPermission({ role: 'owner' })).toBe(false);
    expect(validators.NamespaceSettings({ tag_expiration_s: 1.5 })).toBe(false);
  });
});
