package dev.kinglet.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Time to load a ResNet-50 state dict (25.6 M parameters, 98 MB): read every tensor and copy
 * it into a freshly allocated tensor of the same shape, as loading into a model does; median
 * of 5 after one warm-up, {@code .pth} against safetensors, with Python's
 * {@code torch.load} + {@code load_state_dict} beside it. Not a {@code *Test}, so it runs only
 * when named:
 *
 * <pre>
 * flock /tmp/kinglet-build.lock env JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -o -q -B -pl native -am test \
 *     -Dtest=StateDictBench -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Makes {@code /tmp/kinglet-bench/resnet50.pth} with TorchVision once, and the safetensors file
 * from it with {@link StateDict#writeSafetensors}; also checks that a {@code .pth} written by
 * {@link StateDict#writePth} loads into TorchVision's resnet50 with {@code strict=True}.
 */
class StateDictBench {
    static final int ROUNDS = 5;

    @Test
    void resnet50() throws Exception {
        Natives.load();
        StateDictTest.requireTorch();
        Path dir = Files.createDirectories(Path.of(System.getProperty("kinglet.bench.dir", "/tmp/kinglet-bench")));
        Path pth = dir.resolve("resnet50.pth"), safetensors = dir.resolve("resnet50.safetensors"), javaPth = dir.resolve("resnet50-java.pth");
        if (!Files.exists(pth)) {
            python("import torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.resnet50().state_dict(), '" + pth + "')");
        }
        try (StateDict sd = StateDict.read(pth); PointerScope scope = new PointerScope()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String key : sd.keys()) tensors.put(key, sd.tensor(key));
            StateDict.writeSafetensors(safetensors, tensors);
            StateDict.writePth(javaPth, tensors);
        }
        String strict = python("import torch, torchvision; m = torchvision.models.resnet50(); ref = torch.load('" + pth + "');"
                + " sd = torch.load('" + javaPth + "'); print(type(sd).__name__, m.load_state_dict(sd, strict=True),"
                + " all(torch.equal(sd[k], ref[k]) for k in ref))");
        assertThat(strict.strip()).isEqualTo("OrderedDict <All keys matched successfully> True");

        System.out.printf(Locale.ROOT, "files: %s %d bytes, %s %d bytes; LibTorch threads %d%n", pth, Files.size(pth), safetensors,
                Files.size(safetensors), torch.get_num_threads());
        for (Path file : List.of(pth, safetensors, javaPth)) {
            double[] ms = new double[ROUNDS + 1];
            for (int r = 0; r <= ROUNDS; r++) ms[r] = loadIntoFreshTensors(file);
            double[] timed = Arrays.copyOfRange(ms, 1, ms.length);
            Arrays.sort(timed);
            System.out.printf(Locale.ROOT, "java %-22s median %.1f ms of %s%n", file.getFileName(), timed[ROUNDS / 2], Arrays.toString(timed));
        }
        for (Path file : List.of(pth, safetensors)) {
            double[] ms = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                long start = System.nanoTime();
                try (StateDict sd = StateDict.read(file)) {
                    for (String key : sd.keys()) sd.tensor(key);
                }
                ms[r] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "java %-22s views only (read, no copy): median %.2f ms%n", file.getFileName(), ms[ROUNDS / 2]);
        }
        System.out.print(python("import torch, torchvision, time, statistics\n"
                + "m = torchvision.models.resnet50()\n"
                + "ts = []\n"
                + "for r in range(" + (ROUNDS + 1) + "):\n"
                + "    t = time.perf_counter(); m.load_state_dict(torch.load('" + pth + "'), strict=True); ts.append((time.perf_counter() - t) * 1000)\n"
                + "print('python %-20s median %.1f ms of %s (torch %s, %d threads)' % ('" + pth.getFileName() + "', statistics.median(ts[1:]),"
                + " sorted(round(x, 1) for x in ts[1:]), torch.__version__, torch.get_num_threads()))\n"));
    }

    /** Milliseconds to read {@code file} and copy every tensor into a new one allocated (and touched) beforehand. */
    static double loadIntoFreshTensors(Path file) throws IOException {
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> model = new LinkedHashMap<>();
            try (StateDict sd = StateDict.read(file)) {
                for (String key : sd.keys()) {
                    Tensor t = sd.tensor(key);
                    model.put(key, torch.zeros(t.sizes().vec().get(), new TensorOptions(t.scalar_type())));
                }
            }
            long start = System.nanoTime();
            try (StateDict sd = StateDict.read(file); NoGradGuard noGrad = new NoGradGuard()) {
                for (String key : sd.keys()) model.get(key).copy_(sd.tensor(key));
            }
            return (System.nanoTime() - start) / 1e6;
        }
    }

    static String python(String code) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(StateDictTest.PYTHON, "-c", code).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("python failed: " + out);
        return out;
    }
}
