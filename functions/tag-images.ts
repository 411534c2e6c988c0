/**
 * GET /api/v1/repository/{ns}/{repo}/tag/{tag}/images — Quay [L] listTagImages (deprecated there
 * too): the legacy image chain of the tag's manifest, leaf first.
 */
import { quay } from '../shared/http/errors.js';
import { legacyImagesOfTag } from '../shared/domain/legacy-images.js';
import { truthyBool } from '../shared/domain/quay-format.js';
import { apiHandler } from '../shared/http/api.js';
import { authorizeRepository, rejectApplicationRepository, requireRepository } from '../shared/http/repository-access.js';

export const handler = apiHandler('tag-images', async (request) => {
  const context = await authorizeRepository(request, 'read');
  rejectApplicationRepository(context);
  const owned = truthyBool(request.query.owned);
  requireRepository(context);
  const images = await legacyImagesOfTag(request.deps, context.pk, request.params.tag, owned);
  if (!images) throw quay.notFound();
  return { status: 200, body: { images }, headers: { deprecation: 'true' } };
});
