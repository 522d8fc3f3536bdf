package io.p2pchat.rendezvous;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.p2pchat.control.ControlCodec;
import io.p2pchat.crypto.MailboxSeal;
import io.p2pchat.crypto.NodeIdentity;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing in the rendezvous's files is plaintext: a real rendezvous takes deposits of envelopes sealed by
 * {@link MailboxSeal} from known texts, and every file of its data directory (the key, {@code mailbox.db} and its
 * {@code -wal} and {@code -shm}) is searched for each text as UTF-8, UTF-16 (both byte orders) and base64 (every
 * alignment), while it runs and after it stopped; none is found. The search is shown to work on the same files:
 * a canary deposited unsealed (the rendezvous stores what it is given) is found.
 */
class MailboxPlaintextTest {

  @TempDir
  Path dataDir;

  @Test
  void noSealedTextIsInTheRendezvousFilesButAnUnsealedOneWouldBe() throws Exception {
    NodeIdentity bob = NodeIdentity.generate();
    String canary = "canary: this line was deposited unsealed, 4f1c9e";
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      texts.add("meet me at the old mill at " + i + " o'clock, bring the map (secret " + (1000 + i * 37) + ")");
    }
    RendezvousHarness server = new RendezvousHarness(new JsonObject().put("dataDir", dataDir.toString()));
    try (UdpClient alice = new UdpClient(server.port(), "alice", "lobby", NodeIdentity.generate())) {
      assertEquals("registered", alice.register().getString("t"));
      for (int i = 0; i < texts.size(); i++) {
        byte[] sealed = MailboxSeal.seal(alice.identity, bob.staticPublicKey(), bob.signingPublicKey(),
          texts.get(i).getBytes(StandardCharsets.UTF_8), ControlCodec.SUITE);
        assertEquals("deposited", MailboxWire.deposit(alice, "t" + i, bob.signingPublicKey(), sealed).getString("t"));
      }
      byte[] plain = canary.getBytes(StandardCharsets.UTF_8);
      assertEquals("deposited", MailboxWire.deposit(alice, "canary", bob.signingPublicKey(), plain).getString("t"));

      List<Path> files = files();
      assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().endsWith("-wal")), files.toString());
      assertTrue(!found(canary, files).isEmpty(), "the search finds a text stored plain in these files");
      for (String text : texts) {
        assertEquals(List.of(), found(text, files), text);
      }
    } finally {
      server.close();
    }
    // Stopped: the WAL is checkpointed into the database file; search again.
    List<Path> files = files();
    assertTrue(!found(canary, files).isEmpty(), "the canary is in the checkpointed database");
    for (String text : texts) {
      assertEquals(List.of(), found(text, files), text);
    }
  }

  private List<Path> files() throws IOException {
    List<Path> out = new ArrayList<>();
    try (var walk = Files.walk(dataDir)) {
      walk.filter(Files::isRegularFile).forEach(out::add);
    }
    return out;
  }

  /** Each "file: form" where {@code text} is found in one of its forms. */
  private static List<String> found(String text, List<Path> files) throws IOException {
    List<String> hits = new ArrayList<>();
    for (Path f : files) {
      byte[] content = Files.readAllBytes(f);
      for (var form : forms(text)) {
        if (indexOf(content, form.getValue()) >= 0) {
          hits.add(f.getFileName() + ": " + form.getKey());
        }
      }
    }
    return hits;
  }

  /** The text as UTF-8, UTF-16LE, UTF-16BE, and base64 of its UTF-8 at each of the three alignments. */
  private static List<java.util.Map.Entry<String, byte[]>> forms(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    List<java.util.Map.Entry<String, byte[]>> forms = new ArrayList<>();
    forms.add(java.util.Map.entry("utf-8", utf8));
    forms.add(java.util.Map.entry("utf-16le", text.getBytes(StandardCharsets.UTF_16LE)));
    forms.add(java.util.Map.entry("utf-16be", text.getBytes(StandardCharsets.UTF_16BE)));
    for (int offset = 0; offset < 3; offset++) {
      // Base64 of the text from this offset, without its last group (which depends on what follows).
      String b64 = Base64.getEncoder().encodeToString(Arrays.copyOfRange(utf8, offset, utf8.length));
      String core = b64.substring(0, b64.length() - 4);
      forms.add(java.util.Map.entry("base64+" + offset, core.getBytes(StandardCharsets.US_ASCII)));
    }
    return forms;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void theBase64FormsFindATextAtEveryAlignment() {
    for (String prefix : List.of("", "x", "xy")) {
      String b64 = Base64.getEncoder().encodeToString((prefix + "hello plaintext world!").getBytes(StandardCharsets.UTF_8));
      assertTrue(forms("hello plaintext world!").stream()
        .anyMatch(e -> b64.contains(new String(e.getValue(), StandardCharsets.US_ASCII))), prefix);
    }
  }
}
