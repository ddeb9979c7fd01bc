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
    void scopeFreesItsTensorsAndKeepDetaches() {
        Natives.load();
        Tensor gone, kept;
        try (var s = Scope.step()) {
            gone = torch.ones(4);
            kept = s.keep(torch.ones(4));
        }
        assertThat(gone.referenceCount()).as("released by the scope: no deallocator left").isNegative();
        assertThat(kept.referenceCount()).as("detached, still owned").isNotNegative();
        assertThat(kept.sum().item_float()).isEqualTo(4f);
        kept.close();
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
