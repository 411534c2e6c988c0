/** GET /v2/{ns}/{repo}/tags/list?n=&last= — alive tag names in lexical order, paged by Link. */
import { isValidTagName } from '../shared/domain/quay-format.js';
import { ociError } from '../shared/http/errors.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRegistry } from '../shared/http/registry-access.js';

/** Page size when the client does not ask for one (and the most it may ask for). */
const MAX_PAGE = 1000;

export const handler = apiHandler(
  'v2-list-tags',
  async (request) => {
    const context = await authorizeRegistry(request, 'read');
    const { n, last } = request.query;
    let limit = MAX_PAGE;
    if (n !== undefined) {
      if (!/^\d+$/.test(n)) throw ociError(400, 'PAGINATION_NUMBER_INVALID', 'invalid number of results requested', { n });
      limit = Math.min(Number(n), MAX_PAGE);
    }
    if (last && !isValidTagName(last)) throw ociError(400, 'TAG_INVALID', 'last is not a tag name', { last });
    const name = `${context.namespace}/${context.repositoryName}`;
    const page =
      limit === 0
        ? { names: [], hasMore: false }
        : await request.deps.store.tags.listAliveTagNames(context.pk, request.deps.clock.now(), limit, last || undefined);
    const headers: Record<string, string> = {};
    if (page.hasMore) {
      const next = new URLSearchParams({ n: String(limit), last: page.names.at(-1) as string });
      headers.link = `</v2/${name}/tags/list?${next}>; rel="next"`;
    }
    return { status: 200, body: { name, tags: page.names }, headers };
  },
  { errors: 'oci' },
);
