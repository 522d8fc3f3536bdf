package io.p2pchat;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where every {@code @TempDir} of the integration tests lives: a fresh directory per test under
 * {@code target/test-dirs}, left in place when the test ends (junit-platform.properties turns the
 * clean-up off) and removed with {@code mvn clean}. JUnit deletes a test's {@code @TempDir} before
 * the {@code Vertx} that VertxExtension injects is closed, so a node still running then (saving
 * {@code known_peers} through a temporary file, writing its history) raced the deletion, and the
 * test failed with "Failed to delete temp directory" although everything it asserted held.
 * Keeping the directories also leaves each test's node state to look at after a failure.
 */
public final class TestDirs implements TempDirFactory {

  /** Under the module's build directory: never shared with another checkout or run of the suite. */
  private static final Path BASE = Path.of("target", "test-dirs");

  @Override
  public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
      throws IOException {
    Files.createDirectories(BASE);
    return Files.createTempDirectory(BASE.toAbsolutePath(), extensionContext.getRequiredTestClass().getSimpleName() + "-");
  }
}
