package dev.kinglet.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.kinglet.dsl.MobileNetV2;
import dev.kinglet.dsl.MobileNetV3Small;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Normalization;
import dev.kinglet.weights.WeightRegistry.Entry;

class WeightRegistryTest {
    private static final String PYTHON = "/usr/bin/python3";

    /** One line per entry as TorchVision describes the weight: url crop resize mean std classes, and its DEFAULT's name. */
    private static final String DESCRIBE = """
            import sys
            from torchvision.models import get_model_weights
            for arch, name in (a.split() for a in sys.argv[1:]):
                enum = get_model_weights(arch)
                w, t = enum[name], enum[name].transforms()
                print(w.url, t.crop_size[0], t.resize_size[0], *t.mean, *t.std, len(w.meta["categories"]), enum.DEFAULT.name)
            """;

    private static String describe(Entry e) {
        Normalization n = e.normalization();
        List<Object> parts = new ArrayList<>(List.of(e.url(), e.cropSize(), e.resizeSize()));
        for (float m : n.mean()) parts.add(m);
        for (float s : n.std()) parts.add(s);
        parts.add(e.numClasses());
        parts.add(WeightRegistry.lookup(e.architecture(), WeightRegistry.DEFAULT).name());
        return String.join(" ", parts.stream().map(String::valueOf).toList());
    }

    @Test
    void entriesMatchTheInstalledTorchVision() throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", DESCRIBE));
        for (Entry e : WeightRegistry.entries()) command.add(e.architecture() + " " + e.name());
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(PYTHON + " is missing: apt-get install --no-install-recommends python3-torch python3-torchvision", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("TorchVision could not describe its weights (apt-get install --no-install-recommends python3-torch python3-torchvision):\n" + out);
        }
        // Python prints floats as their shortest decimal, like Java's float toString for these values
        List<String> expected = WeightRegistry.entries().stream().map(WeightRegistryTest::describe).toList();
        assertThat(out.lines().toList()).containsExactlyElementsOf(expected);
    }

    @Test
    void fileNamesCarryTheStoredDigestPrefix() {
        for (Entry e : WeightRegistry.entries()) {
            assertThat(e.fileName()).startsWith(e.architecture() + "-" + e.sha256() + ".").endsWith(".pth");
            assertThat(e.sha256()).hasSize(8);
            assertThat(e.url().toString()).isEqualTo("https://download.pytorch.org/models/" + e.fileName());
        }
    }

    @Test
    void lookupFindsEntriesAndTheDefault() {
        assertThat(WeightRegistry.lookup("resnet18", "IMAGENET1K_V1").fileName()).isEqualTo("resnet18-f37072fd.pth");
        assertThat(WeightRegistry.lookup("resnet50", "DEFAULT").name()).isEqualTo("IMAGENET1K_V2");
        assertThat(WeightRegistry.lookup("mobilenet_v3_small", "DEFAULT").fileName()).isEqualTo("mobilenet_v3_small-047dcff4.pth");
    }

    @Test
    void anUnknownPairListsTheKnownOnes() {
        assertThatThrownBy(() -> WeightRegistry.lookup("resnet18", "IMAGENET1K_V2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'IMAGENET1K_V2' for 'resnet18'")
                .hasMessageContaining("resnet18 IMAGENET1K_V1, resnet34 IMAGENET1K_V1, resnet50 IMAGENET1K_V1, resnet50 IMAGENET1K_V2")
                .hasMessageContaining("mobilenet_v3_small IMAGENET1K_V1");
        assertThatThrownBy(() -> WeightRegistry.lookup("vgg16", "DEFAULT")).hasMessageContaining("'DEFAULT' for 'vgg16'; known: resnet18 IMAGENET1K_V1");
    }

    @Test
    void recipeArchitecturesMapToTorchVisionNames() {
        assertThat(WeightRegistry.torchVisionName(new ResNet(34))).contains("resnet34");
        assertThat(WeightRegistry.torchVisionName(new MobileNetV2(null))).contains("mobilenet_v2");
        assertThat(WeightRegistry.torchVisionName(new MobileNetV2(0.5))).isEmpty();
        assertThat(WeightRegistry.torchVisionName(new MobileNetV3Small())).contains("mobilenet_v3_small");
        assertThat(WeightRegistry.torchVisionName(new WideResNet(null, null, null, null))).isEmpty();
        assertThat(WeightRegistry.torchVisionName(new SmallCnn(null, null, null, null))).isEmpty();
    }

    @Test
    void anEntryWhoseDigestDisagreesWithItsFileNameIsRejected() {
        Normalization n = WeightRegistry.lookup("resnet18", "IMAGENET1K_V1").normalization();
        assertThatThrownBy(() -> new Entry("resnet18", "IMAGENET1K_V1", "resnet18-f37072fd.pth", "f37072fe", 1000, n, 256, 224))
                .hasMessageContaining("f37072fe disagrees with the hash f37072fd in resnet18-f37072fd.pth");
        assertThat(new Entry("resnet18", "X", "resnet18-f37072fd.pth", "f37072fd" + "0".repeat(56), 1000, n, 256, 224).sha256()).hasSize(64);
        assertThatThrownBy(() -> new Entry("resnet18", "X", "../evil.pth", "f37072fd", 1000, n, 256, 224)).hasMessageContaining("plain file name");
    }
}
