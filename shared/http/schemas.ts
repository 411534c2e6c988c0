/**
 * The JSON Schemas of every request body, in one place. Ajv compiles them ahead of time into
 * shared/http/validators.generated.js (`npm run generate`), so the functions carry no schema
 * compiler: Ajv's compiler is about 120 KB of bundle and half the module initialization time of a
 * function that takes a body (bench/RESULTS.md). A unit test fails when the generated file is stale.
 * Like Quay's schemas, none sets additionalProperties: unknown keys are ignored. Every free-text field
 * has a maximum length (limits.ts), so no accepted value can outgrow a DynamoDB item.
 */
import type { FromSchema } from './schema-types.js';
import { MAX_DESCRIPTION_LENGTH, MAX_EMAIL_LENGTH, MAX_TAG_CHANGES } from '../domain/limits.js';
import { MAX_DURATION_LENGTH, MAX_TAG_PATTERN_LENGTH } from '../domain/retention-policy.js';

/** Quay's AutoPrunePolicyConfig, shared by the policy routes and the preview. */
const autoprunePolicySchema = {
  type: 'object',
  required: ['method', 'value'],
  properties: {
    method: { type: 'string', maxLength: 32 },
    value: { type: ['integer', 'string'], maxLength: MAX_DURATION_LENGTH },
    // Trimmed before the 256-character check: leave room for surrounding blanks.
    tagPattern: { type: 'string', maxLength: 4 * MAX_TAG_PATTERN_LENGTH },
    tagPatternMatches: { type: 'boolean' },
  },
} as const;

export const bodySchemas = {
  /** Quay's ChangeTag (`image`, `manifest_digest`, `expiration`, `immutable`), no required keys. */
  ChangeTag: {
    type: 'object',
    properties: {
      image: { type: ['string', 'null'] },
      manifest_digest: { type: ['string', 'null'] },
      expiration: { type: ['number', 'null'] },
      immutable: { type: 'boolean' },
    },
  },
  /** Quay's ImmutabilityPolicyConfig: unknown keys ignored. */
  ImmutabilityPolicyConfig: {
    type: 'object',
    required: ['tagPattern'],
    properties: { tagPattern: { type: 'string' }, tagPatternMatches: { type: 'boolean' } },
  },
  /** Quay's RestoreTag: strings only (no null). */
  RestoreTag: {
    type: 'object',
    properties: { image: { type: 'string' }, manifest_digest: { type: 'string' } },
  },
  /** POST …/tag/: several tag changes in one transaction (extension). */
  TagChanges: {
    type: 'object',
    required: ['changes'],
    properties: {
      changes: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_TAG_CHANGES,
        items: {
          type: 'object',
          required: ['tag'],
          properties: {
            tag: { type: 'string', maxLength: 255 },
            manifest_digest: { type: 'string', maxLength: 200 },
            delete: { type: 'boolean' },
            expected_manifest_digest: { type: ['string', 'null'], maxLength: 200 },
          },
        },
      },
    },
  },
  CreateOrganization: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string' }, email: { type: 'string', maxLength: MAX_EMAIL_LENGTH } },
  },
  NamespaceSettings: {
    type: 'object',
    properties: { tag_expiration_s: { type: 'integer' }, email: { type: 'string', maxLength: MAX_EMAIL_LENGTH } },
  },
  CreateRepository: {
    type: 'object',
    required: ['namespace', 'repository', 'visibility'],
    properties: {
      namespace: { type: 'string' },
      repository: { type: 'string' },
      visibility: { type: 'string', enum: ['public', 'private'] },
      description: { type: 'string', maxLength: MAX_DESCRIPTION_LENGTH },
      repo_kind: { type: 'string', enum: ['image', 'application'] },
    },
  },
  ChangeVisibility: {
    type: 'object',
    required: ['visibility'],
    properties: { visibility: { type: 'string', enum: ['public', 'private'] } },
  },
  PutPermission: {
    type: 'object',
    required: ['role'],
    properties: { role: { type: 'string', enum: ['read', 'write', 'admin'] } },
  },
  /** Quay's AutoPrunePolicyConfig (auto-prune policies of every scope); lengths bounded here. */
  AutoprunePolicy: autoprunePolicySchema,
  /** The preview's optional body: policies to try instead of the saved ones. */
  AutoprunePreview: {
    type: 'object',
    properties: {
      policies: {
        type: 'array',
        maxItems: 100,
        items: autoprunePolicySchema,
      },
    },
  },
  /** Quay's NotificationCreateRequest (repository notifications, docs/events.md). */
  CreateNotification: {
    type: 'object',
    required: ['event', 'method', 'config', 'eventConfig'],
    properties: {
      event: { type: 'string', maxLength: 64 },
      method: { type: 'string', maxLength: 64 },
      config: { type: 'object', properties: { url: { type: 'string' } } },
      eventConfig: { type: 'object', properties: { days: { type: 'integer' }, tag_pattern: { type: 'string' } } },
      title: { type: 'string', maxLength: 255 },
    },
  },
} as const;

export type BodySchemaName = keyof typeof bodySchemas;

/** The body types the schemas accept, derived from them (a drift fails the typecheck). */
export type BodyTypes = { [Name in BodySchemaName]: FromSchema<(typeof bodySchemas)[Name]> };

