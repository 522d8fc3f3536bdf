package io.p2pchat.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The per-start secret that every HTTP request and the push channel must present. It lives only in
 * memory and in the one stdout line; {@link #toString()} never reveals it.
 */
public final class UiToken {

  /** 256 bits: far beyond guessing, even by a local process hammering the port. */
  public static final int TOKEN_BYTES = 32;

  private final String value;

  private UiToken(String value) {
    this.value = value;
  }

  public static UiToken random(SecureRandom random) {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    return new UiToken(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
  }

  /** The URL-safe text of the token, for the start-up URL and the cookie only. */
  public String value() {
    return value;
  }

  /** Constant-time comparison, so response timing does not leak a prefix of the token. */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.US_ASCII), candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "UiToken[redacted]";
  }
}
