/** Names Quay accepts for namespaces, repositories and users (util/validation.py, util/names.py). */

/** Organization and user names: lowercase letters, digits and underscores, 2–255 characters. */
export const NAMESPACE_PATTERN = /^[a-z0-9_]{2,255}$/;
/** Repository names: start with a letter or digit; then letters, digits, `.`, `_`, `-`; ≤ 255. */
export const REPOSITORY_PATTERN = /^[a-z0-9][.a-z0-9_-]{0,254}$/;
/** A user or a robot (`namespace+name`). */
export const USERNAME_PATTERN = /^[a-z0-9_]{1,255}(\+[a-z0-9_]{1,255})?$/;

/** The time-machine windows Quay offers by default: 0s, 1d, 1w, 2w, 4w. */
export const TAG_EXPIRATION_OPTIONS_S: readonly number[] = [0, 86_400, 604_800, 1_209_600, 2_419_200];
