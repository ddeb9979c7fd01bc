package dev.kinglet.weights;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.kinglet.dsl.Architecture;
import dev.kinglet.dsl.Mlp;
import dev.kinglet.dsl.MobileNetV2;
import dev.kinglet.dsl.MobileNetV3Small;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.dsl.WideResNet;
import dev.kinglet.natives.Normalization;

/**
 * TorchVision's published ImageNet weights for the architectures Kinglet builds, keyed by
 * TorchVision's builder name and weight name ({@code resnet50}, {@code IMAGENET1K_V2}), with what
 * the engine needs to use them: classes, normalisation and input size. Values as in TorchVision
 * 0.14's {@code *_Weights} enums ({@code WeightRegistryTest} compares them with the installed
 * TorchVision). {@code wide_resnet50_2} is left out: Kinglet's {@code wideResNet} is the CIFAR-style
 * WRN-(6n+4), which has no published weights.
 */
public final class WeightRegistry {
    private WeightRegistry() {}

    /** Where TorchVision publishes its weight files. */
    public static final URI TORCHVISION = URI.create("https://download.pytorch.org/models/");

    /** TorchVision's {@code DEFAULT} alias, the weight it names best for each architecture. */
    public static final String DEFAULT = "DEFAULT";

    // torch.hub's check_hash reads the hash from the file name the same way
    private static final Pattern NAME_HASH = Pattern.compile("-([0-9a-f]+)\\.");

    private static final Normalization IMAGENET = new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /**
     * One published weight file.
     *
     * <p>{@code sha256} is what is known of the file's SHA-256, in lower-case hex: TorchVision
     * publishes only the first 8 hex digits, in the file name ({@code resnet18-f37072fd.pth}), so
     * every entry here holds just those 8 digits and {@link WeightStore} checks that the
     * downloaded file's SHA-256 <em>starts with</em> them, exactly as {@code torch.hub}'s
     * {@code check_hash} does. That catches truncated and corrupted transfers, not a deliberate
     * substitute (32 bits). A full 64-digit digest may be stored instead; the check is the same.
     *
     * @param architecture TorchVision's builder name, e.g. {@code resnet18}
     * @param name         TorchVision's weight name, e.g. {@code IMAGENET1K_V1}
     * @param fileName     the published file name, e.g. {@code resnet18-f37072fd.pth}
     * @param numClasses   outputs of the published classifier head
     * @param resizeSize   evaluation: shorter side resized (bilinear) to this, then
     * @param cropSize     a centre crop of this size, the input size the weights were trained for
     */
    public record Entry(String architecture, String name, String fileName, String sha256, int numClasses,
                        Normalization normalization, int resizeSize, int cropSize) {
        public Entry {
            if (architecture == null || !architecture.matches("[a-z0-9_]+")) {
                throw new IllegalArgumentException("architecture '" + architecture + "' is not a TorchVision builder name, e.g. resnet18");
            }
            if (name == null || !name.matches("[A-Z0-9_]+") || name.equals(DEFAULT)) {
                throw new IllegalArgumentException(architecture + ": weight name '" + name + "' is not a TorchVision weight name, e.g. IMAGENET1K_V1");
            }
            if (fileName == null || !fileName.matches("[A-Za-z0-9._-]+") || fileName.startsWith(".")) {
                throw new IllegalArgumentException(architecture + " " + name + ": file name '" + fileName + "' must be a plain file name, e.g. resnet18-f37072fd.pth");
            }
            if (sha256 == null || !sha256.matches("[0-9a-f]{8,64}")) {
                throw new IllegalArgumentException(architecture + " " + name + ": sha256 '" + sha256 + "' must be 8 to 64 lower-case hex digits, e.g. f37072fd");
            }
            Matcher m = NAME_HASH.matcher(fileName);
            if (m.find() && !sha256.startsWith(m.group(1))) {
                throw new IllegalArgumentException(architecture + " " + name + ": sha256 " + sha256 + " disagrees with the hash " + m.group(1) + " in " + fileName);
            }
            if (numClasses < 1 || resizeSize < cropSize || cropSize < 1) {
                throw new IllegalArgumentException(architecture + " " + name + ": need numClasses >= 1 and resizeSize >= cropSize >= 1, got "
                        + numClasses + ", " + resizeSize + ", " + cropSize);
            }
        }

        /** TorchVision's address of the file; {@link WeightStore} may fetch it from a mirror instead. */
        public URI url() {
            return TORCHVISION.resolve(fileName);
        }

        @Override
        public String toString() {
            return architecture + " " + name;
        }
    }

    private static Entry imagenet(String architecture, String name, String fileName, int resizeSize) {
        return new Entry(architecture, name, fileName, hashInName(fileName), 1000, IMAGENET, resizeSize, 224);
    }

    private static String hashInName(String fileName) {
        Matcher m = NAME_HASH.matcher(fileName);
        if (!m.find()) throw new IllegalArgumentException(fileName + " has no -<hash>. part");
        return m.group(1);
    }

    private static final List<Entry> ENTRIES = List.of(
            imagenet("resnet18", "IMAGENET1K_V1", "resnet18-f37072fd.pth", 256),
            imagenet("resnet34", "IMAGENET1K_V1", "resnet34-b627a593.pth", 256),
            imagenet("resnet50", "IMAGENET1K_V1", "resnet50-0676ba61.pth", 256),
            imagenet("resnet50", "IMAGENET1K_V2", "resnet50-11ad3fa6.pth", 232),
            imagenet("mobilenet_v2", "IMAGENET1K_V1", "mobilenet_v2-b0353104.pth", 256),
            imagenet("mobilenet_v2", "IMAGENET1K_V2", "mobilenet_v2-7ebf99e0.pth", 232),
            imagenet("mobilenet_v3_small", "IMAGENET1K_V1", "mobilenet_v3_small-047dcff4.pth", 256));

    private static final Map<String, String> DEFAULTS = Map.of(
            "resnet18", "IMAGENET1K_V1",
            "resnet34", "IMAGENET1K_V1",
            "resnet50", "IMAGENET1K_V2",
            "mobilenet_v2", "IMAGENET1K_V2",
            "mobilenet_v3_small", "IMAGENET1K_V1");

    public static List<Entry> entries() {
        return ENTRIES;
    }

    /**
     * The entry for TorchVision's {@code architecture} and weight {@code name} ({@value #DEFAULT}
     * picks TorchVision's default for the architecture).
     *
     * @throws IllegalArgumentException naming every known pair when there is no such entry
     */
    public static Entry lookup(String architecture, String name) {
        String resolved = DEFAULT.equals(name) ? DEFAULTS.getOrDefault(architecture, name) : name;
        return ENTRIES.stream().filter(e -> e.architecture().equals(architecture) && e.name().equals(resolved)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no published weights '" + name + "' for '" + architecture + "'; known: "
                        + ENTRIES.stream().map(Entry::toString).collect(Collectors.joining(", ")) + " (or DEFAULT for any of these architectures)"));
    }

    /**
     * TorchVision's builder name for a recipe architecture, or empty when TorchVision publishes no
     * weights for it (Kinglet's own networks, harmonic ResNets, MobileNetV2 at a width other than 1.0, TorchScript
     * backbones that carry their own parameters).
     */
    public static Optional<String> torchVisionName(Architecture architecture) {
        return switch (architecture) {
            case ResNet r -> r.harmonic() ? Optional.empty() : Optional.of("resnet" + r.depth());
            case MobileNetV2 m -> m.width() == 1.0 ? Optional.of("mobilenet_v2") : Optional.empty();
            case MobileNetV3Small m -> Optional.of("mobilenet_v3_small");
            case SmallCnn s -> Optional.empty();
            case WideResNet w -> Optional.empty();
            case Mlp m -> Optional.empty();
            case TorchScriptBackbone t -> Optional.empty();
        };
    }
}
