package dev.kinglet.natives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Fixtures and expected values: test-data/weights/make-weights-fixtures.py (PyTorch 1.13). */
class StateDictTest {
    static final Path WEIGHTS = weightsDir();
    static final List<String> MODULE_KEYS = List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean",
            "bn.running_var", "bn.num_batches_tracked", "fc.weight", "fc.bias");
    static JsonNode expected;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        Natives.load();
        expected = JsonMapper.builder().build().readTree(WEIGHTS.resolve("expected.json").toFile());
    }

    @Test
    void readsTheOrderedDictStateDictOfAModule() throws IOException {
        try (StateDict sd = StateDict.read(WEIGHTS.resolve("module.pth"))) {
            assertThat(sd.keys()).containsExactlyElementsOf(MODULE_KEYS);
            assertMatches(sd, expected.get("module"));
            assertThat(sd.info("bn.num_batches_tracked")).isEqualTo(new StateDict.Info("int64", new long[0]));
            assertThat(sd.tensor("bn.num_batches_tracked").item_long()).isEqualTo(1);
            assertThat(sd.info("conv.weight")).isEqualTo(new StateDict.Info("float32", new long[] {4, 3, 3, 3}));
            assertThat(sd.tensor("conv.weight")).isSameAs(sd.tensor("conv.weight"));
            assertInsideMappingOf(sd.tensor("fc.weight"), sd.file());
        }
    }

    @Test
    void protocol4DeflatedAndSafetensorsHoldTheSameTensors() throws IOException {
        try (StateDict reference = StateDict.read(WEIGHTS.resolve("module.pth"))) {
            for (String name : List.of("module-protocol4.pth", "module-deflated.pth", "module.safetensors")) {
                try (StateDict sd = StateDict.read(WEIGHTS.resolve(name))) {
                    assertThat(sd.keys()).as(name).containsExactlyElementsOf(MODULE_KEYS);
                    assertSameTensors(sd, reference);
                }
            }
        }
    }

    @Test
    void readsEveryDtypeStridesOffsetsAndSharedStorage() throws IOException {
        try (StateDict sd = StateDict.read(WEIGHTS.resolve("tensors.pth"))) {
            JsonNode want = expected.get("tensors");
            assertThat(sd.keys()).containsExactlyElementsOf(want.propertyNames());
            assertMatches(sd, want);
            assertThat(sd.tensor("transposed").is_contiguous()).isFalse();
            assertThat(sd.tensor("transposed").strides().vec().get()).containsExactly(1, 4);
            assertThat(sd.tensor("expanded").strides().vec().get()).containsExactly(0, 1);
            assertThat(sd.tensor("scalar").dim()).isZero();
            // shared_a (offset 2) and shared_b (offset 10) are views of one storage in the file, not copies
            assertThat(sd.tensor("shared_b").data_ptr().address() - sd.tensor("shared_a").data_ptr().address()).isEqualTo(8 * Float.BYTES);
            assertInsideMappingOf(sd.tensor("shared_a"), sd.file());
        }
    }

    @Test
    void safetensorsAreViewsOfTheMappedFile() throws IOException {
        try (StateDict sd = StateDict.read(WEIGHTS.resolve("tensors.safetensors"))) {
            JsonNode want = expected.get("tensors");
            assertThat(sd.keys()).containsExactly("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
                    "uint8", "bool", "shared_a", "scalar", "empty");
            assertMatches(sd, want);
            for (String key : List.of("float32", "float64", "int64", "bool")) assertInsideMappingOf(sd.tensor(key), sd.file());
            // the fixture's float32 "shared_a" starts at byte 115 of the data: read from an aligned copy
            assertThat(sd.tensor("shared_a").data_ptr().address() % Float.BYTES).isZero();
        }
    }

    @Test
    void aCheckpointNamesItsKeysAndAnEntrySelectsTheStateDict() throws IOException {
        Path checkpoint = WEIGHTS.resolve("checkpoint.pth");
        assertThatThrownBy(() -> StateDict.read(checkpoint)).isInstanceOf(IOException.class)
                .hasMessageContaining(checkpoint.toString())
                .hasMessageContaining("\"model\" (dict of 9 tensors)")
                .hasMessageContaining("\"epoch\" (int 3)")
                .hasMessageContaining("\"optimizer\" (dict of 2 entries)")
                .hasMessageContaining("StateDict.read(file, \"model\")");
        try (StateDict sd = StateDict.read(checkpoint, "model"); StateDict reference = StateDict.read(WEIGHTS.resolve("module.pth"))) {
            assertThat(sd.keys()).containsExactlyElementsOf(MODULE_KEYS);
            assertSameTensors(sd, reference);
        }
        assertThatThrownBy(() -> StateDict.read(checkpoint, "epoch")).hasMessageContaining(checkpoint.toString())
                .hasMessageContaining("\"epoch\" is int 3, not a state dict");
        assertThatThrownBy(() -> StateDict.read(checkpoint, "state_dict")).hasMessageContaining("has no entry \"state_dict\"")
                .hasMessageContaining("\"model\"");
        assertThatThrownBy(() -> StateDict.read(WEIGHTS.resolve("module.safetensors"), "model")).hasMessageContaining("has no entries");
    }

    @Test
    void aPickleThatWouldRunCodeIsRefusedAndNothingRuns() throws IOException {
        Path marker = Path.of(expected.get("marker").asString());
        Files.deleteIfExists(marker);
        Path malicious = WEIGHTS.resolve("malicious.pth");
        assertThatThrownBy(() -> StateDict.read(malicious)).isInstanceOf(IOException.class)
                .hasMessageContaining(malicious.toString())
                .hasMessageContaining("refused global posix.system")
                .hasMessageContaining("never runs code");
        assertThatThrownBy(() -> StateDict.read(malicious, "weight")).hasMessageContaining("posix.system");
        assertThat(marker).doesNotExist();
    }

    @Test
    void refusesEveryGlobalAndOpcodeAStateDictDoesNotNeed() {
        // protocol 2: GLOBAL builtins.eval, REDUCE
        assertRefused("80 02 63 6275696c74696e730a6576616c0a 58 01000000 31 85 52 2e", "global builtins.eval");
        // protocol 4: STACK_GLOBAL os.system
        assertRefused("80 04 8c 02 6f73 8c 06 73797374656d 93 2e", "global os.system");
        // INST (protocol 0 object creation), NEWOBJ, EXT1, a set
        assertRefused("80 02 28 69 6f730a73797374656d0a 2e", "pickle opcode INST (0x69)");
        assertRefused("80 02 63 636f6c6c656374696f6e730a4f726465726564446963740a 29 81 2e", "pickle opcode NEWOBJ (0x81)");
        assertRefused("80 02 82 01 2e", "pickle opcode EXT1 (0x82)");
        assertRefused("80 04 8f 2e", "pickle opcode EMPTY_SET (0x8f)");
        // BUILD on a plain dict (object state), a storage type called, a foreign persistent id
        assertRefused("80 02 7d 7d 62 2e", "pickle opcode BUILD");
        assertRefused("80 02 63 746f7263680a466c6f617453746f726167650a 29 52 2e", "a call of torch.FloatStorage");
        assertRefused("80 02 58 03000000 616263 51 2e", "persistent id str");
        assertThatThrownBy(() -> Unpickler.load(HexFormat.of().parseHex("8006"), "x.pth")).hasMessageContaining("pickle protocol 6");
    }

    @Test
    void truncatedAndCorruptFilesFailWithAnIOExceptionNamingTheFile() throws IOException {
        Path truncated = WEIGHTS.resolve("truncated.pth");
        assertThatThrownBy(() -> StateDict.read(truncated)).isInstanceOf(IOException.class)
                .hasMessageContaining(truncated.toString()).hasMessageContaining("truncated");
        for (String name : List.of("module.pth", "tensors.pth", "module.safetensors", "tensors.safetensors")) {
            byte[] whole = Files.readAllBytes(WEIGHTS.resolve(name));
            for (int length = 0; length < whole.length; length += 7) {
                Path cut = Files.write(tmp.resolve("cut-" + name), Arrays.copyOf(whole, length));
                assertThatThrownBy(() -> StateDict.read(cut)).as(name + " cut to " + length).isInstanceOf(IOException.class)
                        .hasMessageContaining(cut.toString());
            }
        }
    }

    @Test
    void corruptFilesNeverEscapeAsAnythingButIOException() throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        for (String name : List.of("module.pth", "tensors.pth", "module-deflated.pth", "tensors.safetensors")) {
            byte[] whole = Files.readAllBytes(WEIGHTS.resolve(name));
            for (int i = 0; i < 300; i++) {
                byte[] mutated = whole.clone();
                // the structure lies at both ends: the zip directory and safetensors header
                int at = random.nextBoolean() ? random.nextInt(Math.min(200, whole.length)) : whole.length - 1 - random.nextInt(Math.min(400, whole.length));
                mutated[at] = (byte) random.nextInt(256);
                Path file = Files.write(tmp.resolve("mutated-" + name), mutated);
                try (StateDict sd = StateDict.read(file)) {
                    for (String key : sd.keys()) sd.tensor(key).sum();
                } catch (IOException e) {
                    assertThat(e).as(name + " byte " + at).hasMessageContaining(file.toString());
                }
            }
        }
    }

    @Test
    void corruptPicklesNeverEscapeAsAnythingButIOException() throws IOException {
        byte[] pickle;
        try (var zip = new java.util.zip.ZipFile(WEIGHTS.resolve("checkpoint.pth").toFile())) {
            pickle = zip.getInputStream(zip.getEntry("checkpoint/data.pkl")).readAllBytes();
        }
        assertThat(Unpickler.load(pickle, "checkpoint.pth")).isInstanceOf(Unpickler.Dict.class);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 5000; i++) {
            byte[] mutated = pickle.clone();
            for (int k = random.nextInt(1, 4); k > 0; k--) mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            try {
                Unpickler.load(mutated, "mutated.pth");
            } catch (IOException e) {
                assertThat(e).hasMessageStartingWith("mutated.pth");
            }
        }
    }

    @Test
    void otherFormatsSayWhatToDo() throws IOException {
        Path legacy = WEIGHTS.resolve("legacy.pth");
        assertThatThrownBy(() -> StateDict.read(legacy)).hasMessageContaining(legacy.toString())
                .hasMessageContaining("re-save it with torch.save in PyTorch >= 1.6");
        assertThatThrownBy(() -> StateDict.read(WEIGHTS.resolve("torchscript.pt"))).hasMessageContaining("TorchScript");
        Path big = WEIGHTS.resolve("bigendian.pth");
        assertThatThrownBy(() -> StateDict.read(big)).hasMessageContaining(big.toString()).hasMessageContaining("big-endian");
        Path text = Files.writeString(tmp.resolve("notes.pth"), "these are not weights");
        assertThatThrownBy(() -> StateDict.read(text)).hasMessageContaining(text.toString()).hasMessageContaining("neither");
        Path missing = tmp.resolve("missing.pth");
        assertThatThrownBy(() -> StateDict.read(missing)).isInstanceOf(IOException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void unknownKeysAndClosedFilesAreNamed() throws IOException {
        StateDict sd = StateDict.read(WEIGHTS.resolve("module.pth"));
        assertThatThrownBy(() -> sd.tensor("conv.weights")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("module.pth has no tensor \"conv.weights\"").hasMessageContaining("conv.weight");
        sd.close();
        sd.close();
        assertThatThrownBy(() -> sd.tensor("conv.weight")).isInstanceOf(IllegalStateException.class).hasMessageContaining("module.pth");
    }

    @Test
    void writtenFilesLoadInPythonWithStrictLoadStateDict() throws IOException, InterruptedException {
        requireTorch();
        for (String fixture : List.of("module.pth", "tensors.pth")) {
            try (StateDict sd = StateDict.read(WEIGHTS.resolve(fixture)); PointerScope scope = new PointerScope()) {
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (String key : sd.keys()) tensors.put(key, sd.tensor(key));
                String stem = fixture.replace(".pth", "");
                Path pth = tmp.resolve(stem + "-java.pth"), safetensors = tmp.resolve(stem + "-java.safetensors");
                StateDict.writePth(pth, tensors);
                StateDict.writeSafetensors(safetensors, tensors);
                String check = fixture.equals("module.pth") ? "check-module" : "check-tensors";
                for (Path written : List.of(pth, safetensors)) {
                    assertThat(python(check, written.toString())).as(written.toString()).startsWith("ok " + sd.keys().size() + " tensors");
                    try (StateDict back = StateDict.read(written)) {
                        assertThat(back.keys()).containsExactlyElementsOf(sd.keys());
                        assertSameTensors(back, sd);
                    }
                }
                try (var files = Files.list(tmp)) {
                    assertThat(files.filter(p -> p.getFileName().toString().endsWith(".partial"))).isEmpty();
                }
            }
        }
    }

    @Test
    void writingRefusesWhatItCannotWriteAndLeavesNoFile() {
        Path file = tmp.resolve("complex.pth");
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = Map.of("z", torch.ones(2).to(torch.ScalarType.ComplexFloat));
            assertThatThrownBy(() -> StateDict.writePth(file, tensors)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("complex.pth: tensor \"z\"").hasMessageContaining("float32, float64");
            Map<String, Tensor> reserved = Map.of("__metadata__", torch.ones(2));
            assertThatThrownBy(() -> StateDict.writeSafetensors(tmp.resolve("m.safetensors"), reserved)).hasMessageContaining("__metadata__");
        }
        assertThat(file).doesNotExist();
    }

    // ---- helpers

    static void assertMatches(StateDict sd, JsonNode want) {
        for (String key : want.propertyNames()) {
            if (!sd.keys().contains(key)) continue;
            JsonNode w = want.get(key);
            long[] shape = new long[w.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = w.get("shape").get(i).longValue();
            assertThat(sd.info(key)).as(key).isEqualTo(new StateDict.Info(w.get("dtype").asString(), shape));
            Tensor t = sd.tensor(key);
            assertThat(t.sizes().vec().get()).as(key).containsExactly(shape);
            JsonNode values = w.get("values");
            if (sd.info(key).dtype().startsWith("int") || sd.info(key).dtype().equals("uint8")) {
                long[] got = TensorMemory.toLongs(t);
                for (int i = 0; i < values.size(); i++) assertThat(got[i]).as(key + "[" + i + "]").isEqualTo(values.get(i).longValue());
                assertThat(got).hasSize(values.size());
            } else {
                double[] got = doubles(t);
                for (int i = 0; i < values.size(); i++) {
                    double v = values.get(i).isBoolean() ? (values.get(i).booleanValue() ? 1 : 0) : values.get(i).doubleValue();
                    assertThat(got[i]).as(key + "[" + i + "]").isEqualTo(v);
                }
                assertThat(got).hasSize(values.size());
            }
        }
    }

    static void assertSameTensors(StateDict got, StateDict want) {
        for (String key : want.keys()) {
            assertThat(got.info(key)).as(key).isEqualTo(want.info(key));
            assertThat(got.tensor(key).equal(want.tensor(key))).as(got.file() + " " + key).isTrue();
        }
    }

    static double[] doubles(Tensor t) {
        try (var scope = new PointerScope()) {
            return TensorMemory.view(t.to(torch.ScalarType.Double).contiguous()).toArray(ValueLayout.JAVA_DOUBLE);
        }
    }

    /** The tensor's data lies in a memory mapping of {@code file} (per /proc/self/maps): a view, not a copy. */
    static void assertInsideMappingOf(Tensor t, Path file) throws IOException {
        long address = t.data_ptr().address();
        String path = file.toRealPath().toString();
        List<String> mappings = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (!line.endsWith(path)) continue;
            mappings.add(line);
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            if (Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16)) return;
        }
        fail("data at 0x" + Long.toHexString(address) + " is not in a mapping of " + path + ": " + mappings);
    }

    static void assertRefused(String hex, String what) {
        byte[] pickle = HexFormat.of().parseHex(hex.replace(" ", ""));
        assertThatThrownBy(() -> Unpickler.load(pickle, "evil.pth (archive/data.pkl)")).isInstanceOf(IOException.class)
                .hasMessageStartingWith("evil.pth (archive/data.pkl): refused " + what).hasMessageContaining("never runs code");
    }

    static final String PYTHON = "/usr/bin/python3";

    static void requireTorch() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            fail("this test checks files with PyTorch in " + PYTHON + ", which could not import torch (" + out.strip()
                    + "): apt-get install --no-install-recommends python3-torch python3-torchvision");
        }
    }

    static String python(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON, WEIGHTS.resolve("make-weights-fixtures.py").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) fail(String.join(" ", command) + " failed: " + out);
        return out;
    }

    static Path weightsDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("test-data/weights"))) return p.resolve("test-data/weights");
        }
        throw new IllegalStateException("test-data/weights not found above " + Path.of("").toAbsolutePath());
    }

    static {
        assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }
}
