package dev.kinglet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * native/ is the only module that touches JavaCPP's memory and loading API, OpenCV and FFM. The
 * engine uses LibTorch's tensor and module classes (org.bytedeco.pytorch) for models and math,
 * through native's scopes, and dsl/ has no native dependency at all.
 */
class LayoutTest {
    private static List<String> offenders(Path dir, List<String> forbidden) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
                try {
                    String text = Files.readString(p);
                    return forbidden.stream().filter(text::contains).map(f -> dir.relativize(p) + " uses " + f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void engineDoesNotTouchJavacppOpencvOrFfm() throws IOException {
        assertThat(offenders(TestData.root().resolve("src/main/java"),
                List.of("org.bytedeco.javacpp", "org.bytedeco.opencv", "java.lang.foreign", "PointerScope"))).isEmpty();
    }

    @Test
    void dslHasNoNativeDependency() throws IOException {
        assertThat(offenders(TestData.root().resolve("dsl/src/main/java"), List.of("org.bytedeco", "java.lang.foreign"))).isEmpty();
        assertThat(Files.readString(TestData.root().resolve("dsl/pom.xml"))).doesNotContain("org.bytedeco");
    }
}
