package dev.kinglet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.CsvManifest;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.ImageFolder;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;

class ImageSourcesTest {
    static final Path MINI = TestData.root().resolve("test-data/folder-mini");

    @TempDir static Path cache;

    @BeforeAll
    static void start() {
        NativeRuntime.start(2, 0, Device.CPU);
        System.setProperty("kinglet.cache.dir", cache.toString());
    }

    @AfterAll
    static void clear() {
        System.clearProperty("kinglet.cache.dir");
    }

    static Data folder(Path dir, List<Integer> size, Integer channels) {
        return new Data(new ImageFolder(dir.toString()), null, null, size, channels, 0.25);
    }

    @Test
    void folderOfMixedSizesNeedsAnImageSize() {
        assertThatThrownBy(() -> Datasets.load(folder(MINI, null, null), Path.of(""), 1))
                .isInstanceOf(RecipeException.class).hasMessageContaining("data.imageSize").hasMessageContaining("differ in size");
    }

    @Test
    void folderIsReadResizedAndSplitStratified() throws Exception {
        try (var split = Datasets.load(folder(MINI, List.of(32, 32), null), Path.of(""), 1)) {
            assertThat(split.train().classes()).containsExactly("ankle-boot", "bag", "sneaker");
            assertThat(split.train().size()).isEqualTo(9);
            assertThat(split.test().size()).isEqualTo(3);
            assertThat(split.test().labels()).containsExactlyInAnyOrder(0, 1, 2);
            assertThat(split.train().pixels().channels()).as("grey and RGB mixed: grey repeated to RGB").isEqualTo(3);
            assertThat(split.train().pixels().height()).isEqualTo(32);
            assertThat(split.conversion()).contains("3x32x32").contains("grey images repeated to RGB");
            assertThat(split.duplicates()).isEmpty();
        }
        try (var grey = Datasets.load(folder(MINI, List.of(28, 28), 1), Path.of(""), 1)) {
            assertThat(grey.train().pixels().channels()).isEqualTo(1);
        }
    }

    @Test
    void manifestPathsAreRelativeAndMayNotLeaveTheFolder(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("imgs"));
        StringBuilder csv = new StringBuilder("path,label\n");
        try (var files = Files.walk(MINI)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                Path copy = images.resolve(p.getParent().getFileName() + "-" + p.getFileName());
                Files.copy(p, copy);
                csv.append("imgs/").append(copy.getFileName()).append(',').append(p.getParent().getFileName()).append('\n');
            }
        }
        Path manifest = dir.resolve("labels.csv");
        Files.writeString(manifest, csv);
        Data data = new Data(new CsvManifest(manifest.toString(), null), null, null, List.of(28, 28), null, 0.25);
        try (var split = Datasets.load(data, Path.of(""), 3)) {
            assertThat(split.train().classes()).containsExactly("ankle-boot", "bag", "sneaker");
            assertThat(split.train().size() + split.test().size()).isEqualTo(12);
        }
        Files.writeString(manifest, "path,label\n../outside.png,bag\n");
        assertThatThrownBy(() -> Datasets.load(data, Path.of(""), 3)).hasMessageContaining("leaves the manifest's folder").hasMessageContaining(":2:");
        Files.writeString(manifest, "imgs/nothing-here.png,bag\n");
        assertThatThrownBy(() -> Datasets.load(data, Path.of(""), 3)).hasMessageContaining("nothing-here.png not found").hasMessageContaining(":1:");
    }

    @Test
    void badFilesAreReportedByPathBeforeTraining(@TempDir Path dir) throws Exception {
        Path cls = Files.createDirectories(dir.resolve("bag"));
        Files.copy(MINI.resolve("bag/00023.png"), cls.resolve("good.png"));
        byte[] jpg = Files.readAllBytes(MINI.resolve("bag/00035.jpg"));
        Files.write(cls.resolve("truncated.jpg"), Arrays.copyOf(jpg, 20));
        assertThatThrownBy(() -> Datasets.load(folder(dir, List.of(28, 28), null), Path.of(""), 1))
                .hasMessageContaining("truncated.jpg").hasMessageContaining("not a readable image");
        Files.delete(cls.resolve("truncated.jpg"));
        Files.write(cls.resolve("empty.png"), new byte[0]);
        assertThatThrownBy(() -> Datasets.load(folder(dir, List.of(28, 28), null), Path.of(""), 1))
                .hasMessageContaining("empty.png").hasMessageContaining("empty file");
        Files.delete(cls.resolve("empty.png"));
        Files.writeString(cls.resolve("notes.png"), "this is text");
        assertThatThrownBy(() -> Datasets.load(folder(dir, List.of(28, 28), null), Path.of(""), 1)).hasMessageContaining("notes.png");
        Files.delete(cls.resolve("notes.png"));
        Files.createDirectories(dir.resolve("shoe"));
        assertThatThrownBy(() -> Datasets.load(folder(dir, List.of(28, 28), null), Path.of(""), 1))
                .hasMessageContaining("shoe").hasMessageContaining("no images");
    }

    @Test
    void testImagesEqualToTrainingImagesAreReported(@TempDir Path dir) throws Exception {
        for (String c : new String[] {"a", "b"}) {
            Path d = Files.createDirectories(dir.resolve("train").resolve(c));
            Path t = Files.createDirectories(dir.resolve("test").resolve(c));
            Files.copy(MINI.resolve("bag/00023.png"), d.resolve("x.png"));
            Files.copy(MINI.resolve("sneaker/00006.png"), d.resolve("y.png"));
            Files.copy(MINI.resolve(c.equals("a") ? "bag/00023.png" : "sneaker/00041.png"), t.resolve("z.png"));
        }
        try (var split = Datasets.load(folder(dir, List.of(28, 28), null), Path.of(""), 1)) {
            assertThat(split.test().size()).as("the test/ folder is the test split").isEqualTo(2);
            assertThat(split.duplicates()).hasSize(1);
            assertThat(split.duplicates().get(0)).contains("test/a/z.png").contains("(train)");
        }
    }

    @Test
    void badFilesAreLeftOutAndListedWhenAsked(@TempDir Path dir) throws Exception {
        Path bag = Files.createDirectories(dir.resolve("bag")), boot = Files.createDirectories(dir.resolve("boot"));
        Files.createDirectories(dir.resolve("shoe"));
        Path broken = Files.createDirectories(dir.resolve("broken"));
        for (String n : new String[] {"00023.png", "00035.jpg", "00057.png"}) Files.copy(MINI.resolve("bag").resolve(n), bag.resolve(n));
        for (String n : new String[] {"00000.png", "00011.jpg"}) Files.copy(MINI.resolve("ankle-boot").resolve(n), boot.resolve(n));
        byte[] jpg = Files.readAllBytes(MINI.resolve("bag/00035.jpg"));
        Files.write(bag.resolve("truncated.jpg"), Arrays.copyOf(jpg, 20));
        Files.write(boot.resolve("empty.png"), new byte[0]);
        Files.writeString(boot.resolve("notes.png"), "this is text");
        Files.writeString(broken.resolve("only.png"), "not an image either");
        Data strict = folder(dir, List.of(28, 28), null);
        assertThatThrownBy(() -> Datasets.load(strict, Path.of(""), 1)).hasMessageContaining("shoe").hasMessageContaining("no images");

        try (var split = Datasets.load(strict.withSkipBadFiles(true), Path.of(""), 1)) {
            assertThat(split.train().classes()).containsExactly("bag", "boot");
            assertThat(split.train().size() + split.test().size()).isEqualTo(5);
            assertThat(split.skipped()).hasSize(6);
            assertThat(split.skipped()).anySatisfy(m -> assertThat(m).contains("truncated.jpg").contains("not a readable image"));
            assertThat(split.skipped()).anySatisfy(m -> assertThat(m).contains("empty.png").contains("empty file"));
            assertThat(split.skipped()).anySatisfy(m -> assertThat(m).contains("notes.png").contains("not a readable image"));
            assertThat(split.skipped()).anySatisfy(m -> assertThat(m).contains("shoe").contains("no images"));
            assertThat(split.skipped()).anySatisfy(m -> assertThat(m).contains("broken").contains("class 'broken' left out"));
            assertThat(split.cache().decoded()).isEqualTo(5);
        }
        try (var again = Datasets.load(strict.withSkipBadFiles(true), Path.of(""), 1)) {
            assertThat(again.cache().hits()).as("bad files stay out of the cache; good ones are read from it").isEqualTo(5);
            assertThat(again.skipped()).hasSize(6);
        }
    }

    @Test
    void badManifestRowsAreLeftOutAndListedWhenAsked(@TempDir Path dir) throws Exception {
        Files.copy(MINI.resolve("bag/00023.png"), dir.resolve("a.png"));
        Files.copy(MINI.resolve("bag/00057.png"), dir.resolve("b.png"));
        Files.copy(MINI.resolve("sneaker/00006.png"), dir.resolve("c.png"));
        Files.copy(MINI.resolve("sneaker/00041.png"), dir.resolve("d.png"));
        Files.writeString(dir.resolve("bad.png"), "text");
        Path manifest = dir.resolve("labels.csv");
        Files.writeString(manifest, """
                path,label
                a.png,bag
                b.png,bag
                missing.png,bag
                c.png,sneaker
                d.png,sneaker
                c.png
                ../outside.png,bag
                bad.png,hat
                """);
        Data strict = new Data(new CsvManifest(manifest.toString(), null), null, null, List.of(28, 28), null, 0.25);
        assertThatThrownBy(() -> Datasets.load(strict, Path.of(""), 1)).hasMessageContaining("missing.png not found").hasMessageContaining(":4:");
        try (var split = Datasets.load(strict.withSkipBadFiles(true), Path.of(""), 1)) {
            assertThat(split.train().classes()).containsExactly("bag", "sneaker");
            assertThat(split.train().size() + split.test().size()).isEqualTo(4);
            assertThat(split.skipped()).satisfiesExactly(
                    m -> assertThat(m).contains(":4:").contains("missing.png not found"),
                    m -> assertThat(m).contains(":7:").contains("expected 'path,label'"),
                    m -> assertThat(m).contains(":8:").contains("leaves the manifest's folder"),
                    m -> assertThat(m).contains("bad.png").contains("not a readable image"),
                    m -> assertThat(m).contains("label 'hat'").contains("left out"));
        }
    }
}
