package io.tidewatch.node.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewatch.node.cli.ApiClient;
import io.tidewatch.node.cli.ApiException;
import io.tidewatch.node.cli.ApiOptions;
import io.tidewatch.node.cli.Table;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tidewatch cluster}: operator commands over a node's HTTP API (DESIGN §4, role operator). Not runnable by
 * itself, so picocli answers a bare {@code cluster} with "Missing required subcommand" and exit code 2.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "See and steer the cluster through a node's HTTP API.",
    subcommands = {ClusterCommand.Members.class, ClusterCommand.Shards.class, ClusterCommand.Leave.class, ClusterCommand.Down.class})
public final class ClusterCommand {

  /** What the subcommands share: API options, --json, and exit code 1 with one line on stderr when the API fails. */
  abstract static class ApiCall implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the API's JSON answer as it is.")
    boolean json;

    @Override
    public Integer call() {
      ApiClient client = api.client();
      PrintWriter out = spec.commandLine().getOut();
      try {
        JsonNode answer = request(client);
        if (json) {
          out.println(answer);
        } else {
          print(answer, out);
        }
        out.flush();
        return 0;
      } catch (ApiException e) {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
        return 1;
      }
    }

    abstract JsonNode request(ApiClient client);

    abstract void print(JsonNode answer, PrintWriter out);
  }

  @Command(name = "members", mixinStandardHelpOptions = true, description = "The members as the node sees them, the leader and the node itself.")
  static final class Members extends ApiCall {

    @Override
    JsonNode request(ApiClient client) {
      return client.get("/cluster");
    }

    @Override
    void print(JsonNode cluster, PrintWriter out) {
      Table table = new Table("ADDRESS", "STATUS", "ROLES", "REACHABLE");
      for (JsonNode member : cluster.path("members")) {
        List<String> roles = new ArrayList<>();
        member.path("roles").forEach(role -> roles.add(role.asText()));
        table.add(
            member.path("address").asText(),
            member.path("status").asText(),
            roles.isEmpty() ? null : String.join(",", roles),
            member.path("reachable").asBoolean() ? "yes" : "no");
      }
      out.print(table.render());
      out.println("leader: " + cluster.path("leader").asText("none"));
      out.println("self:   " + cluster.path("self").asText());
    }
  }

  @Command(name = "shards", mixinStandardHelpOptions = true, description = "Shards and entities per node, for each entity type.")
  static final class Shards extends ApiCall {

    @Override
    JsonNode request(ApiClient client) {
      return client.get("/cluster/shards");
    }

    @Override
    void print(JsonNode shards, PrintWriter out) {
      String separator = "";
      for (JsonNode type : shards.path("types")) {
        out.print(separator);
        separator = "\n";
        out.println(type.path("type").asText() + ":");
        Table table = new Table("NODE", "SHARDS", "ENTITIES");
        for (JsonNode node : type.path("nodes")) {
          table.add(node.path("address").asText(), node.path("shards").asInt(), node.path("entities").asLong());
        }
        out.print(table.render());
        // Sharding's statistics leave out shards that did not answer; say so, or the counts look complete.
        for (JsonNode node : type.path("nodes")) {
          if (!node.path("failedShards").isEmpty()) {
            out.println("no answer from shards " + node.path("failedShards") + " on " + node.path("address").asText());
          }
        }
      }
    }
  }

  /** leave and down: a POST naming the member, answered with the member's full address. */
  abstract static class MemberAction extends ApiCall {

    @Parameters(paramLabel = "ADDR", description = "The member's address as `cluster members` lists it (pekko://tidewatch@host:port), or host:port.")
    String address;

    abstract String action();

    @Override
    JsonNode request(ApiClient client) {
      return client.post("/cluster/members/" + ApiClient.segment(address) + "/" + action());
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      out.println(action() + " requested for " + answer.path("address").asText(address));
    }
  }

  @Command(name = "leave", mixinStandardHelpOptions = true, description = "Ask a member to leave the cluster gracefully; its shards move to the others first.")
  static final class Leave extends MemberAction {

    @Override
    String action() {
      return "leave";
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true, description = "Mark an unreachable member down so the cluster moves on without it. Only for a member that is really gone: one that is merely cut off would go on as a second cluster.")
  static final class Down extends MemberAction {

    @Override
    String action() {
      return "down";
    }
  }
}
