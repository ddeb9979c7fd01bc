package dev.kinglet.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads IDX files (the MNIST format), plain or gzip-compressed. Errors name the file. */
public final class IdxReader {
    private IdxReader() {}

    /** An IDX file of unsigned bytes: its dimensions and its data, row-major. */
    public record Idx(int[] dims, byte[] data) {
        public int count() {
            return dims[0];
        }
    }

    public static Idx read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "IDX file not found");
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (var in = new DataInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw)) {
                int magic = in.readInt();
                if ((magic >>> 16) != 0 || ((magic >> 8) & 0xFF) != 0x08) {
                    throw new IOException(file + ": not an IDX file of unsigned bytes (magic 0x" + Integer.toHexString(magic)
                            + ", expected 0x801 for labels or 0x803 for images)");
                }
                int rank = magic & 0xFF;
                if (rank < 1 || rank > 4) throw new IOException(file + ": IDX rank " + rank + " not supported (1..4)");
                int[] dims = new int[rank];
                long size = 1;
                for (int i = 0; i < rank; i++) {
                    dims[i] = in.readInt();
                    if (dims[i] < 0) throw new IOException(file + ": negative dimension " + dims[i]);
                    size *= dims[i];
                }
                if (size > Integer.MAX_VALUE - 8) throw new IOException(file + ": " + size + " bytes is too large for one IDX array");
                byte[] data = new byte[(int) size];
                try {
                    in.readFully(data);
                } catch (EOFException e) {
                    throw new IOException(file + ": truncated, header says " + size + " bytes of data", e);
                }
                return new Idx(dims, data);
            }
        }
    }
}
