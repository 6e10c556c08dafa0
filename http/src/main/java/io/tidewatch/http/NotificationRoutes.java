package io.tidewatch.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidewatch.http.auth.Access;
import io.tidewatch.http.auth.Role;
import io.tidewatch.http.notify.FailedNotifications;
import io.tidewatch.http.notify.FailedNotifications.Failed;
import io.tidewatch.http.notify.FailedNotifications.Resent;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * For operators (issue 18): the webhook notifications the notifier dead-lettered, newest first, and sending one again
 * now. A resend the receiver still refuses answers 502 with its reason, and the notification stays listed.
 */
final class NotificationRoutes extends AllDirectives {

  private final Access access;
  private final FailedNotifications failed;
  private final ObjectMapper mapper;

  NotificationRoutes(Access access, FailedNotifications failed, ObjectMapper mapper) {
    this.access = access;
    this.failed = failed;
    this.mapper = mapper;
  }

  Route routes() {
    return pathPrefix(segment("notifications").slash("failed"), () -> concat(
        pathEnd(() -> get(() -> access.require(Role.OPERATOR, () ->
            parameterMap(p -> json(list(new QueryParams(p))))))),
        path(segment().slash("resend"), id ->
            post(() -> access.require(Role.OPERATOR, () -> json(resend(id)))))));
  }

  private <T> Route json(CompletionStage<T> answer) {
    return onSuccess(answer, value -> completeOK(value, Jackson.marshaller(mapper)));
  }

  private CompletionStage<Page<Failed>> list(QueryParams params) {
    int limit = params.limit();
    String after = params.raw("after");
    if (after != null && !failed.isId(after)) {
      throw ProblemException.badRequest("after must be the next value of a previous page, got \"" + after + "\"");
    }
    return failed.newestFirst(after, limit + 1).thenApply(items -> {
      if (items.size() <= limit) {
        return new Page<>(items, null);
      }
      List<Failed> page = items.subList(0, limit);
      return new Page<>(page, page.get(limit - 1).id());
    });
  }

  private CompletionStage<Resent> resend(String id) {
    if (!failed.isId(id)) {
      throw ProblemException.notFound("no failed notification '" + id + "'");
    }
    return failed.resend(id).thenApply(resent -> {
      Resent answer = resent.orElseThrow(() -> ProblemException.notFound(
          "no failed notification '" + id + "': GET /api/v1/notifications/failed lists them"));
      if (!answer.delivered()) {
        throw new ProblemException(502, "Bad Gateway",
            "receiver '" + answer.receiver() + "' did not take it again, it stays listed: " + answer.detail());
      }
      return answer;
    });
  }
}
