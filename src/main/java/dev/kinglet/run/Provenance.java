package dev.kinglet.run;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Properties;

import dev.kinglet.natives.NativeRuntime;

/** What produced a run: toolkit and library versions, machine, device, seed and data digests. */
public record Provenance(String kinglet, String java, String javaVendor, String libtorch, String opencv, String javacpp,
                         String nativePlatform, String allocator, String os, String arch, int cores, int threads, String device,
                         long seed, String trainDataSha256, String testDataSha256, String recipeSha256, Instant started) {

    public static Provenance of(NativeRuntime.Info info, long seed, String trainSha, String testSha, String recipeSha) {
        return new Provenance(kingletVersion(), System.getProperty("java.version"), System.getProperty("java.vendor"),
                info.libtorch(), info.opencv(), info.javacpp(), info.pytorchPlatform(), info.allocator(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), info.threads(), info.device().toString(), seed,
                trainSha, testSha, recipeSha, Instant.now());
    }

    public static String kingletVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/dev/kinglet/version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
