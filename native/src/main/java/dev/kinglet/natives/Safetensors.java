package dev.kinglet.natives;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header giving each
 * tensor's dtype, shape and byte range ({@code data_offsets}, relative to the data after the
 * header), an optional {@code __metadata__} object of strings, then the data, row-major.
 */
final class Safetensors {
    /** The format's own limit on the header, against files that announce gigabytes of JSON. */
    private static final long MAX_HEADER = 100L << 20;
    private static final String METADATA = "__metadata__";
    private static final ValueLayout.OfLong LENGTH = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private Safetensors() {}

    /** True when {@code data} starts like a safetensors file: a header length that fits, then '{'. */
    static boolean looksLike(MemorySegment data) {
        if (data.byteSize() < 10 || data.get(ValueLayout.JAVA_BYTE, 8) != '{') return false;
        long headerLength = data.get(LENGTH, 0);
        return headerLength >= 2 && headerLength <= data.byteSize() - 8;
    }

    /** The tensors of the whole file {@code data}, in header order, as views of it. */
    static Map<String, TensorSpec> read(Path file, MemorySegment data) throws IOException {
        long headerLength = data.get(LENGTH, 0);
        if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > data.byteSize() - 8) {
            throw new IOException(file + ": safetensors header of " + headerLength + " bytes does not fit the file's "
                    + data.byteSize() + " bytes: the file is truncated or not safetensors");
        }
        JsonNode header;
        try {
            header = JSON.readTree(data.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE));
        } catch (JacksonException e) {
            throw new IOException(file + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!header.isObject()) throw new IOException(file + ": safetensors header is not a JSON object");
        MemorySegment body = data.asSlice(8 + headerLength);
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals(METADATA)) continue;
            specs.put(e.getKey(), spec(file, e.getKey(), e.getValue(), body));
        }
        return specs;
    }

    private static TensorSpec spec(Path file, String key, JsonNode h, MemorySegment body) throws IOException {
        String where = file + ": tensor \"" + key + "\"";
        String code = h.path("dtype").asString("");
        Dtype dtype = Dtype.ofSafetensors(code).orElseThrow(() -> new IOException(where + " has dtype \"" + code
                + "\"; Kinglet reads F32, F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL"));
        long[] shape = longs(h.path("shape"), where + " shape");
        long[] range = longs(h.path("data_offsets"), where + " data_offsets");
        if (range.length != 2 || range[0] > range[1] || range[1] > body.byteSize()) {
            throw new IOException(where + " has data_offsets " + h.path("data_offsets") + " outside the " + body.byteSize()
                    + " bytes of data: the file is truncated or corrupt");
        }
        MemorySegment bytes = body.asSlice(range[0], range[1] - range[0]);
        long numel = TensorSpec.numel(shape, where);
        if (bytes.byteSize() != numel * dtype.size) {
            throw new IOException(where + " has " + bytes.byteSize() + " bytes for shape " + Arrays.toString(shape)
                    + " of " + dtype.torchName + " (" + numel * dtype.size + " expected)");
        }
        return TensorSpec.of(where, dtype, shape, TensorSpec.contiguousStrides(shape), 0, bytes);
    }

    private static long[] longs(JsonNode array, String what) throws IOException {
        if (!array.isArray()) throw new IOException(what + " missing or not an array");
        long[] r = new long[array.size()];
        for (int i = 0; i < r.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) throw new IOException(what + " holds " + v + ", not a size");
            r[i] = v.longValue();
        }
        return r;
    }

    /** The bytes before the data, and the items in the order their data follows. */
    record Layout(byte[] header, List<StateDict.Header> dataOrder) {}

    /**
     * Lays out {@code items}: the header keeps their order and is padded with spaces so the data
     * starts at a multiple of 8; the data goes largest elements first, so every tensor starts
     * aligned to its element size (the format allows no gaps between tensors).
     */
    static Layout layout(List<StateDict.Header> items) {
        List<StateDict.Header> order = new ArrayList<>(items);
        order.sort(Comparator.comparingInt((StateDict.Header i) -> i.dtype().size).reversed());
        Map<String, long[]> ranges = new LinkedHashMap<>();
        long offset = 0;
        for (StateDict.Header i : order) {
            ranges.put(i.key(), new long[] {offset, offset + i.bytes()});
            offset += i.bytes();
        }
        ObjectNode root = JSON.createObjectNode();
        root.putObject(METADATA).put("format", "pt");
        for (StateDict.Header i : items) {
            ObjectNode t = root.putObject(i.key());
            t.put("dtype", i.dtype().safetensorsName);
            ArrayNode shape = t.putArray("shape");
            for (long d : i.shape()) shape.add(d);
            t.putArray("data_offsets").add(ranges.get(i.key())[0]).add(ranges.get(i.key())[1]);
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = json.length + Math.floorMod(-(8 + json.length), 8);
        byte[] header = new byte[8 + padded];
        MemorySegment.ofArray(header).set(LENGTH, 0, padded);
        System.arraycopy(json, 0, header, 8, json.length);
        Arrays.fill(header, 8 + json.length, header.length, (byte) ' ');
        return new Layout(header, order);
    }

    /** Names a tensor may not have: the header's own fields. */
    static boolean reserved(String key) {
        return key.equals(METADATA);
    }
}
