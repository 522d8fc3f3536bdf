package io.p2pchat.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A node's mailbox deposit ids: opaque to the rendezvous, readable by the node that made them, also after a
 * restart (an expiry notice names the deposit id days later). {@code did = base64url(AES-128-CBC(key, iv, tag))}
 * with {@code iv} the first 16 bytes of SHA-256 of the recipient's identity key and {@code tag} what the node
 * wants back (a kind letter and a message id, at most {@link #MAX_TAG_BYTES}). The plaintexts are unique per
 * recipient, so the deterministic encryption tells the rendezvous nothing but that two ids differ; copies of
 * one room message for different members share nothing visible (another iv each). The key is 16 random bytes in
 * {@code <dataDir>/mailbox_ids.key}, owner-only, made on first use.
 */
public final class DepositIds {

  /** The key file in the data directory. */
  public static final String FILE = "mailbox_ids.key";
  /** AES-128: the ids need to be unreadable and unforgeable to the rendezvous, not long-term secrets. */
  static final int KEY_BYTES = 16;
  static final int BLOCK = 16;
  /**
   * Longest tag: three AES blocks less one byte of padding (47), so a did is at most 48 bytes, 64 base64
   * characters: the longest deposit id the rendezvous accepts ({@code MailboxControl.DEPOSIT_ID}).
   */
  public static final int MAX_TAG_BYTES = 3 * BLOCK - 1;

  private final SecretKeySpec key;

  DepositIds(byte[] key) {
    this.key = new SecretKeySpec(key.clone(), "AES");
  }

  /** BLOCKING. The key of {@code dataDir}, made (owner-only) on first use. */
  public static DepositIds loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      byte[] fresh = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(fresh);
      SecureFiles.writeOwnerOnly(file, fresh, false); // a racing start keeps the first one
    }
    SecureFiles.refuseWritableByOthers(file);
    byte[] key = SecureFiles.readBounded(file, KEY_BYTES);
    if (key.length != KEY_BYTES) {
      throw new IOException(file + " holds " + key.length + " bytes, not " + KEY_BYTES + ": remove it");
    }
    return new DepositIds(key);
  }

  /** The deposit id for {@code tag} (ASCII, 1..{@link #MAX_TAG_BYTES}) in the mailbox of {@code recipient}. */
  public String seal(String tag, byte[] recipient) {
    byte[] plain = tag.getBytes(StandardCharsets.US_ASCII);
    if (plain.length == 0 || plain.length > MAX_TAG_BYTES) {
      throw new IllegalArgumentException("tag of " + plain.length + " bytes, not 1.." + MAX_TAG_BYTES);
    }
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(cipher(Cipher.ENCRYPT_MODE, recipient).doFinal(plain));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("BUG: AES-CBC with a 16-byte key failed", e);
    }
  }

  /** The tag of a deposit id this node made for {@code recipient}'s mailbox, or empty (not ours, or altered). */
  public Optional<String> open(String did, byte[] recipient) {
    try {
      byte[] sealed = Base64.getUrlDecoder().decode(did);
      if (sealed.length == 0 || sealed.length % BLOCK != 0) {
        return Optional.empty();
      }
      byte[] plain = cipher(Cipher.DECRYPT_MODE, recipient).doFinal(sealed);
      for (byte b : plain) {
        if (b < 0x21 || b > 0x7e) {
          return Optional.empty();
        }
      }
      return plain.length == 0 ? Optional.empty() : Optional.of(new String(plain, StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  private Cipher cipher(int mode, byte[] recipient) throws GeneralSecurityException {
    byte[] iv = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(recipient), BLOCK);
    Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
    c.init(mode, key, new IvParameterSpec(iv));
    return c;
  }
}
