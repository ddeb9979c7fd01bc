package dev.kinglet.natives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class ScopeAndDeviceTest {
    @Test
    void evalBatchTurnsInferenceModeOnAndOff() {
        Natives.load();
        assertThat(InferenceMode.is_enabled()).isFalse();
        try (var s = Scope.evalBatch()) {
            assertThat(InferenceMode.is_enabled()).isTrue();
            Tensor t = torch.ones(3);
            assertThat(t.sum().item_float()).isEqualTo(3f);
        }
        assertThat(InferenceMode.is_enabled()).isFalse();
    }

    @Test
    void scopeFreesItsTensorsAndKeepDetaches() throws Exception {
        Natives.load();
        long before = rssBytes();
        for (int i = 0; i < 20; i++) {
            try (var s = Scope.step()) {
                torch.ones(25_000_000L).add_(torch.ones(25_000_000L)); // 2 x 100 MB touched each time
            }
        }
        assertThat(rssBytes() - before).as("resident growth after 4 GB made in scopes").isLessThan(300L << 20);
        Tensor kept;
        try (var s = Scope.step()) {
            kept = s.keep(torch.ones(4));
        }
        assertThat(kept.sum().item_float()).isEqualTo(4f);
        kept.close();
    }

    static long rssBytes() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void deviceSpecsParse() {
        assertThat(Device.parse("auto")).isEqualTo(Device.AUTO);
        assertThat(Device.parse("cpu")).isEqualTo(Device.CPU);
        assertThat(Device.parse("cuda")).isEqualTo(new Device(Device.Kind.CUDA, 0));
        assertThat(Device.parse("cuda:3").toString()).isEqualTo("cuda:3");
        assertThatThrownBy(() -> Device.parse("gpu")).hasMessageContaining("auto, cpu, cuda, cuda:N");
    }

    @Test
    void cudaOnTheCpuBuildSaysWhatIsMissing() {
        Natives.load();
        if (Natives.cudaBuild()) return; // a CUDA build answers from the driver instead
        assertThatThrownBy(() -> Device.parse("cuda:0").resolve())
                .hasMessageContaining("CPU build").hasMessageContaining("-Pcuda");
        assertThat(Device.AUTO.resolve()).isEqualTo(Device.CPU);
    }
}
