package io.tidewatch.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Signatures as the Standard Webhooks specification and its reference libraries compute them. */
class WebhookSignerTest {

  // The specification's published test vector (standard-webhooks libraries' signing tests).
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330L;
  private static final String PAYLOAD = "{\"test\": 2432232314}";

  @Test
  void signsTheSpecificationsTestVector() {
    assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        WebhookSigner.fromSecret(SECRET).sign(MSG_ID, TIMESTAMP, PAYLOAD));
  }

  @Test
  void signsTheIdAndTheTimestampAsWellAsTheBody() {
    WebhookSigner signer = WebhookSigner.fromSecret(SECRET);
    String signature = signer.sign(MSG_ID, TIMESTAMP, PAYLOAD);

    assertNotEquals(signature, signer.sign(MSG_ID, TIMESTAMP + 1, PAYLOAD));
    assertNotEquals(signature, signer.sign("msg_other", TIMESTAMP, PAYLOAD));
  }

  @Test
  void refusesSecretsThatAreNotWhsecAndBase64() {
    assertThrows(IllegalArgumentException.class, () -> WebhookSigner.fromSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    assertThrows(IllegalArgumentException.class, () -> WebhookSigner.fromSecret("whsec_not base64!"));
    assertThrows(IllegalArgumentException.class, () -> WebhookSigner.fromSecret("whsec_"));
  }
}
