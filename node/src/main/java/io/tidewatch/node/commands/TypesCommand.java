package io.tidewatch.node.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.tidewatch.node.cli.ApiClient;
import io.tidewatch.node.cli.ApiException;
import io.tidewatch.node.cli.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tidewatch types}: the live configuration of entity types over a node's HTTP API (issue 19): list the types,
 * show one's rules and pipeline, list its versions, and change its rules or pipeline from a file written as the
 * configuration file's keys are (HOCON or JSON).
 */
@Command(
    name = "types",
    mixinStandardHelpOptions = true,
    description = "See and change the anomaly rules and pipelines of entity types, live.",
    subcommands = {TypesCommand.ListTypes.class, TypesCommand.Show.class, TypesCommand.Versions.class,
        TypesCommand.SetRules.class, TypesCommand.SetPipeline.class})
public final class TypesCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Each type, its windows and its current version.")
  static final class ListTypes extends ClusterCommand.ApiCall {

    @Override
    JsonNode request(ApiClient client) {
      return client.get("/types");
    }

    @Override
    void print(JsonNode types, PrintWriter out) {
      Table table = new Table("TYPE", "VERSION", "CHANGE", "BY", "AT", "WINDOWS");
      for (JsonNode type : types.path("items")) {
        JsonNode current = type.path("current");
        table.add(type.path("type").asText(), current.path("version").asInt(), current.path("change").asText(),
            current.path("changedBy").asText(), Instant.ofEpochMilli(current.path("changedAt").asLong()).toString(),
            String.join(",", JSON.convertValue(type.path("windows"), String[].class)));
      }
      out.print(table.render());
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "The current anomaly rules and pipeline of a type.")
  static final class Show extends ClusterCommand.ApiCall {

    @Parameters(index = "0", paramLabel = "TYPE", description = "The entity type, e.g. sensor.")
    String type;

    @Override
    JsonNode request(ApiClient client) {
      return client.get("/types/" + ApiClient.segment(type) + "/rules");
    }

    @Override
    void print(JsonNode version, PrintWriter out) {
      out.println(type + " version " + version.path("version").asInt() + " (" + version.path("change").asText()
          + " by " + version.path("changedBy").asText() + ", " + Instant.ofEpochMilli(version.path("changedAt").asLong())
          + ")");
      out.println("anomalies = " + version.path("anomalies").toPrettyString());
      out.println("pipeline = " + version.path("pipeline").toPrettyString());
    }
  }

  @Command(name = "versions", mixinStandardHelpOptions = true, description = "Every version of a type's configuration, oldest first.")
  static final class Versions extends ClusterCommand.ApiCall {

    @Parameters(index = "0", paramLabel = "TYPE", description = "The entity type, e.g. sensor.")
    String type;

    @Override
    JsonNode request(ApiClient client) {
      return client.get("/types/" + ApiClient.segment(type) + "/versions");
    }

    @Override
    void print(JsonNode versions, PrintWriter out) {
      Table table = new Table("VERSION", "CHANGE", "BY", "AT", "RULES", "STEPS");
      for (JsonNode v : versions.path("items")) {
        table.add(v.path("version").asInt(), v.path("change").asText(), v.path("changedBy").asText(),
            Instant.ofEpochMilli(v.path("changedAt").asLong()).toString(), v.path("anomalies").size(),
            v.path("pipeline").size());
      }
      out.print(table.render());
    }
  }

  /** A change from a file: its list under {@code key} (or the file is the list itself), sent as JSON. */
  abstract static class Change extends ClusterCommand.ApiCall {

    @Parameters(index = "0", paramLabel = "TYPE", description = "The entity type, e.g. sensor.")
    String type;

    @Parameters(index = "1", paramLabel = "FILE",
        description = "HOCON or JSON: the list itself, or a block with the list under its configuration key.")
    Path file;

    @Option(names = "--by", description = "Who makes the change, recorded with the version (default: operator).")
    String by;

    abstract String key();

    @Override
    JsonNode request(ApiClient client) {
      ObjectNode body = JSON.createObjectNode();
      body.set(key(), readList());
      if (by != null) {
        body.put("changedBy", by);
      }
      return client.put("/types/" + ApiClient.segment(type) + "/" + (key().equals("anomalies") ? "rules" : key()),
          body.toString());
    }

    private JsonNode readList() {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new ApiException("cannot read " + file + ": " + e.getMessage(), e);
      }
      try {
        ConfigValue value = text.strip().startsWith("[")
            ? ConfigFactory.parseString("list = " + text).getValue("list")
            : ConfigFactory.parseString(text).getValue(key());
        return JSON.readTree(value.render(ConfigRenderOptions.concise()));
      } catch (ConfigException | IOException e) {
        throw new ApiException(file + " is not a list of " + key() + ": " + e.getMessage(), e);
      }
    }

    @Override
    void print(JsonNode version, PrintWriter out) {
      out.println(type + " is at version " + version.path("version").asInt() + " (" + version.path("change").asText()
          + " by " + version.path("changedBy").asText() + ")");
    }
  }

  @Command(name = "set-rules", mixinStandardHelpOptions = true, description = "Replace a type's anomaly rules: a new version.")
  static final class SetRules extends Change {
    @Override
    String key() {
      return "anomalies";
    }
  }

  @Command(name = "set-pipeline", mixinStandardHelpOptions = true, description = "Replace a type's pipeline: a new version.")
  static final class SetPipeline extends Change {
    @Override
    String key() {
      return "pipeline";
    }
  }
}
