package io.entwine.http.admin;

import static io.entwine.http.common.ApiResponses.error;
import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import io.entwine.http.common.IdBookmarks;
import io.entwine.http.ibm.RegistryPaging;
import io.entwine.identity.Ids;
import io.entwine.registry.view.ListedOrganization;
import io.entwine.registry.view.OrganizationRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v0002/admin/organizations}: the operator's list of organizations from the read
 * model, ordered by id and paged like the v0002 lists ({@code _limit}, 25 unless given, at most
 * {@link RegistryPaging#MAX_LIMIT}; {@code _bookmark} from the previous page, present only when
 * more follow; {@code meta.total_rows}). An organization is listed 2–5 s after it was created.
 */
public final class OrganizationListRoutes extends ApiDirectives {
  static final int DEFAULT_LIMIT = 25;

  public record OrganizationJson(String id, String name, Instant created) {}

  public record Meta(@JsonProperty("total_rows") long totalRows) {}

  public record Page(List<OrganizationJson> results, Meta meta, String bookmark) {}

  private final OrganizationRepository organizations;
  private final Authentication authentication;

  public OrganizationListRoutes(
      OrganizationRepository organizations, Authentication authentication) {
    this.organizations = organizations;
    this.authentication = authentication;
  }

  public Route route() {
    return pathPrefix(
        segment("api").slash("v0002").slash("admin").slash("organizations"),
        () ->
            pathEndOrSingleSlash(
                () ->
                    get(
                        () ->
                            authentication.operator(
                                () ->
                                    RegistryPaging.pageParameters(
                                        (limit, bookmark) ->
                                            RegistryPaging.pageSize(
                                                limit,
                                                DEFAULT_LIMIT,
                                                size -> page(size, bookmark)))))));
  }

  private Route page(int limit, Optional<String> bookmark) {
    String after = bookmark.map(b -> IdBookmarks.idOf(b, Ids::isOrgId)).orElse(null);
    if (bookmark.isPresent() && after == null) {
      return complete(error(StatusCodes.BAD_REQUEST, "Invalid _bookmark"));
    }
    return onSuccess(
        organizations.organizationsAfter(after, limit + 1),
        following ->
            onSuccess(
                organizations.count(),
                total -> complete(json(StatusCodes.OK, page(following, limit, total)))));
  }

  private static Page page(List<ListedOrganization> following, int limit, long total) {
    List<ListedOrganization> shown = following.subList(0, Math.min(limit, following.size()));
    String next =
        following.size() > limit ? IdBookmarks.after(shown.get(shown.size() - 1).id()) : null;
    return new Page(
        shown.stream().map(o -> new OrganizationJson(o.id(), o.name(), o.created())).toList(),
        new Meta(total),
        next);
  }
}
