package io.entwine.http.admin;

import static io.entwine.http.common.ApiResponses.json;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.entwine.http.common.ApiDirectives;
import io.entwine.http.common.Authentication;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator's view of the cluster on the API port ({@code GET /api/v0002/admin/cluster}), as
 * this node sees it: the same facts as the management port's {@code /cluster/members}, for the
 * console, which can only reach the API's origin.
 */
public final class ClusterRoutes extends ApiDirectives {

  public record MemberJson(String address, String status, List<String> roles, boolean reachable) {}

  public record ClusterJson(String self, String leader, List<MemberJson> members) {}

  private final Authentication authentication;
  private final ActorSystem<?> system;

  public ClusterRoutes(Authentication authentication, ActorSystem<?> system) {
    this.authentication = authentication;
    this.system = system;
  }

  public Route route() {
    return path(
        segment("api").slash("v0002").slash("admin").slash("cluster"),
        () ->
            get(
                () ->
                    authentication.operator(
                        () -> complete(json(StatusCodes.OK, view(Cluster.get(system)))))));
  }

  static ClusterJson view(Cluster cluster) {
    CurrentClusterState state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    List<MemberJson> members = new ArrayList<>();
    for (Member member : state.getMembers()) {
      members.add(
          new MemberJson(
              member.address().toString(),
              member.status().toString(),
              member.getRoles().stream().sorted().collect(Collectors.toList()),
              !unreachable.contains(member)));
    }
    Address leader = state.getLeader();
    return new ClusterJson(
        cluster.selfMember().address().toString(),
        leader == null ? null : leader.toString(),
        members);
  }
}
