package io.p2pchat.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The canonical byte strings a client signs with its Ed25519 identity key and the rendezvous
 * verifies: one per signed CONTROL message, each starting with its own context string and a zero
 * byte (domain separation: a signature of one kind can never pass as another, nor as the
 * {@code "p2pchat-static-v1"} binding of {@link io.p2pchat.crypto.NodeIdentity}). Every string is
 * written as u16 length + UTF-8 bytes, so no two different field lists give the same bytes.
 * <pre>
 *   register: "p2pchat-register-v1" 0x00 | v u8 | cookie (16) | key (32) | nick | room | instance
 *             | count u8 | local[0] | ... | local[count-1]
 *   bye:      "p2pchat-bye-v1" 0x00 | key (32) | nick | instance
 * </pre>
 * The local candidates are signed as the strings the client sent, never as re-formatted addresses.
 */
public final class ControlSigning {

  public static final String REGISTER_CONTEXT = "p2pchat-register-v1";
  public static final String BYE_CONTEXT = "p2pchat-bye-v1";

  private ControlSigning() {
  }

  public static byte[] register(int version, byte[] cookie, byte[] key, String nick, String room,
                                String instance, List<String> local) {
    Writer w = new Writer(REGISTER_CONTEXT);
    w.out.write(version);
    w.out.writeBytes(cookie);
    w.out.writeBytes(key);
    w.string(nick).string(room).string(instance);
    w.out.write(local.size());
    local.forEach(w::string);
    return w.out.toByteArray();
  }

  public static byte[] bye(byte[] key, String nick, String instance) {
    Writer w = new Writer(BYE_CONTEXT);
    w.out.writeBytes(key);
    w.string(nick).string(instance);
    return w.out.toByteArray();
  }

  private static final class Writer {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    Writer(String context) {
      out.writeBytes(context.getBytes(StandardCharsets.US_ASCII));
      out.write(0);
    }

    Writer string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      // Control fields are at most Control.MAX_STRING characters: always below 2^16 bytes.
      out.write(b.length >>> 8);
      out.write(b.length & 0xFF);
      out.writeBytes(b);
      return this;
    }
  }
}
