package dev.kinglet.natives;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader that builds data and never runs code: it accepts only the opcodes (protocols
 * 2 to 5) and the globals a PyTorch state dict or checkpoint needs, and refuses everything else
 * before it could be called. Python's unpickler calls any global a file names ({@code os.system}
 * included); this one knows a closed list of five kinds of callable and builds each itself.
 *
 * <p>Values come out as {@code String}, {@code Long} (or {@code BigInteger}), {@code Double},
 * {@code Boolean}, {@code byte[]}, {@code null}, {@code ArrayList} (list), {@link Tuple},
 * {@link Dict}, {@link StorageRef} and {@link TensorRef}.
 */
final class Unpickler {
    private static final String NEVER_RUNS_CODE = "loading weights never runs code from the file, so a pickle may only use"
            + " collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and torch.*Storage";

    /** A global the file names; only those in {@link #ALLOWED} are ever made. */
    record Global(String module, String name, Kind kind, Dtype storageDtype) {
        String qualified() {
            return module + "." + name;
        }
    }

    enum Kind { ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER, STORAGE_TYPE }

    /** A Python tuple. */
    record Tuple(List<Object> items) {}

    /** A Python dict; {@code ordered} for {@code collections.OrderedDict}. */
    static final class Dict extends LinkedHashMap<Object, Object> {
        final boolean ordered;

        Dict(boolean ordered) {
            this.ordered = ordered;
        }
    }

    /** A storage named by its persistent id {@code ('storage', type, key, location, numel)}. */
    record StorageRef(Dtype dtype, String key, String location, long numel) {}

    /** What {@code _rebuild_tensor_v2} would make: a view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] strides) {}

    private static final Map<String, Global> ALLOWED = allowed();

    private static Map<String, Global> allowed() {
        Map<String, Global> m = new HashMap<>();
        List.of(new Global("collections", "OrderedDict", Kind.ORDERED_DICT, null),
                new Global("torch._utils", "_rebuild_tensor_v2", Kind.REBUILD_TENSOR, null),
                new Global("torch._utils", "_rebuild_parameter", Kind.REBUILD_PARAMETER, null),
                new Global("torch.storage", "UntypedStorage", Kind.STORAGE_TYPE, Dtype.UINT8))
                .forEach(g -> m.put(g.qualified(), g));
        for (Dtype d : Dtype.values()) m.put("torch." + d.storageClass, new Global("torch", d.storageClass, Kind.STORAGE_TYPE, d));
        return m;
    }

    private final ByteBuffer in;
    private final String source;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int opcodeAt;

    private Unpickler(byte[] pickle, String source) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /** The value {@code pickle} holds; {@code source} names it in errors, e.g. {@code model.pth (archive/data.pkl)}. */
    static Object load(byte[] pickle, String source) throws IOException {
        return new Unpickler(pickle, source).run();
    }

    private Object run() throws IOException {
        while (true) {
            opcodeAt = in.position();
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol < 2 || protocol > 5) throw malformed("pickle protocol " + protocol + " (2 to 5 are read)");
                }
                case 0x95 -> bytes(8) /* FRAME: a length hint */;
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) throw malformed("STOP with " + stack.size() + " values on the stack");
                    return stack.getFirst();
                }
                case '(' -> marks.add(stack.size()); // MARK
                case '0' -> { // POP
                    if (!marks.isEmpty() && marks.getLast() == stack.size()) marks.removeLast();
                    else pop();
                }
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt(position(4))); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) Short.toUnsignedInt(in.getShort(position(2)))); // BININT2
                case 0x8a -> push(longFrom(bytes(u8()))); // LONG1
                case 0x8b -> push(longFrom(bytes(length(in.getInt(position(4)) & 0xFFFFFFFFL)))); // LONG4
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong(position(8))))); // BINFLOAT, big-endian
                case 'X' -> push(utf8(bytes(length(in.getInt(position(4)) & 0xFFFFFFFFL)))); // BINUNICODE
                case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
                case 0x8d -> push(utf8(bytes(length(in.getLong(position(8)))))); // BINUNICODE8
                case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                case 'B' -> push(bytes(length(in.getInt(position(4)) & 0xFFFFFFFFL))); // BINBYTES
                case 0x8e -> push(bytes(length(in.getLong(position(8))))); // BINBYTES8
                case ')' -> push(new Tuple(List.of()));
                case 't' -> push(tuple(popMark()));
                case 0x85 -> push(tuple(popN(1)));
                case 0x86 -> push(tuple(popN(2)));
                case 0x87 -> push(tuple(popN(3)));
                case ']' -> push(new ArrayList<>());
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case '}' -> push(new Dict(false));
                case 's' -> { // SETITEM
                    Object v = pop(), k = pop();
                    dict(peek()).put(key(k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    if (items.size() % 2 != 0) throw malformed("SETITEMS with an odd number of values");
                    Dict d = dict(peek());
                    for (int i = 0; i < items.size(); i += 2) d.put(key(items.get(i)), items.get(i + 1));
                }
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(in.getInt(position(4)) & 0xFFFFFFFFL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(in.getInt(position(4)) & 0xFFFFFFFFL)); // LONG_BINGET
                case 'c' -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) throw malformed("STACK_GLOBAL of non-strings");
                    push(global(m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop(), callable = pop();
                    push(reduce(callable, args));
                }
                case 'b' -> { // BUILD: an OrderedDict's attributes (torch.save stores _metadata there), ignored
                    pop();
                    if (!(peek() instanceof Dict d) || !d.ordered) throw refused("pickle opcode BUILD (set object state) on " + describe(peek())
                            + "; it is accepted only on an OrderedDict");
                }
                case 'Q' -> push(persistent(pop())); // BINPERSID
                default -> throw refused("pickle opcode " + opcodeName(op));
            }
        }
    }

    private Object reduce(Object callable, Object args) throws IOException {
        if (!(callable instanceof Global g)) throw refused("a call of " + describe(callable) + " (opcode REDUCE)");
        if (!(args instanceof Tuple(List<Object> a))) throw malformed("arguments of " + g.qualified() + " are " + describe(args));
        return switch (g.kind()) {
            case ORDERED_DICT -> {
                if (!a.isEmpty()) throw malformed("collections.OrderedDict called with arguments");
                yield new Dict(true);
            }
            case REBUILD_TENSOR -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (a.size() < 6 || a.size() > 7 || !(a.get(0) instanceof StorageRef storage)) {
                    throw malformed("_rebuild_tensor_v2 called with " + a.size() + " arguments, or not on a storage");
                }
                if (!(a.get(5) instanceof Dict hooks) || !hooks.isEmpty()) throw malformed("tensor with backward hooks");
                long[] shape = longs(a.get(2), "size"), strides = longs(a.get(3), "stride");
                if (shape.length != strides.length) throw malformed("tensor size " + shape.length + " and stride " + strides.length + " differ in length");
                yield new TensorRef(storage, integer(a.get(1), "storage_offset"), shape, strides);
            }
            case REBUILD_PARAMETER -> {
                // (data, requires_grad, backward_hooks): a Parameter is its data here
                if (a.size() != 3 || !(a.get(0) instanceof TensorRef t)) throw malformed("_rebuild_parameter not called on a tensor");
                yield t;
            }
            case STORAGE_TYPE -> throw refused("a call of " + g.qualified() + "; a storage type may only name a storage's type");
        };
    }

    private StorageRef persistent(Object pid) throws IOException {
        if (pid instanceof Tuple(List<Object> t) && t.size() == 5 && "storage".equals(t.get(0))
                && t.get(1) instanceof Global g && g.kind() == Kind.STORAGE_TYPE
                && t.get(2) instanceof String key && t.get(3) instanceof String location) {
            long numel = integer(t.get(4), "storage size");
            if (numel < 0) throw malformed("storage " + key + " of negative size " + numel);
            return new StorageRef(g.storageDtype(), key, location, numel);
        }
        throw refused("persistent id " + describe(pid) + "; only ('storage', type, key, location, size) is accepted");
    }

    private Global global(String module, String name) throws IOException {
        Global g = ALLOWED.get(module + "." + name);
        if (g == null) throw refused("global " + module + "." + name);
        return g;
    }

    private IOException refused(String what) {
        return new IOException(source + ": refused " + what + " at byte " + opcodeAt + ": " + NEVER_RUNS_CODE);
    }

    private IOException malformed(String what) {
        return new IOException(source + ": malformed pickle at byte " + opcodeAt + ": " + what);
    }

    private Object key(Object k) throws IOException {
        if (hashableScalar(k) || (k instanceof Tuple(List<Object> items) && items.stream().allMatch(Unpickler::hashableScalar))) return k;
        throw malformed("dict key " + describe(k) + " is not a string, number or tuple of them");
    }

    private static boolean hashableScalar(Object k) {
        return k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double || k instanceof Boolean;
    }

    @SuppressWarnings("unchecked")
    private ArrayList<Object> list(Object o) throws IOException {
        if (o instanceof ArrayList<?> l) return (ArrayList<Object>) l;
        throw malformed("APPEND to " + describe(o));
    }

    private Dict dict(Object o) throws IOException {
        if (o instanceof Dict d) return d;
        throw malformed("SETITEM on " + describe(o));
    }

    private long integer(Object o, String what) throws IOException {
        if (o instanceof Long l) return l;
        throw malformed(what + " is " + describe(o) + ", not an integer");
    }

    private long[] longs(Object o, String what) throws IOException {
        if (!(o instanceof Tuple(List<Object> items))) throw malformed("tensor " + what + " is " + describe(o) + ", not a tuple");
        long[] r = new long[items.size()];
        for (int i = 0; i < r.length; i++) r[i] = integer(items.get(i), "tensor " + what);
        return r;
    }

    private static Tuple tuple(List<Object> items) {
        return new Tuple(Collections.unmodifiableList(items));
    }

    private Object memoGet(long index) throws IOException {
        if (!memo.containsKey(index)) throw malformed("memo " + index + " read before it was written");
        return memo.get(index);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() throws IOException {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.getLast() == stack.size())) throw malformed("stack underflow");
        return stack.removeLast();
    }

    private Object peek() throws IOException {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.getLast() == stack.size())) throw malformed("stack underflow");
        return stack.getLast();
    }

    private List<Object> popN(int n) throws IOException {
        ArrayList<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) items.addFirst(pop());
        return items;
    }

    private List<Object> popMark() throws IOException {
        if (marks.isEmpty()) throw malformed("no MARK to pop to");
        int from = marks.removeLast();
        List<Object> top = stack.subList(from, stack.size());
        ArrayList<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private int u8() throws IOException {
        return Byte.toUnsignedInt(in.get(position(1)));
    }

    /** Claims the next {@code n} bytes and returns where they start. */
    private int position(int n) throws IOException {
        if (in.remaining() < n) throw new IOException(source + ": pickle ends early at byte " + in.limit() + " (the file is truncated or corrupt)");
        int p = in.position();
        in.position(p + n);
        return p;
    }

    private int length(long n) throws IOException {
        if (n < 0 || n > in.remaining()) throw new IOException(source + ": pickle ends early: " + n + " bytes announced at byte "
                + opcodeAt + ", " + in.remaining() + " left (the file is truncated or corrupt)");
        return (int) n;
    }

    private byte[] bytes(int n) throws IOException {
        byte[] b = new byte[n];
        in.get(position(n), b);
        return b;
    }

    private String line() throws IOException {
        int start = in.position();
        while (u8() != '\n') {
            if (in.position() - start > 256) throw malformed("GLOBAL name longer than 256 bytes");
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Python's little-endian two's complement integers; a long when it fits. */
    private static Object longFrom(byte[] le) {
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    /** A short description that never walks into nested values (which may be cyclic). */
    static String describe(Object o) {
        return switch (o) {
            case null -> "None";
            case String s -> "str";
            case Long l -> "int " + l;
            case BigInteger b -> "int";
            case Double d -> "float " + d;
            case Boolean b -> "bool " + (b ? "True" : "False");
            case byte[] b -> "bytes";
            case Tuple t -> "tuple of " + t.items().size();
            case Dict d when !d.isEmpty() && d.values().stream().allMatch(v -> v instanceof TensorRef) -> "dict of " + d.size() + " tensors";
            case Dict d -> "dict of " + d.size() + " entries";
            case ArrayList<?> l -> "list of " + l.size();
            case Global g -> g.qualified();
            case StorageRef s -> "storage";
            case TensorRef t -> "tensor " + t.storage().dtype().torchName + " " + java.util.Arrays.toString(t.shape());
            default -> o.getClass().getSimpleName();
        };
    }

    private static String opcodeName(int op) {
        String name = switch (op) {
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x81 -> "NEWOBJ";
            case 0x92 -> "NEWOBJ_EX";
            case 0x82, 0x83, 0x84 -> "EXT" + (op == 0x84 ? 4 : op - 0x81);
            case 'P' -> "PERSID";
            case 'I' -> "INT";
            case 'L' -> "LONG";
            case 'F' -> "FLOAT";
            case 'S' -> "STRING";
            case 'T' -> "BINSTRING";
            case 'U' -> "SHORT_BINSTRING";
            case 'V' -> "UNICODE";
            case 'd' -> "DICT";
            case 'l' -> "LIST";
            case 'g' -> "GET";
            case 'p' -> "PUT";
            case 0x8f -> "EMPTY_SET";
            case 0x90 -> "ADDITEMS";
            case 0x91 -> "FROZENSET";
            case 0x96 -> "BYTEARRAY8";
            case 0x97 -> "NEXT_BUFFER";
            case 0x98 -> "READONLY_BUFFER";
            default -> "unknown";
        };
        return name + " (0x" + Integer.toHexString(op) + ")";
    }
}
