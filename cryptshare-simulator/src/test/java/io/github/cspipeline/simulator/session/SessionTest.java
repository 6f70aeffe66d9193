package io.github.cspipeline.simulator.session;

import static io.github.cspipeline.simulator.SimulatorClient.OTHER_SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.RECIPIENT;
import static io.github.cspipeline.simulator.SimulatorClient.SENDER;
import static io.github.cspipeline.simulator.SimulatorClient.TRACKING_ID_PATTERN;
import static io.github.cspipeline.simulator.SimulatorClient.sessionPath;
import static io.github.cspipeline.simulator.SimulatorClient.sessionsPath;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.cspipeline.simulator.SimulatorClient;
import io.github.cspipeline.simulator.SimulatorClient.Response;
import io.github.cspipeline.simulator.SimulatorTestSupport;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SessionTest extends SimulatorTestSupport {

  @Test
  void creates_a_session_whose_url_ends_in_a_cryptshare_style_tracking_id() {
    String token = simulator.token(SENDER);

    Response response =
        simulator.send(simulator.api(sessionsPath(SENDER), token).POST(BodyPublishers.noBody()));

    assertThat(response.status()).isEqualTo(201);
    assertThat(response.location())
        .startsWith(
            simulator.base() + "/api/users/" + SENDER + "/transfer-sessions/20261126-101500-");
    String trackingId = response.location().substring(response.location().lastIndexOf('/') + 1);
    assertThat(trackingId).matches(TRACKING_ID_PATTERN);
    assertThat(simulator.session(SENDER, token, trackingId).status()).isEqualTo(200);
  }

  @Test
  void takes_recipients_at_creation_and_changes_them_and_settings_by_patch() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);

    JsonNode created = simulator.session(SENDER, token, trackingId).data();
    Response patched =
        simulator.patchSession(
            SENDER,
            token,
            trackingId,
            """
                        {"recipients": {"to": [{"mail": "carol@example.org"}],
                                        "cc": [{"mail": "dave@example.org"}]},
                         "securityMode": {"name": "ONE_TIME_PASSWORD",
                                          "config": {"passwordMode": "NONE"}},
                         "expirationDate": "2026-12-01T12:00:00+01:00",
                         "sendRecipientNotification": false,
                         "notificationMessage": {"subject": "Hi", "body": "Files for you"}}
            """);

    assertThat(created.get("recipients").get("to").get(0).get("mail").asString())
        .isEqualTo(RECIPIENT);
    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    JsonNode session = patched.data();
    assertThat(session.get("recipients").get("to").get(0).get("mail").asString())
        .isEqualTo("carol@example.org");
    assertThat(session.get("recipients").get("cc").get(0).get("mail").asString())
        .isEqualTo("dave@example.org");
    assertThat(session.get("securityMode").get("config").get("passwordMode").asString())
        .isEqualTo("NONE");
    assertThat(session.get("expirationDate").asString()).isEqualTo("2026-12-01T11:00:00+00:00");
    assertThat(session.get("sendRecipientNotification").asBoolean()).isFalse();
    assertThat(session.get("notificationMessage").get("subject").asString()).isEqualTo("Hi");
  }

  @Test
  void refuses_a_patch_with_an_expiration_in_the_past_or_an_unknown_password_mode() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);

    Response past = patch(token, trackingId, "{\"expirationDate\": \"2026-11-26T10:00:00Z\"}");
    Response unknownMode =
        patch(
            token,
            trackingId,
            "{\"securityMode\": {\"config\": {\"passwordMode\": \"SOMETIMES\"}}}");

    assertError(past, 409, 2001);
    assertError(unknownMode, 400, 1004);
  }

  @Test
  void marks_a_file_uploaded_only_when_one_put_carried_all_announced_bytes() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);
    String fileId = simulator.addFile(SENDER, token, trackingId, "report.pdf", 4);

    String registered = fileState(token, trackingId);
    Response partial = simulator.upload(SENDER, token, trackingId, fileId, new byte[3]);
    String afterPartial = fileState(token, trackingId);
    Response tooMuch = simulator.upload(SENDER, token, trackingId, fileId, new byte[5]);
    Response complete = simulator.upload(SENDER, token, trackingId, fileId, new byte[4]);
    String afterComplete = fileState(token, trackingId);

    assertThat(registered).isEqualTo("INITIALIZED");
    assertThat(partial.status()).isEqualTo(200);
    assertThat(afterPartial).isEqualTo("INITIALIZED");
    assertError(tooMuch, 409, 2001);
    assertThat(complete.status()).isEqualTo(200);
    assertThat(afterComplete).isEqualTo("UPLOADED");
  }

  @Test
  void answers_file_registration_with_201_location_and_file_id() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);

    Response response = simulator.addFileResponse(SENDER, token, trackingId, "a.pdf", 10);

    assertThat(response.status()).isEqualTo(201);
    String fileId = response.data().get("fileId").asString();
    assertThat(response.location())
        .isEqualTo(simulator.base() + sessionPath(SENDER, trackingId) + "/files/" + fileId);
  }

  @Test
  void refuses_a_file_without_name_or_size() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);
    String files = sessionPath(SENDER, trackingId) + "/files";

    Response noName =
        simulator.send(SimulatorClient.post(simulator.api(files, token), "{\"size\": 1}"));
    Response noSize =
        simulator.send(SimulatorClient.post(simulator.api(files, token), "{\"fileName\": \"a\"}"));
    Response negative =
        simulator.send(
            SimulatorClient.post(simulator.api(files, token), "{\"fileName\":\"a\",\"size\":-1}"));

    assertThat(List.of(noName.status(), noSize.status(), negative.status())).containsOnly(400);
    assertThat(List.of(noName.errorCode(), noSize.errorCode(), negative.errorCode()))
        .containsExactly(1002, 1002, 1004);
  }

  @Test
  void lets_only_the_token_that_created_a_session_use_it() {
    String token = simulator.token(SENDER);
    String otherToken = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);

    Response read = simulator.session(SENDER, otherToken, trackingId);
    Response addFile = simulator.addFileResponse(SENDER, otherToken, trackingId, "a.pdf", 1);

    assertThat(List.of(read, addFile)).allSatisfy(response -> assertError(response, 401, 3002));
  }

  @Test
  void answers_404_2003_for_an_unknown_session_or_one_of_another_sender() {
    String token = simulator.token(SENDER);
    String otherToken = simulator.token(OTHER_SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);

    Response unknown = simulator.session(SENDER, token, "20261126-101500-unknown1");
    Response otherSender = simulator.session(OTHER_SENDER, otherToken, trackingId);

    assertThat(List.of(unknown, otherSender))
        .allSatisfy(response -> assertError(response, 404, 2003));
  }

  @Test
  void deletes_files_and_sessions() {
    String token = simulator.token(SENDER);
    String trackingId = simulator.createSession(SENDER, token, RECIPIENT);
    String fileId = simulator.addFile(SENDER, token, trackingId, "a.pdf", 1);
    String filePath = sessionPath(SENDER, trackingId) + "/files/" + fileId;

    Response fileDeleted = simulator.send(simulator.api(filePath, token).DELETE());
    Response fileAgain = simulator.send(simulator.api(filePath, token).DELETE());
    Response sessionDeleted =
        simulator.send(simulator.api(sessionPath(SENDER, trackingId), token).DELETE());

    assertThat(fileDeleted.status()).isEqualTo(204);
    assertThat(fileAgain.status()).isEqualTo(404);
    assertThat(sessionDeleted.status()).isEqualTo(204);
    assertThat(simulator.session(SENDER, token, trackingId).status()).isEqualTo(404);
  }

  private Response patch(String token, String trackingId, String json) {
    return simulator.patchSession(SENDER, token, trackingId, json);
  }

  private String fileState(String token, String trackingId) {
    return simulator
        .session(SENDER, token, trackingId)
        .data()
        .get("files")
        .get(0)
        .get("state")
        .asString();
  }
}
