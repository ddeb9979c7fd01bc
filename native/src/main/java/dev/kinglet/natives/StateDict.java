package dev.kinglet.natives;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * The tensors of a PyTorch weight file, read without running anything from it. Reads what
 * {@code torch.save} writes (PyTorch 1.6 and later: a zip of a pickle and raw storages; the
 * pickle goes through a restricted unpickler that refuses any global a state dict does not
 * need) and safetensors; the format is told by content, not by name.
 *
 * <p>Tensors are CPU views of the memory-mapped file, not copies (a deflated zip entry is
 * inflated into memory first). They belong to this object and are valid until {@link #close}.
 * The mapping is read-only: writing into a returned tensor (an in-place op, or using it as a
 * parameter) crashes the JVM. Copy out of it instead:
 *
 * <pre>{@code
 * try (StateDict sd = StateDict.read(Path.of("resnet18.pth")); var noGrad = new NoGradGuard()) {
 *     for (String key : sd.keys()) params.get(key).copy_(sd.tensor(key));
 * }
 * }</pre>
 */
public final class StateDict implements AutoCloseable {
    /** A tensor's element type as PyTorch spells it ({@code float32}, {@code bfloat16}, ...) and its shape. */
    public record Info(String dtype, long[] shape) {
        public Info {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Info i && i.dtype.equals(dtype) && Arrays.equals(i.shape, shape);
        }

        @Override
        public int hashCode() {
            return dtype.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return dtype + Arrays.toString(shape);
        }
    }

    /** A tensor about to be written: its row-major bytes follow. */
    record Header(String key, Dtype dtype, long[] shape, long bytes) {}

    private final Path file;
    private final Arena arena;
    private final Map<String, TensorSpec> specs;
    private final Map<String, Tensor> tensors = new HashMap<>();
    private boolean closed;

    private StateDict(Path file, Arena arena, Map<String, TensorSpec> specs) {
        this.file = file;
        this.arena = arena;
        this.specs = specs;
    }

    /** The state dict in {@code file}: a {@code torch.save} checkpoint of a dict of tensors, or safetensors. */
    public static StateDict read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * The state dict under the top-level key {@code entry} of a checkpoint, e.g. {@code "model"}
     * of {@code {"model": state_dict, "epoch": 3}}; {@code null} when the file is the state dict.
     */
    public static StateDict read(Path file, String entry) throws IOException {
        Natives.load();
        // One arena for the mapping and any inflated storage: every tensor borrows it, so it lives exactly as long as this object.
        Arena arena = Arena.ofShared();
        boolean ok = false;
        try {
            MemorySegment data;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            } catch (FileSystemException e) {
                throw e;
            } catch (IOException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
            Map<String, TensorSpec> specs = specs(file, data, arena, entry);
            specs.replaceAll((k, s) -> s.aligned(arena));
            ok = true;
            return new StateDict(file, arena, specs);
        } finally {
            if (!ok) arena.close();
        }
    }

    private static Map<String, TensorSpec> specs(Path file, MemorySegment data, Arena arena, String entry) throws IOException {
        if (data.byteSize() < 8) throw new IOException(file + " is " + data.byteSize() + " bytes long: too short for a PyTorch checkpoint or safetensors file");
        byte[] magic = data.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE);
        if (magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) return TorchZip.read(file, data, arena, entry);
        if (Safetensors.looksLike(data)) {
            if (entry != null) throw new IOException(file + " is a safetensors file, which has no entries: read it without entry \"" + entry + "\"");
            return Safetensors.read(file, data);
        }
        if ((magic[0] & 0xFF) == 0x80 && magic[1] >= 2 && magic[1] <= 5) {
            throw new IOException(file + " is a bare pickle: PyTorch's legacy format (torch.save before PyTorch 1.6, or with"
                    + " _use_new_zipfile_serialization=False), which Kinglet does not read: re-save it with torch.save in PyTorch >= 1.6,"
                    + " e.g. torch.save(torch.load(old, weights_only=True), new)");
        }
        throw new IOException(file + " is neither a PyTorch checkpoint (a zip, starting with PK) nor safetensors (an 8-byte length, then a JSON header)");
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    /** The tensors' names, in file order. */
    public List<String> keys() {
        return List.copyOf(specs.keySet());
    }

    public Info info(String key) {
        TensorSpec s = spec(key);
        return new Info(s.dtype().torchName, s.shape());
    }

    /**
     * The tensor {@code key}: a read-only CPU view of the file owned by this object, valid until
     * {@link #close}; copy it into your own tensors, never write into it.
     */
    public synchronized Tensor tensor(String key) {
        if (closed) throw new IllegalStateException(file + " is closed");
        TensorSpec s = spec(key);
        return tensors.computeIfAbsent(key, k -> s.view());
    }

    private TensorSpec spec(String key) {
        TensorSpec s = specs.get(key);
        if (s == null) {
            throw new IllegalArgumentException(file + " has no tensor \"" + key + "\"; it has " + specs.size() + ": "
                    + specs.keySet().stream().limit(8).collect(Collectors.joining(", ")) + (specs.size() > 8 ? ", ..." : ""));
        }
        return s;
    }

    /** Frees the tensors and unmaps the file; tensors taken from this object, and views of them, are invalid after. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        tensors.values().forEach(Tensor::close);
        tensors.clear();
        arena.close();
    }

    /**
     * Writes what {@code torch.save(OrderedDict(tensors))} writes, so that Python's
     * {@code torch.load} returns an OrderedDict for {@code model.load_state_dict}. Tensors may be
     * on any device and in any layout; each gets its own storage. Atomic: the file is whole or absent.
     */
    public static void writePth(Path file, Map<String, Tensor> tensors) throws IOException {
        List<Header> headers = headers(file, tensors);
        atomically(file, ch -> {
            ZipArchive.Writer zip = new ZipArchive.Writer(ch, file);
            zip.add("archive/data.pkl", TorchZip.pickle(headers));
            zip.add("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < headers.size(); i++) {
                String name = "archive/data/" + i;
                withBytes(tensors.get(headers.get(i).key()), bytes -> zip.add(name, bytes));
            }
            zip.add("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish();
        });
    }

    /** Writes {@code tensors} as safetensors (metadata {@code format: pt}), atomically. */
    public static void writeSafetensors(Path file, Map<String, Tensor> tensors) throws IOException {
        List<Header> headers = headers(file, tensors);
        for (Header h : headers) {
            if (Safetensors.reserved(h.key())) throw new IllegalArgumentException(file + ": a safetensors tensor may not be named " + h.key());
        }
        Safetensors.Layout layout = Safetensors.layout(headers);
        atomically(file, ch -> {
            writeFully(ch, MemorySegment.ofArray(layout.header()));
            for (Header h : layout.dataOrder()) withBytes(tensors.get(h.key()), bytes -> writeFully(ch, bytes));
        });
    }

    private static List<Header> headers(Path file, Map<String, Tensor> tensors) {
        Natives.load();
        List<Header> headers = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            String where = file + ": tensor \"" + e.getKey() + "\"";
            if (e.getKey() == null || t == null) throw new IllegalArgumentException(file + ": null key or tensor (" + e.getKey() + ")");
            if (t.is_sparse() || t.is_quantized() || t.is_mkldnn()) throw new IllegalArgumentException(where + " is not a dense tensor; call .to_dense() first");
            Dtype dtype = Dtype.of(t.scalar_type()).orElseThrow(() -> new IllegalArgumentException(where + " has element type "
                    + t.scalar_type() + "; Kinglet writes " + Dtype.names()));
            headers.add(new Header(e.getKey(), dtype, t.sizes().vec().get(), t.numel() * dtype.size));
        }
        return headers;
    }

    private interface Output {
        void write(MemorySegment bytes) throws IOException;
    }

    /** Hands the row-major bytes of {@code t} (a CPU copy only when it is elsewhere or strided) to {@code out}. */
    private static void withBytes(Tensor t, Output out) throws IOException {
        try (var scope = new PointerScope()) {
            Tensor c = t.detach().cpu().contiguous();
            out.write(TensorMemory.view(c));
        }
    }

    private static void writeFully(FileChannel ch, MemorySegment bytes) throws IOException {
        for (long off = 0; off < bytes.byteSize(); off += 1 << 30) {
            ByteBuffer b = bytes.asSlice(off, Math.min(1 << 30, bytes.byteSize() - off)).asByteBuffer();
            while (b.hasRemaining()) ch.write(b);
        }
    }

    private interface Body {
        void write(FileChannel ch) throws IOException;
    }

    /** Writes a temporary sibling, forces it to disk and renames it onto {@code file}, like the engine's AtomicFiles. */
    private static void atomically(Path file, Body body) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".partial");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            if (e instanceof IOException io && !String.valueOf(io.getMessage()).startsWith(file.toString())) {
                throw new IOException("could not write " + file + ": " + io.getMessage(), io);
            }
            throw e;
        }
    }
}
