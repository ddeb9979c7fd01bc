package dev.kinglet.natives;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The zip container of {@code torch.save}, over a memory-mapped file. PyTorch stores entries
 * uncompressed and starts each at a multiple of 64 bytes, so a stored entry is a slice of the
 * mapping; deflated entries (a re-packed file) are inflated into memory. Also writes such zips.
 */
final class ZipArchive {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int LOCAL = 0x04034b50, CENTRAL = 0x02014b50, END = 0x06054b50, END64 = 0x06064b50, END64_LOCATOR = 0x07064b50;
    private static final int STORED = 0, DEFLATED = 8;
    static final int ALIGNMENT = 64;

    record Entry(String name, int method, int flags, int crc, long compressedSize, long size, long localHeader) {}

    private final Path file;
    private final MemorySegment data;
    private final Map<String, Entry> entries;

    private ZipArchive(Path file, MemorySegment data, Map<String, Entry> entries) {
        this.file = file;
        this.data = data;
        this.entries = entries;
    }

    /** Reads the central directory of the zip that {@code data} (the whole file) holds. */
    static ZipArchive open(Path file, MemorySegment data) throws IOException {
        long size = data.byteSize();
        long end = -1;
        for (long p = size - 22; p >= Math.max(0, size - 22 - 0xFFFF); p--) {
            if (data.get(U32, p) == END) {
                end = p;
                break;
            }
        }
        if (end < 0) throw new IOException(file + ": no end of the zip directory: the file is truncated (an interrupted download?) or not a zip");
        long count = u16(data, end + 10), dirSize = u32(data, end + 12), dirOffset = u32(data, end + 16);
        if (count == 0xFFFF || dirSize == 0xFFFFFFFFL || dirOffset == 0xFFFFFFFFL) {
            if (end < 20 || data.get(U32, end - 20) != END64_LOCATOR) throw corrupt(file, "ZIP64 sizes without a ZIP64 locator");
            long end64 = data.get(U64, end - 12);
            if (end64 < 0 || end64 > end - 56 || data.get(U32, end64) != END64) throw corrupt(file, "ZIP64 end record missing");
            count = data.get(U64, end64 + 32);
            dirSize = data.get(U64, end64 + 40);
            dirOffset = data.get(U64, end64 + 48);
        }
        if (dirOffset < 0 || dirSize < 0 || dirOffset + dirSize > end) throw corrupt(file, "directory outside the file");
        Map<String, Entry> entries = new LinkedHashMap<>();
        long p = dirOffset;
        for (long i = 0; i < count; i++) {
            if (p + 46 > dirOffset + dirSize || data.get(U32, p) != CENTRAL) throw corrupt(file, "directory entry " + i + " malformed");
            int flags = u16(data, p + 8), method = u16(data, p + 10), crc = data.get(U32, p + 16);
            long compressed = u32(data, p + 20), uncompressed = u32(data, p + 24), local = u32(data, p + 42);
            int nameLength = u16(data, p + 28), extraLength = u16(data, p + 30), commentLength = u16(data, p + 32);
            long next = p + 46 + nameLength + extraLength + commentLength;
            if (next > dirOffset + dirSize) throw corrupt(file, "directory entry " + i + " runs past the directory");
            String name = new String(data.asSlice(p + 46, nameLength).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // ZIP64 extra field: the 8-byte values of those fields that hold 0xFFFFFFFF, in this order
            for (long x = p + 46 + nameLength; x + 4 <= p + 46 + nameLength + extraLength; ) {
                int id = u16(data, x), length = u16(data, x + 2);
                long v = x + 4;
                if (id == 1) {
                    if (uncompressed == 0xFFFFFFFFL && v + 8 <= x + 4 + length) { uncompressed = data.get(U64, v); v += 8; }
                    if (compressed == 0xFFFFFFFFL && v + 8 <= x + 4 + length) { compressed = data.get(U64, v); v += 8; }
                    if (local == 0xFFFFFFFFL && v + 8 <= x + 4 + length) local = data.get(U64, v);
                }
                x += 4 + length;
            }
            entries.put(name, new Entry(name, method, flags, crc, compressed, uncompressed, local));
            p = next;
        }
        return new ZipArchive(file, data, entries);
    }

    List<String> names() {
        return List.copyOf(entries.keySet());
    }

    boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * The bytes of entry {@code name}: a slice of the mapping when stored, else inflated into
     * memory of {@code arena}. Checks the CRC only when {@code verify}: checking every storage
     * would read a whole model before it is used.
     */
    MemorySegment content(String name, Arena arena, boolean verify) throws IOException {
        Entry e = entries.get(name);
        if (e == null) throw new IOException(file + ": no entry " + name + " in the zip (the checkpoint is incomplete)");
        if ((e.flags() & 1) != 0) throw new IOException(file + ": entry " + name + " is encrypted");
        long local = e.localHeader();
        if (local < 0 || local + 30 > data.byteSize() || data.get(U32, local) != LOCAL) throw corrupt(file, "local header of " + name + " missing");
        long start = local + 30 + u16(data, local + 26) + u16(data, local + 28);
        if (e.compressedSize() < 0 || e.compressedSize() > data.byteSize() - start) {
            throw new IOException(file + ": entry " + name + " runs past the end of the file: the file is truncated or corrupt");
        }
        MemorySegment raw = data.asSlice(start, e.compressedSize());
        MemorySegment bytes = switch (e.method()) {
            case STORED -> {
                if (e.size() != e.compressedSize()) throw corrupt(file, "stored entry " + name + " with two sizes");
                yield raw;
            }
            case DEFLATED -> inflate(name, raw, e.size(), arena);
            default -> throw new IOException(file + ": entry " + name + " uses zip compression method " + e.method()
                    + "; only stored (0) and deflated (8) entries are read");
        };
        if (verify && crc(bytes) != e.crc()) throw new IOException(file + ": entry " + name + " fails its CRC check: the file is corrupt");
        return bytes;
    }

    private MemorySegment inflate(String name, MemorySegment raw, long size, Arena arena) throws IOException {
        if (size < 0 || size > Integer.MAX_VALUE || raw.byteSize() > Integer.MAX_VALUE) {
            throw new IOException(file + ": compressed entry " + name + " is larger than 2 GB; re-save the file with torch.save, which stores entries uncompressed");
        }
        MemorySegment out = arena.allocate(Math.max(size, 1), ALIGNMENT).asSlice(0, size);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(raw.asByteBuffer());
            ByteBuffer target = out.asByteBuffer();
            while (target.hasRemaining() && !inflater.finished()) {
                if (inflater.inflate(target) == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
            }
            if (target.hasRemaining()) throw new IOException(file + ": entry " + name + " inflates to " + target.position() + " of " + size + " bytes: the file is corrupt");
        } catch (DataFormatException ex) {
            throw new IOException(file + ": entry " + name + " is not valid deflate data: " + ex.getMessage(), ex);
        } finally {
            inflater.end();
        }
        return out;
    }

    static int crc(MemorySegment bytes) {
        CRC32 crc = new CRC32();
        for (long off = 0; off < bytes.byteSize(); off += 1 << 30) {
            crc.update(bytes.asSlice(off, Math.min(1 << 30, bytes.byteSize() - off)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    private static int u16(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(U16, at));
    }

    private static long u32(MemorySegment s, long at) {
        return Integer.toUnsignedLong(s.get(U32, at));
    }

    private static IOException corrupt(Path file, String what) {
        return new IOException(file + ": corrupt zip: " + what);
    }

    /**
     * Writes a zip of stored entries, each starting at a multiple of {@link #ALIGNMENT} bytes
     * (padding in an extra field, as PyTorch does) so that readers can map them in place.
     * Without ZIP64: at most 4 GB and 65,535 entries.
     */
    static final class Writer {
        private record Written(byte[] name, int crc, long size, long offset) {}

        private final FileChannel out;
        private final Path file;
        private final List<Written> written = new ArrayList<>();

        Writer(FileChannel out, Path file) {
            this.out = out;
            this.file = file;
        }

        void add(String name, byte[] content) throws IOException {
            add(name, MemorySegment.ofArray(content));
        }

        void add(String name, MemorySegment content) throws IOException {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            long offset = out.position();
            int padding = (int) Math.floorMod(-(offset + 30 + n.length), (long) ALIGNMENT);
            if (padding > 0 && padding < 4) padding += ALIGNMENT; // an extra field needs 4 bytes of header
            int crc = crc(content);
            checkSize(offset + 30 + n.length + padding + content.byteSize());
            ByteBuffer h = header(30 + n.length + padding);
            h.putInt(LOCAL).putShort((short) 20).putShort((short) 0).putShort((short) STORED).putShort((short) 0).putShort((short) 0x21)
                    .putInt(crc).putInt((int) content.byteSize()).putInt((int) content.byteSize())
                    .putShort((short) n.length).putShort((short) padding).put(n);
            if (padding > 0) {
                h.putShort((short) 0x4246).putShort((short) (padding - 4)); // "FB", PyTorch's padding field
                while (h.hasRemaining()) h.put((byte) 'Z');
            }
            write(h.flip());
            for (long off = 0; off < content.byteSize(); off += 1 << 30) {
                write(content.asSlice(off, Math.min(1 << 30, content.byteSize() - off)).asByteBuffer());
            }
            written.add(new Written(n, crc, content.byteSize(), offset));
        }

        void finish() throws IOException {
            if (written.size() > 0xFFFF) throw new IOException(file + ": " + written.size() + " entries need ZIP64, which this writer does not write; write safetensors instead");
            long dirOffset = out.position();
            for (Written w : written) {
                ByteBuffer h = header(46 + w.name().length);
                h.putInt(CENTRAL).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) STORED)
                        .putShort((short) 0).putShort((short) 0x21).putInt(w.crc()).putInt((int) w.size()).putInt((int) w.size())
                        .putShort((short) w.name().length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                        .putShort((short) 0).putInt(0).putInt((int) w.offset()).put(w.name());
                write(h.flip());
            }
            long dirSize = out.position() - dirOffset;
            checkSize(out.position());
            ByteBuffer e = header(22);
            e.putInt(END).putShort((short) 0).putShort((short) 0).putShort((short) written.size()).putShort((short) written.size())
                    .putInt((int) dirSize).putInt((int) dirOffset).putShort((short) 0);
            write(e.flip());
        }

        private void checkSize(long bytes) throws IOException {
            if (bytes >= 0xFFFFFFFFL) throw new IOException(file + ": more than 4 GB needs ZIP64, which this writer does not write; write safetensors instead");
        }

        private static ByteBuffer header(int size) {
            return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }

        private void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) out.write(b);
        }
    }
}
