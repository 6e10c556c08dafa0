package io.tidewatch.node.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a webhook the Standard Webhooks way (standardwebhooks.com): {@code webhook-signature: v1,<base64 of
 * HMAC-SHA256(key, id + "." + timestamp + "." + body)>}, where the key is the base64 after {@code whsec_} in the
 * receiver's secret. The timestamp is signed too, so a receiver can refuse a replayed old request.
 */
public final class WebhookSigner {

  public static final String PREFIX = "whsec_";
  private static final String HMAC = "HmacSHA256";

  private final SecretKeySpec key;

  private WebhookSigner(byte[] key) {
    this.key = new SecretKeySpec(key, HMAC);
  }

  /** @throws IllegalArgumentException for a secret that is not {@code whsec_} and base64 of at least one byte */
  public static WebhookSigner fromSecret(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      throw new IllegalArgumentException("a webhook secret is whsec_ followed by base64 (Standard Webhooks)");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the part after whsec_ is not base64: " + e.getMessage());
    }
    if (key.length == 0) {
      throw new IllegalArgumentException("a webhook secret needs a key after whsec_");
    }
    return new WebhookSigner(key);
  }

  /** The value of {@code webhook-signature} for this id, timestamp (epoch seconds) and body. */
  public String sign(String webhookId, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance(HMAC); // not thread-safe: one per signature, signatures are rare
      mac.init(key);
      byte[] digest = mac.doFinal((webhookId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "WebhookSigner[secret hidden]"; // records holding it print without the key
  }
}
