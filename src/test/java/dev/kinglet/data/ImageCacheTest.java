package dev.kinglet.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.ImageFolder;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Scope;

/** Decode once across loads: hits and decodes counted per load, on copies of test-data/folder-mini. */
class ImageCacheTest {
    @TempDir Path tmp;
    Path data, cache;

    @BeforeAll
    static void start() {
        NativeRuntime.start(2, 0, Device.CPU);
    }

    @BeforeEach
    void cacheInTmp() throws IOException {
        data = tmp.resolve("data");
        cache = tmp.resolve("cache");
        System.setProperty("kinglet.cache.dir", cache.toString());
        try (Stream<Path> files = Files.walk(ImageSourcesTest.MINI)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path copy = data.resolve(ImageSourcesTest.MINI.relativize(p));
                Files.createDirectories(copy.getParent());
                Files.copy(p, copy);
                Files.setLastModifiedTime(copy, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
            }
        }
    }

    @AfterEach
    void clear() {
        System.clearProperty("kinglet.cache.dir");
    }

    static Data folder(Path dir) {
        return new Data(new ImageFolder(dir.toString()), null, null, List.of(32, 32), null, 0.25);
    }

    /** Every image of both sets, in order, and the sets' digests. */
    static List<Object> content(Datasets.Split split) {
        List<Object> out = new ArrayList<>(List.of(split.train().sha256(), split.test().sha256()));
        for (ImageSet s : List.of(split.train(), split.test())) {
            for (int i = 0; i < s.size(); i++) out.add(List.of(s.label(i), java.util.HexFormat.of().formatHex(s.pixels().get(s.row(i)))));
        }
        return out;
    }

    @Test
    void secondLoadDecodesNothingAndGivesTheSamePixels() throws IOException {
        List<Object> first;
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).isEqualTo(12);
            assertThat(split.cache().hits()).isZero();
            assertThat(split.cache().file()).exists().startsWith(cache);
            assertThat(split.conversion()).contains("image cache: 0 read, 12 decoded");
            first = content(split);
        }
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().hits()).isEqualTo(12);
            assertThat(split.cache().decoded()).isZero();
            assertThat(split.cache().notices()).isEmpty();
            assertThat(content(split)).isEqualTo(first);
        }
        try (var other = Datasets.load(folder(data), Path.of(""), 2)) {
            assertThat(other.cache().decoded()).as("another seed splits the same cached images").isZero();
        }
    }

    @Test
    void pixelsEqualThoseDecodedWithoutACacheFile() throws IOException {
        List<Object> cached;
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            cached = content(split);
        }
        Path blocked = Files.writeString(tmp.resolve("a-file"), "not a folder");
        System.setProperty("kinglet.cache.dir", blocked.resolve("cache").toString());
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).isEqualTo(12);
            assertThat(split.cache().notices()).singleElement().asString().contains("not written").contains("kept in memory");
            assertThat(split.conversion()).contains("not written");
            assertThat(content(split)).isEqualTo(cached);
        }
    }

    @Test
    void aChangedFileIsDecodedAgainAndNoOther() throws IOException {
        List<Object> before;
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            before = content(split);
        }
        Path changed = data.resolve("bag/00023.png");
        Files.copy(data.resolve("sneaker/00006.png"), changed, StandardCopyOption.REPLACE_EXISTING);
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).as("known by content: a copy of a cached image is read from the cache").isZero();
            assertThat(content(split)).isNotEqualTo(before);
        }
        byte[] noise = new byte[28 * 28];
        new Random(5).nextBytes(noise);
        try (var scope = Scope.image()) {
            Image.of(noise, 28, 28, 1).writePng(changed);
        }
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).isEqualTo(1);
            assertThat(split.cache().hits()).isEqualTo(11);
        }
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).isZero();
        }
    }

    @Test
    void aChangeInTheTickTheCacheWasWrittenIsNotHiddenBySizeAndTime() throws IOException {
        Path jpg = data.resolve("bag/00035.jpg");
        Files.setLastModifiedTime(jpg, FileTime.from(Instant.now()));
        FileTime time = Files.getLastModifiedTime(jpg);
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).isEqualTo(12);
        }
        byte[] bytes = Files.readAllBytes(jpg);
        bytes[15] ^= 3; // the JFIF density: other bytes of the same size, same pixels
        Files.write(jpg, bytes);
        Files.setLastModifiedTime(jpg, time);
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).as("recent file time: hashed, new content").isEqualTo(1);
        }
    }

    @Test
    void aTruncatedOrForeignCacheFileIsRebuiltWithANotice() throws IOException {
        Path file;
        List<Object> first;
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            file = split.cache().file();
            first = content(split);
        }
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).isEqualTo(12);
            assertThat(split.cache().notices()).singleElement().asString().contains("truncated").contains("rebuilt");
            assertThat(content(split)).isEqualTo(first);
        }
        assertThat(Files.size(file)).isEqualTo(whole.length);
        Files.writeString(file, "something else entirely");
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).isEqualTo(12);
            assertThat(split.cache().notices()).singleElement().asString().contains("not trusted");
        }
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().hits()).isEqualTo(12);
            assertThat(split.cache().notices()).isEmpty();
        }
        try (var files = Files.list(file.getParent())) {
            assertThat(files.toList()).as("no temporary files left").containsExactly(file);
        }
    }

    @Test
    void damagedPixelsInTheCacheAreDecodedAgain() throws IOException {
        Path file;
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            file = split.cache().file();
        }
        byte[] whole = Files.readAllBytes(file);
        whole[whole.length - 5] ^= 1;
        Files.write(file, whole);
        try (var split = Datasets.load(folder(data), Path.of(""), 1)) {
            assertThat(split.cache().decoded()).isEqualTo(1);
            assertThat(split.cache().notices()).singleElement().asString().contains("checksum");
        }
    }

    @Test
    void imagesWhoseChannelsFollowTheDataAreDecodedAgainWhenTheyChange() throws IOException {
        Path grey = tmp.resolve("grey");
        for (String c : new String[] {"a", "b"}) Files.createDirectories(grey.resolve(c));
        Files.copy(data.resolve("bag/00023.png"), grey.resolve("a/1.png"));
        Files.copy(data.resolve("sneaker/00006.png"), grey.resolve("b/1.png"));
        Data auto = new Data(new ImageFolder(grey.toString()), null, null, List.of(28, 28), null, 0.25);
        try (var split = Datasets.load(auto, Path.of(""), 1)) {
            assertThat(split.train().pixels().channels()).isEqualTo(1);
        }
        Files.copy(data.resolve("bag/00035.jpg"), grey.resolve("a/2.jpg"));
        try (var split = Datasets.load(auto, Path.of(""), 1)) {
            assertThat(split.train().pixels().channels()).isEqualTo(3);
            assertThat(split.cache().decoded()).as("the grey images cached as 1 channel are now needed as 3").isEqualTo(3);
        }
        try (var split = Datasets.load(auto, Path.of(""), 1)) {
            assertThat(split.cache().hits()).isEqualTo(3);
        }
    }
}
