package dev.kinglet.natives;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.kinglet.natives.Unpickler.Dict;
import dev.kinglet.natives.Unpickler.StorageRef;
import dev.kinglet.natives.Unpickler.TensorRef;

/**
 * The checkpoint format of {@code torch.save} (PyTorch 1.6 and later): a zip with one folder
 * holding {@code data.pkl} (the pickled object, tensors as persistent ids of storages),
 * {@code data/<key>} (each storage's raw bytes), {@code version} and, since PyTorch 2.1,
 * {@code byteorder}.
 */
final class TorchZip {
    private TorchZip() {}

    /** The state dict in the file (or in its top-level {@code entry}), as views of {@code data}. */
    static Map<String, TensorSpec> read(Path file, MemorySegment data, Arena arena, String entry) throws IOException {
        ZipArchive zip = ZipArchive.open(file, data);
        String pkl = zip.names().stream().filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())
                .findFirst().orElseThrow(() -> new IOException(file + ": a zip without <folder>/data.pkl, so not a torch.save checkpoint; its entries: "
                        + zip.names().stream().limit(10).collect(Collectors.joining(", "))));
        String folder = pkl.substring(0, pkl.length() - "data.pkl".length());
        if (zip.contains(folder + "constants.pkl") || zip.names().stream().anyMatch(n -> n.startsWith(folder + "code/"))) {
            throw new IOException(file + " is a TorchScript archive (torch.jit.save), not a state dict: save model.state_dict() with torch.save instead");
        }
        if (zip.contains(folder + "byteorder")) {
            String order = new String(zip.content(folder + "byteorder", arena, true).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8).strip();
            if (!order.equals("little")) {
                throw new IOException(file + " was saved on a " + order + "-endian machine (" + folder + "byteorder); Kinglet reads little-endian"
                        + " checkpoints only: re-save it with torch.save on a little-endian machine (x86-64, ARM)");
            }
        }
        MemorySegment pickle = zip.content(pkl, arena, true);
        if (pickle.byteSize() > Integer.MAX_VALUE) throw new IOException(file + ": " + pkl + " is larger than 2 GB");
        Object top = Unpickler.load(pickle.toArray(ValueLayout.JAVA_BYTE), file + " (" + pkl + ")");
        Dict selected = select(file, top, entry);
        Map<String, MemorySegment> storages = new HashMap<>();
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : selected.entrySet()) {
            String key = (String) e.getKey();
            TensorRef t = (TensorRef) e.getValue();
            StorageRef s = t.storage();
            String where = file + ": tensor \"" + key + "\"";
            MemorySegment bytes = storages.get(s.key());
            if (bytes == null) {
                bytes = zip.content(folder + "data/" + s.key(), arena, false);
                storages.put(s.key(), bytes);
            }
            long size;
            try {
                size = Math.multiplyExact(s.numel(), (long) s.dtype().size);
            } catch (ArithmeticException ex) {
                throw new IOException(where + ": storage size " + s.numel() + " overflows", ex);
            }
            if (size > bytes.byteSize()) {
                throw new IOException(where + ": storage " + s.key() + " should hold " + size + " bytes, the file has " + bytes.byteSize() + ": the file is corrupt");
            }
            specs.put(key, TensorSpec.of(where, s.dtype(), t.shape(), t.strides(), t.offset(), bytes.asSlice(0, size)));
        }
        return specs;
    }

    private static Dict select(Path file, Object top, String entry) throws IOException {
        if (entry == null) {
            if (top instanceof Dict d && isStateDict(d)) return d;
            if (!(top instanceof Dict d)) throw new IOException(file + " holds " + Unpickler.describe(top) + ", not a state dict (a dict of tensors)");
            String hint = d.entrySet().stream().filter(e -> e.getKey() instanceof String && e.getValue() instanceof Dict v && isStateDict(v))
                    .map(e -> ". Pick the state dict by name, e.g. StateDict.read(file, \"" + e.getKey() + "\")").findFirst()
                    .orElse(", and none of them is a dict of tensors");
            throw new IOException(file + " is a checkpoint, not a state dict: " + keys(d) + hint);
        }
        if (!(top instanceof Dict d)) throw new IOException(file + " holds " + Unpickler.describe(top) + ", not a dict with an entry \"" + entry + "\"");
        if (!d.containsKey(entry)) throw new IOException(file + " has no entry \"" + entry + "\": " + keys(d));
        if (d.get(entry) instanceof Dict v && isStateDict(v)) return v;
        throw new IOException(file + ": entry \"" + entry + "\" is " + Unpickler.describe(d.get(entry)) + ", not a state dict (a dict of tensors): " + keys(d));
    }

    private static boolean isStateDict(Dict d) {
        return d.entrySet().stream().allMatch(e -> e.getKey() instanceof String && e.getValue() instanceof TensorRef);
    }

    private static String keys(Dict d) {
        String listed = d.entrySet().stream().limit(20)
                .map(e -> (e.getKey() instanceof String s ? "\"" + s + "\"" : Unpickler.describe(e.getKey())) + " (" + Unpickler.describe(e.getValue()) + ")")
                .collect(Collectors.joining(", "));
        return "its top-level keys are " + listed + (d.size() > 20 ? " and " + (d.size() - 20) + " more" : "");
    }

    /**
     * What {@code torch.save(OrderedDict)} pickles (protocol 2): an OrderedDict whose values are
     * {@code _rebuild_tensor_v2} calls on storages {@code "0"}, {@code "1"}, ... in order, each
     * contiguous from offset 0.
     */
    static byte[] pickle(List<StateDict.Header> tensors) {
        Pickle p = new Pickle();
        p.op(0x80).op(2);
        p.global("collections", "OrderedDict").op(')').op('R');
        p.op('(');
        for (int i = 0; i < tensors.size(); i++) {
            StateDict.Header h = tensors.get(i);
            p.string(h.key());
            p.global("torch._utils", "_rebuild_tensor_v2");
            p.op('(');
            p.op('(').string("storage").global("torch", h.dtype().storageClass).string(Integer.toString(i)).string("cpu")
                    .integer(h.bytes() / h.dtype().size).op('t');
            p.op('Q'); // BINPERSID: the tuple above names the storage
            p.integer(0);
            p.tuple(h.shape()).tuple(TensorSpec.contiguousStrides(h.shape()));
            p.op(0x89); // requires_grad=False
            p.global("collections", "OrderedDict").op(')').op('R'); // no backward hooks
            p.op('t').op('R');
        }
        p.op('u').op('.');
        return p.out.toByteArray();
    }

    private static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int code) {
            out.write(code);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X').u32(b.length);
            out.writeBytes(b);
            return this;
        }

        Pickle integer(long v) {
            if (v >= 0 && v < 0x100) return op('K').op((int) v);
            if (v >= 0 && v < 0x10000) return op('M').op((int) v & 0xFF).op((int) (v >>> 8));
            if (v == (int) v) return op('J').u32((int) v);
            byte[] be = BigInteger.valueOf(v).toByteArray(); // LONG1: little-endian two's complement
            op(0x8a).op(be.length);
            for (int i = be.length - 1; i >= 0; i--) op(be[i] & 0xFF);
            return this;
        }

        Pickle tuple(long[] values) {
            op('(');
            for (long v : values) integer(v);
            return op('t');
        }

        private Pickle u32(int v) {
            for (int i = 0; i < 4; i++) op((v >>> (8 * i)) & 0xFF);
            return this;
        }
    }
}
