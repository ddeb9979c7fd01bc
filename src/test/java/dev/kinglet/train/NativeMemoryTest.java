package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * 2,000 training steps of the small CNN: resident memory (RSS, where native tensors show; the
 * Java heap does not) must grow less than 5% between step 300 and step 2,000. Runs in a JVM of
 * its own (see src/pom.xml), so what other tests left in the process does not blur the figure.
 */
class NativeMemoryTest {
    static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void residentMemoryStaysFlatOver2000Steps() throws Exception {
        long[] rss = new long[2], heap = new long[2];
        var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        try (var f = new Fixture(32, 1)) {
            f.learner.add((event, state) -> {
                if (event != Event.AFTER_STEP) return;
                try {
                    if (state.step() == 300) { rss[0] = rssBytes(); heap[0] = memory.getHeapMemoryUsage().getCommitted(); }
                    if (state.step() == 2000) { rss[1] = rssBytes(); heap[1] = memory.getHeapMemoryUsage().getCommitted(); }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int stepsPerEpoch = (1000 + 31) / 32;
            f.learner.fit((2000 + stepsPerEpoch - 1) / stepsPerEpoch);
        }
        System.out.printf("RSS at step 300: %.1f MB, at step 2000: %.1f MB (Java heap committed %.1f and %.1f MB)%n",
                rss[0] / 1e6, rss[1] / 1e6, heap[0] / 1e6, heap[1] / 1e6);
        assertThat(rss[0]).isPositive();
        assertThat((double) rss[1]).isLessThan(rss[0] * 1.05);
    }
}
