package dev.kinglet.natives;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bytedeco.pytorch.global.torch;

/**
 * Where tensors live. Parsed from {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N};
 * {@link #resolve} checks that what was asked for exists here.
 */
public record Device(Kind kind, int index) {
    public enum Kind { AUTO, CPU, CUDA }

    private static final Pattern SPEC = Pattern.compile("auto|cpu|cuda(?::(\\d+))?");

    public static final Device AUTO = new Device(Kind.AUTO, -1);
    public static final Device CPU = new Device(Kind.CPU, -1);

    public Device {
        if (kind == Kind.CUDA ? index < 0 : index != -1) {
            throw new IllegalArgumentException("device index " + index + " does not fit kind " + kind);
        }
    }

    public static Device parse(String spec) {
        Matcher m = SPEC.matcher(spec == null ? "" : spec.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("device '" + spec + "' is not one of auto, cpu, cuda, cuda:N (e.g. cuda:0)");
        }
        return switch (m.group().substring(0, 3)) {
            case "aut" -> AUTO;
            case "cpu" -> CPU;
            default -> new Device(Kind.CUDA, m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
        };
    }

    /**
     * The concrete device: {@code auto} becomes {@code cuda:0} when the CUDA natives and a GPU
     * are present, else {@code cpu}. Asking for CUDA where it cannot work is an error that says
     * what is missing.
     */
    public Device resolve() {
        Natives.load();
        return switch (kind) {
            case CPU -> this;
            case AUTO -> Natives.cudaBuild() && torch.cuda_is_available() ? new Device(Kind.CUDA, 0) : CPU;
            case CUDA -> {
                if (!Natives.cudaBuild()) {
                    throw new IllegalArgumentException("device " + this + " asked for, but the LibTorch natives on the class path"
                            + " are the CPU build (" + Natives.pytorchPlatform() + "): build with ./mvnw -Pcuda package,"
                            + " or run with --device cpu");
                }
                int count = torch.cuda_is_available() ? torch.cuda_device_count() : 0;
                if (count == 0) {
                    throw new IllegalArgumentException("device " + this + " asked for: the CUDA natives are present but no GPU is"
                            + " visible (needs an NVIDIA driver, CUDA 13.1 and cuDNN 9.19 on the host; in a container, --gpus all)");
                }
                if (index >= count) {
                    throw new IllegalArgumentException("device " + this + " asked for, but only " + count
                            + " GPU(s) are visible: use cuda:0" + (count > 1 ? " to cuda:" + (count - 1) : ""));
                }
                yield this;
            }
        };
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    /** LibTorch's device object; only for resolved devices. */
    public org.bytedeco.pytorch.Device torch() {
        return switch (kind) {
            case CPU -> new org.bytedeco.pytorch.Device(torch.DeviceType.CPU, (byte) -1);
            case CUDA -> new org.bytedeco.pytorch.Device(torch.DeviceType.CUDA, (byte) index);
            case AUTO -> throw new IllegalStateException("resolve() the device before use");
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
        };
    }
}
