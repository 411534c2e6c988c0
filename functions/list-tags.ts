/** GET /api/v1/repository/{ns}/{repo}/tag/ — Quay's listRepoTags. */
import { listTags } from '../shared/domain/list-tags.js';
import type { ListTagsInput } from '../shared/domain/list-tags.js';
import { parsePythonInt, truthyBool } from '../shared/domain/quay-format.js';
import { quay } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { instantParam } from '../shared/http/instants.js';
import { authorizeRepositoryAlongside, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

const LIMIT_HELP = 'Limit to the number of results to return per page. Max 100.';
const PAGE_HELP = 'Page index for the results. Default 1.';
const FILTER_SYNTAX_ERROR =
  "Unsupported syntax for filter_tag_name. Expected <operation>:<tag_name> where <operation>can be 'like' or 'eq'.";

function intParam(value: string | undefined, name: string, help: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = parsePythonInt(value);
  if (parsed === null) throw quay.message(400, { [name]: help });
  return parsed;
}

function nameFilter(value: string | undefined): ListTagsInput['nameFilter'] {
  if (!value) return null;
  const colon = value.indexOf(':');
  if (colon < 0) throw quay.message(400, FILTER_SYNTAX_ERROR);
  const op = value.slice(0, colon);
  // Quay ignores an unknown operation rather than rejecting it.
  return op === 'eq' || op === 'like' ? { op, value: value.slice(colon + 1) } : null;
}

/** The listing a request asks for; throws the 400s of its arguments in Quay's order. */
function listingInput(query: Record<string, string | undefined>, pk: string, repositoryFound: () => void): ListTagsInput {
  // reqparse converts the arguments first; the filter syntax is checked later, in Quay's data layer,
  // after the repository lookup.
  const limit = Math.min(100, Math.max(1, intParam(query.limit, 'limit', LIMIT_HELP, 50)));
  const page = Math.max(1, intParam(query.page, 'page', PAGE_HELP, 1));
  const atMs = instantParam(query.at, 'at');
  repositoryFound();
  return {
    pk,
    specificTag: query.specificTag || null,
    nameFilter: nameFilter(query.filter_tag_name),
    onlyActive: truthyBool(query.onlyActiveTags),
    page,
    limit,
    cursor: query.next_page || null,
    atMs,
  };
}

export const handler = apiHandler('list-tags', async (request) => {
  const { query, deps } = request;
  // The first page of ranges is read alongside the authorization (arguments that do not parse wait
  // for it, to be refused in Quay's order); its manifests only once the request passed every check.
  let allow = () => {};
  const decided = new Promise<void>((resolve) => (allow = resolve));
  const { context, data } = await authorizeRepositoryAlongside(request, 'read', async (pk) => {
    let input: ListTagsInput;
    try {
      input = listingInput(query, pk, () => undefined);
    } catch {
      return null;
    }
    // Only the one-page listings: deeper pages and point-in-time reads cost more, and a caller
    // without rights must not make the service read more than a page for nothing.
    return input.page === 1 && input.atMs === null ? listTags(deps, { ...input, decided }) : null;
  });
  rejectApplicationRepository(context);
  const input = listingInput(query, context.pk, () => requireRepository(context));
  allow();
  return { status: 200, body: (await data()) ?? (await listTags(deps, input)) };
});
