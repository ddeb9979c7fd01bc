package dev.kinglet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;

class IdxReaderTest {
    @Test
    void readsTheFashionMnistSubset() throws Exception {
        var images = IdxReader.read(TestData.fashionMnist().resolve("train-images-idx3-ubyte.gz"));
        var labels = IdxReader.read(TestData.fashionMnist().resolve("train-labels-idx1-ubyte.gz"));
        assertThat(images.dims()).containsExactly(1000, 28, 28);
        assertThat(labels.dims()).containsExactly(1000);
        int[] perClass = new int[10];
        for (byte b : labels.data()) perClass[b]++;
        assertThat(perClass).containsOnly(100);
        assertThat(Arrays.copyOf(labels.data(), 3)).containsExactly(9, 0, 0); // the training set's first labels
    }

    @Test
    void truncatedAndForeignFilesAreReportedByName(@TempDir Path dir) throws Exception {
        byte[] whole = Files.readAllBytes(TestData.fashionMnist().resolve("t10k-labels-idx1-ubyte.gz"));
        Path raw = dir.resolve("labels.idx");
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(whole))) {
            byte[] plain = in.readAllBytes();
            Files.write(raw, Arrays.copyOf(plain, plain.length - 10));
        }
        assertThatThrownBy(() -> IdxReader.read(raw)).hasMessageContaining(raw.toString()).hasMessageContaining("truncated");
        Path png = dir.resolve("not-idx.bin");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0});
        assertThatThrownBy(() -> IdxReader.read(png)).hasMessageContaining(png.toString()).hasMessageContaining("0x803");
    }
}
