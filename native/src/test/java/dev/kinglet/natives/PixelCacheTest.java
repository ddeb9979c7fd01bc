package dev.kinglet.natives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PixelCacheTest {
    static final String KEY = "test key\nsize 3x5";
    static final String SHA = "ab".repeat(32), OTHER = "cd".repeat(32);

    static List<PixelCache.Entry> entries(int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new PixelCache.Entry("class/é" + i + ".png", 100 + i, 1_000_000_000L * i, i % 2 == 0 ? SHA : OTHER, OTHER, 7, 9, 1 + 2 * (i % 2)))
                .toList();
    }

    static byte[][] images(int n, int bytes) {
        byte[][] out = new byte[n][bytes];
        Random r = new Random(3);
        for (byte[] b : out) r.nextBytes(b);
        return out;
    }

    @Test
    void writtenFileReopensWithItsIndexAndMapsTheSamePixels(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sub/c.pixels");
        byte[][] img = images(4, 3 * 5 * 3);
        try (PixelCache written = PixelCache.write(file, KEY, 42, 3, 5, 3, entries(4), i -> img[i])) {
            assertThat(written.entries()).isEqualTo(entries(4));
        }
        assertThat(Files.list(dir.resolve("sub")).toList()).as("no temporary file left").containsExactly(file);
        Pixels px;
        try (PixelCache c = PixelCache.open(file, KEY)) {
            assertThat(c.entries()).isEqualTo(entries(4));
            assertThat(c.stamp()).isEqualTo(42);
            assertThat(new int[] {c.height(), c.width(), c.channels()}).containsExactly(3, 5, 3);
            for (int i = 0; i < 4; i++) {
                assertThat(c.intact(i)).isTrue();
                assertThat(c.image(i)).isEqualTo(img[i]);
            }
            px = c.pixels();
        }
        try (px) {
            assertThat(px.count()).isEqualTo(4);
            assertThat(px.get(2)).as("the mapping outlives the cache object").isEqualTo(img[2]);
            assertThatThrownBy(() -> px.set(0, img[0])).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("read-only");
        }
    }

    @Test
    void absentTruncatedForeignAndDamagedFilesAreRefusedWithTheReason(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.pixels");
        assertThatThrownBy(() -> PixelCache.open(file, KEY)).isInstanceOf(NoSuchFileException.class);
        byte[][] img = images(3, 2 * 2);
        PixelCache.write(file, KEY, 1, 2, 2, 1, entries(3), i -> img[i]).close();
        byte[] whole = Files.readAllBytes(file);

        assertThatThrownBy(() -> PixelCache.open(file, "another key")).hasMessageContaining("made for another data set");
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 1));
        assertThatThrownBy(() -> PixelCache.open(file, KEY)).hasMessageContaining("truncated");
        Files.write(file, java.util.Arrays.copyOf(whole, 10));
        assertThatThrownBy(() -> PixelCache.open(file, KEY)).hasMessageContaining("truncated");
        Files.writeString(file, "x".repeat(whole.length));
        assertThatThrownBy(() -> PixelCache.open(file, KEY)).hasMessageContaining("not a Kinglet image cache");
        byte[] index = whole.clone();
        index[70] ^= 1; // in the key or index
        Files.write(file, index);
        assertThatThrownBy(() -> PixelCache.open(file, KEY)).hasMessageContaining("checksum");

        byte[] pixel = whole.clone();
        pixel[pixel.length - 1] ^= 1; // last pixel of the last image
        Files.write(file, pixel);
        try (PixelCache c = PixelCache.open(file, KEY)) {
            assertThat(c.intact(0)).isTrue();
            assertThat(c.intact(2)).isFalse();
        }
    }

    @Test
    void aMappedFileReplacedByANewOneKeepsItsContent(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.pixels");
        byte[][] first = images(2, 4), second = {new byte[4], new byte[4]};
        PixelCache.write(file, KEY, 1, 2, 2, 1, entries(2), i -> first[i]).close();
        try (PixelCache c = PixelCache.open(file, KEY); Pixels px = c.pixels()) {
            PixelCache.write(file, KEY, 2, 2, 2, 1, entries(2), i -> second[i]).close();
            assertThat(px.get(1)).isEqualTo(first[1]);
        }
        try (PixelCache c = PixelCache.open(file, KEY)) {
            assertThat(c.image(1)).isEqualTo(second[1]);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            assertThat(raf.length() % 4096).as("pixels start on a page").isEqualTo(2 * 4);
        }
    }
}
