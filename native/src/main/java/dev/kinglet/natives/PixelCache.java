package dev.kinglet.natives;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

import org.bytedeco.opencv.global.opencv_core;

/**
 * A file of decoded 8-bit images of one shape, read through a read-only memory mapping: the
 * {@link Pixels} of a data set are backed by it without a copy, and the page cache holding it
 * is shared by every process that maps it. Layout, little-endian: a 64-byte header (magic,
 * format version, height, width, channels, count, key length, stamp, index length, pixels
 * offset, CRC-32C of header, key and index), the key the file was made for, an index of one
 * {@link Entry} and one pixel CRC-32C per image, then from a page-aligned offset the pixels,
 * image after image.
 *
 * <p>A file is whole or absent: it is written to a temporary sibling, forced to disk and renamed
 * over the old one, which processes that have it mapped go on reading. Opening checks the
 * header, the length, the key and the index checksum; {@link #intact} checks one image's pixels.
 */
public final class PixelCache implements AutoCloseable {
    public static final int VERSION = 1;
    private static final byte[] MAGIC = "KINGLETP".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 64, CRC_AT = 56;
    private static final long PAGE = 4096;

    /**
     * One image: its file ({@code name}, relative to the data set), that file's size and
     * modification time (ns since the epoch) when it was read, the SHA-256 of its bytes and of
     * its decoded pixels, and its decoded size and channel count (before conversion).
     */
    public record Entry(String name, long size, long modified, String contentSha256, String decodedSha256,
                        int sourceHeight, int sourceWidth, int sourceChannels) {
        public Entry {
            if (name == null || name.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) throw new IllegalArgumentException("entry name missing or over 65535 bytes: " + name);
            HexFormat.of().parseHex(contentSha256);
            HexFormat.of().parseHex(decodedSha256);
            if (contentSha256.length() != 64 || decodedSha256.length() != 64) throw new IllegalArgumentException("SHA-256 digests are 64 hex digits");
        }

        public Entry withFile(String name, long size, long modified) {
            return new Entry(name, size, modified, contentSha256, decodedSha256, sourceHeight, sourceWidth, sourceChannels);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long stamp, pixelsOffset;
    private final int height, width, channels;
    private final List<Entry> entries;
    private final int[] crcs;
    private final Pixels all;

    private PixelCache(Path file, FileChannel channel, long stamp, int height, int width, int channels, List<Entry> entries, int[] crcs,
                       long pixelsOffset) throws IOException {
        this.file = file;
        this.channel = channel;
        this.stamp = stamp;
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.entries = List.copyOf(entries);
        this.crcs = crcs;
        this.pixelsOffset = pixelsOffset;
        this.all = Pixels.mapped(channel, pixelsOffset, entries.size(), height, width, channels);
    }

    /** How the cached pixels were made from files: part of every cache key, so a change of it makes new files. */
    public static String conversionRule() {
        Natives.load();
        return "Image.decode, toChannels, resize; OpenCV " + opencv_core.CV_VERSION();
    }

    /**
     * Opens {@code file} if it is a whole cache file made for {@code key}. Absent: {@link
     * java.nio.file.NoSuchFileException}; anything else wrong: an IOException that says what.
     */
    public static PixelCache open(Path file, String key) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return read(file, ch, key);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static PixelCache read(Path file, FileChannel ch, String key) throws IOException {
        long length = ch.size();
        if (length < HEADER) throw new IOException(file + ": " + length + " bytes, shorter than a cache header: truncated or not an image cache");
        ByteBuffer h = readFully(ch, 0, HEADER);
        byte[] magic = new byte[MAGIC.length];
        h.get(magic);
        if (!Arrays.equals(magic, MAGIC)) throw new IOException(file + ": not a Kinglet image cache (wrong magic)");
        int version = h.getInt();
        if (version != VERSION) throw new IOException(file + ": image cache format " + version + ", this Kinglet reads " + VERSION);
        int height = h.getInt(), width = h.getInt(), channels = h.getInt(), count = h.getInt(), keyBytes = h.getInt();
        long stamp = h.getLong(), indexBytes = h.getLong(), pixelsOffset = h.getLong();
        int crc = h.getInt();
        if (height < 1 || width < 1 || (channels != 1 && channels != 3) || (long) height * width * channels > Integer.MAX_VALUE || count < 0
                || keyBytes < 0 || indexBytes < 0 || HEADER + keyBytes + indexBytes > Integer.MAX_VALUE || pixelsOffset % PAGE != 0
                || pixelsOffset < HEADER + keyBytes + indexBytes) {
            throw new IOException(file + ": header out of range (" + height + "x" + width + "x" + channels + ", " + count + " images)");
        }
        long expected = pixelsOffset + (long) count * height * width * channels;
        if (length != expected) throw new IOException(file + ": " + length + " bytes, expected " + expected + ": truncated or overwritten");
        ByteBuffer rest = readFully(ch, HEADER, (int) (keyBytes + indexBytes));
        byte[] unsigned = h.array().clone();
        Arrays.fill(unsigned, CRC_AT, CRC_AT + 4, (byte) 0);
        CRC32C check = new CRC32C();
        check.update(unsigned);
        check.update(rest.array());
        if ((int) check.getValue() != crc) throw new IOException(file + ": header or index fails its checksum");
        byte[] keyRead = new byte[keyBytes];
        rest.get(keyRead);
        if (!Arrays.equals(keyRead, key.getBytes(StandardCharsets.UTF_8))) {
            throw new IOException(file + ": made for another data set or conversion (" + new String(keyRead, StandardCharsets.UTF_8).replace('\n', ' ') + ")");
        }
        List<Entry> entries = new ArrayList<>(count);
        int[] crcs = new int[count];
        try {
            var utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[Short.toUnsignedInt(rest.getShort())];
                rest.get(name);
                long size = rest.getLong(), modified = rest.getLong();
                byte[] content = new byte[32], decoded = new byte[32];
                rest.get(content);
                rest.get(decoded);
                entries.add(new Entry(utf8.decode(ByteBuffer.wrap(name)).toString(), size, modified, HexFormat.of().formatHex(content),
                        HexFormat.of().formatHex(decoded), rest.getInt(), rest.getInt(), rest.getInt()));
                crcs[i] = rest.getInt();
            }
        } catch (BufferUnderflowException | CharacterCodingException | IllegalArgumentException e) {
            throw new IOException(file + ": index unreadable (" + e + ")", e);
        }
        if (rest.hasRemaining()) throw new IOException(file + ": index longer than its " + count + " entries");
        return new PixelCache(file, ch, stamp, height, width, channels, entries, crcs, pixelsOffset);
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) throw new IOException("unexpected end of file at byte " + (position + b.position()));
        }
        return b.flip();
    }

    /**
     * Writes a cache file of {@code entries}, image {@code i} of shape {@code height x width x
     * channels} given by {@code images}, and opens it. {@code stamp} is kept for the reader.
     */
    public static PixelCache write(Path file, String key, long stamp, int height, int width, int channels, List<Entry> entries,
                                   IntFunction<byte[]> images) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // A unique temporary name: two processes may rebuild the same cache at once, and the last rename wins whole.
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".partial");
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            List<byte[]> names = entries.stream().map(e -> e.name().getBytes(StandardCharsets.UTF_8)).toList();
            long indexBytes = names.stream().mapToLong(n -> 2 + n.length + 8 + 8 + 32 + 32 + 12 + 4).sum();
            if (HEADER + keyBytes.length + indexBytes > Integer.MAX_VALUE) throw new IOException(file + ": index of " + entries.size() + " entries too large");
            long pixelsOffset = (HEADER + keyBytes.length + indexBytes + PAGE - 1) / PAGE * PAGE;
            int imageBytes = height * width * channels;
            int[] crcs = new int[entries.size()];
            for (int i = 0; i < entries.size(); i++) {
                byte[] img = images.apply(i);
                if (img.length != imageBytes) throw new IllegalArgumentException("image " + i + " has " + img.length + " bytes, expected " + imageBytes);
                CRC32C crc = new CRC32C();
                crc.update(img);
                crcs[i] = (int) crc.getValue();
                writeFully(ch, pixelsOffset + (long) i * imageBytes, ByteBuffer.wrap(img));
            }
            ByteBuffer head = ByteBuffer.allocate((int) (HEADER + keyBytes.length + indexBytes)).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).putInt(VERSION).putInt(height).putInt(width).putInt(channels).putInt(entries.size()).putInt(keyBytes.length)
                    .putLong(stamp).putLong(indexBytes).putLong(pixelsOffset).putInt(0).putInt(0).put(keyBytes);
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                head.putShort((short) names.get(i).length).put(names.get(i)).putLong(e.size()).putLong(e.modified())
                        .put(HexFormat.of().parseHex(e.contentSha256())).put(HexFormat.of().parseHex(e.decodedSha256()))
                        .putInt(e.sourceHeight()).putInt(e.sourceWidth()).putInt(e.sourceChannels()).putInt(crcs[i]);
            }
            CRC32C crc = new CRC32C();
            crc.update(head.array());
            head.putInt(CRC_AT, (int) crc.getValue());
            writeFully(ch, 0, head.rewind());
            ch.force(true);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself on disk
            } catch (IOException e) {
                // some file systems cannot sync a directory; the file itself is already on disk
            }
            return new PixelCache(file, ch, stamp, height, width, channels, entries, crcs, pixelsOffset);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void writeFully(FileChannel ch, long position, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b, position + b.position());
    }

    public Path file() { return file; }
    /** What the writer passed: for the reader to judge how far file times can be trusted. */
    public long stamp() { return stamp; }
    public int height() { return height; }
    public int width() { return width; }
    public int channels() { return channels; }
    public List<Entry> entries() { return entries; }

    /** Whether image {@code index}'s pixels still have the checksum they were written with. */
    public boolean intact(int index) {
        CRC32C crc = new CRC32C();
        crc.update(all.image(index).asByteBuffer());
        return (int) crc.getValue() == crcs[index];
    }

    /** A copy of image {@code index}'s pixels. */
    public byte[] image(int index) {
        return all.get(index);
    }

    /** Every image of the file as pixels of their own mapping, valid after this cache is closed, until they are. */
    public Pixels pixels() throws IOException {
        return Pixels.mapped(channel, pixelsOffset, entries.size(), height, width, channels);
    }

    @Override
    public void close() throws IOException {
        all.close();
        channel.close();
    }
}
