package dev.kinglet.natives;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The dynamic section of a 64-bit little-endian ELF shared library: its soname and the
 * sonames it needs ({@code DT_NEEDED}), as {@code readelf -d} prints them. Only the headers,
 * the dynamic section and its string table are read, so a 330 MB {@code libtorch_cpu.so}
 * costs a few reads.
 */
record ElfDynamic(String soname, List<String> needed) {
    private static final int SHT_DYNAMIC = 6;
    private static final long DT_NULL = 0, DT_NEEDED = 1, DT_SONAME = 14;

    static ElfDynamic read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = read(ch, 0, 64, file);
            if (header.getInt(0) != 0x464c457f) throw notElf(file, "no ELF magic");
            if (header.get(4) != 2 || header.get(5) != 1) throw notElf(file, "not a 64-bit little-endian ELF file");
            long shoff = header.getLong(0x28);
            int shentsize = Short.toUnsignedInt(header.getShort(0x3A));
            int shnum = Short.toUnsignedInt(header.getShort(0x3C));
            if (shoff == 0 || shnum == 0 || shentsize < 64) throw notElf(file, "no section headers");
            ByteBuffer sections = read(ch, shoff, (long) shentsize * shnum, file);
            for (int i = 0; i < shnum; i++) {
                int s = i * shentsize;
                if (sections.getInt(s + 4) != SHT_DYNAMIC) continue;
                int link = sections.getInt(s + 40);
                if (link <= 0 || link >= shnum) throw notElf(file, "the dynamic section links no string table");
                ByteBuffer dynamic = read(ch, sections.getLong(s + 24), sections.getLong(s + 32), file);
                int t = link * shentsize;
                ByteBuffer strings = read(ch, sections.getLong(t + 24), sections.getLong(t + 32), file);
                String soname = null;
                List<String> needed = new ArrayList<>();
                for (int e = 0; e + 16 <= dynamic.limit(); e += 16) {
                    long tag = dynamic.getLong(e);
                    if (tag == DT_NULL) break;
                    if (tag == DT_NEEDED) needed.add(string(strings, dynamic.getLong(e + 8), file));
                    if (tag == DT_SONAME) soname = string(strings, dynamic.getLong(e + 8), file);
                }
                return new ElfDynamic(soname, List.copyOf(needed));
            }
            return new ElfDynamic(null, List.of());
        }
    }

    private static ByteBuffer read(FileChannel ch, long offset, long length, Path file) throws IOException {
        if (offset < 0 || length < 0 || length > Integer.MAX_VALUE || offset + length > ch.size()) {
            throw notElf(file, "a header points outside the file");
        }
        ByteBuffer b = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) throw notElf(file, "truncated");
        }
        return b.flip();
    }

    private static String string(ByteBuffer strings, long offset, Path file) throws IOException {
        if (offset < 0 || offset >= strings.limit()) throw notElf(file, "a name points outside the string table");
        int end = (int) offset;
        while (end < strings.limit() && strings.get(end) != 0) end++;
        byte[] bytes = new byte[end - (int) offset];
        strings.get((int) offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static IOException notElf(Path file, String why) {
        return new IOException(file + " is not a readable shared library: " + why);
    }
}
