/**
 * Bundled in place of `@smithy/core/event-streams` (an alias in the functions' esbuild options):
 * the SDK loads it only for event-stream operations, which DynamoDB does not have, and it is about
 * 15 KB of every bundle. Anything that reaches it is a bug, so it fails loudly.
 */
function unavailable(): never {
  throw new Error('event streams are not bundled (shared/no-event-streams.ts)');
}

export const EventStreamSerde = unavailable;
export const eventStreamSerdeProvider = unavailable;
