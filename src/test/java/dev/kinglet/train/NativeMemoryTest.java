package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /**
     * FixMatch, 500 steps of 16 labelled images and 32 unlabelled ones in a weak and a strong
     * view (the default RandAugment + random erasing): resident memory grows less than 5% between
     * step 150 and step 500.
     */
    @Test
    void residentMemoryStaysFlatUnderFixMatch() throws Exception {
        long[] rss = new long[2];
        try (var f = new Fixture(16, 2)) {
            var strongOps = new java.util.ArrayList<dev.kinglet.dsl.AugmentOp>(List.of(new dev.kinglet.dsl.AugmentOp.HorizontalFlip(0.5, null)));
            strongOps.addAll(dev.kinglet.dsl.FixMatch.defaults().strong());
            var classes = f.data.train().classes();
            var weak = new dev.kinglet.augment.Augmenter(List.of(new dev.kinglet.dsl.AugmentOp.HorizontalFlip(0.5, null)), classes, "augment.train");
            var strong = new dev.kinglet.augment.Augmenter(strongOps, classes, "semiSupervised.strong");
            f.learner.unlabelled(new UnlabelledStream(f.data.test(), true, 32, weak, strong, f.data.train().statistics(), 28, 28, 0.5, 1.0, 3));
            f.learner.add((event, state) -> {
                if (event != Event.AFTER_STEP) return;
                try {
                    if (state.step() == 150) rss[0] = rssBytes();
                    if (state.step() == 500) rss[1] = rssBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int stepsPerEpoch = (1000 + 15) / 16;
            f.learner.fit((500 + stepsPerEpoch - 1) / stepsPerEpoch);
            assertThat(f.learner.unlabelled().total().images()).isEqualTo(f.learner.state().step() * 32);
        }
        System.out.printf("FixMatch: RSS at step 150: %.1f MB, at step 500: %.1f MB%n", rss[0] / 1e6, rss[1] / 1e6);
        assertThat(rss[0]).isPositive();
        assertThat((double) rss[1]).isLessThan(rss[0] * 1.05);
    }
}
