/**
 * Names as Quay has them (util/validation.py, util/names.py), enforced at every entry: namespaces
 * and repositories created, token subjects, path parameters.
 */

/** Namespaces (users, organizations): lowercase alphanumeric runs joined by single `.`, `_` or `-`. */
const NAME_RUNS = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
export const NAMESPACE_PATTERN = new RegExp(`^(?=.{2,255}$)${NAME_RUNS}$`);
/** Repository names: the same runs, 1–255 characters. */
export const REPOSITORY_PATTERN = new RegExp(`^(?=.{1,255}$)${NAME_RUNS}$`);
/** A robot: `namespace+name`, both parts namespace-shaped, 255 characters at most in all. */
export const ROBOT_PATTERN = new RegExp(`^(?=.{5,255}$)${NAME_RUNS}\\+${NAME_RUNS}$`);
/** A user (namespace-shaped) or a robot. */
export function isUserName(name: string): boolean {
  return NAMESPACE_PATTERN.test(name) || ROBOT_PATTERN.test(name);
}

/** The time-machine windows Quay offers by default: 0s, 1d, 1w, 2w, 4w. */
export const TAG_EXPIRATION_OPTIONS_S: readonly number[] = [0, 86_400, 604_800, 1_209_600, 2_419_200];

/**
 * Whether a namespace or repository name from a request path could name anything stored. Only
 * names the creation rules accept exist; in particular a decoded `/` (`x%2Fapp`) never reaches a
 * key, where it would name another namespace's repository.
 */
export function isStorableName(name: string): boolean {
  return REPOSITORY_PATTERN.test(name);
}

/** A legacy image id: 64 lowercase hex characters (shared/domain/legacy-ids.ts). */
export const LEGACY_IMAGE_ID_PATTERN = /^[0-9a-f]{64}$/;
