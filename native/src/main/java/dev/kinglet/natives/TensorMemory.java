package dev.kinglet.natives;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Zero-copy FFM views of tensor storage, and copies between tensors and Java arrays. */
public final class TensorMemory {
    private TensorMemory() {}

    /**
     * A view of a contiguous CPU tensor's bytes. It borrows the tensor's lifetime: using it
     * after the tensor is freed (its scope closed) reads freed memory.
     */
    public static MemorySegment view(Tensor t) {
        if (!t.is_cpu()) throw new IllegalArgumentException("a memory view needs a CPU tensor; copy it with .cpu() first");
        if (!t.is_contiguous()) throw new IllegalArgumentException("a memory view needs a contiguous tensor; call .contiguous() first");
        if (t.nbytes() == 0) return MemorySegment.NULL; // an empty tensor may have no data pointer at all
        return MemorySegment.ofAddress(t.data_ptr().address()).reinterpret(t.nbytes());
    }

    /** The values of a float32 tensor (any device, any layout), copied to Java. */
    public static float[] toFloats(Tensor t) {
        try (var scope = new PointerScope()) {
            Tensor c = t.to(torch.ScalarType.Float).cpu().contiguous();
            return view(c).toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** The values of an integer tensor, widened to long and copied to Java. */
    public static long[] toLongs(Tensor t) {
        try (var scope = new PointerScope()) {
            Tensor c = t.to(torch.ScalarType.Long).cpu().contiguous();
            return view(c).toArray(ValueLayout.JAVA_LONG);
        }
    }

    /** A new float32 CPU tensor of the given shape holding a copy of {@code values}. */
    public static Tensor fromFloats(float[] values, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != values.length) throw new IllegalArgumentException(values.length + " values do not fill shape " + java.util.Arrays.toString(shape));
        Tensor t = torch.zeros(shape, new TensorOptions(torch.ScalarType.Float));
        MemorySegment.copy(values, 0, view(t), ValueLayout.JAVA_FLOAT, 0, values.length);
        return t;
    }

    /** Overwrites the contiguous int64 CPU tensor {@code t}, which holds exactly {@code values.length} elements, with {@code values}. */
    public static void copyInto(long[] values, Tensor t) {
        if (!String.valueOf(t.scalar_type()).equals(String.valueOf(torch.ScalarType.Long)) || t.numel() != values.length) {
            throw new IllegalArgumentException(values.length + " longs do not fill a tensor of " + t.numel() + " " + t.scalar_type());
        }
        MemorySegment.copy(values, 0, view(t), ValueLayout.JAVA_LONG, 0, values.length);
    }

    /** A new int64 CPU tensor of the given shape holding a copy of {@code values}. */
    public static Tensor fromLongs(long[] values, long... shape) {
        Tensor t = torch.zeros(shape, new TensorOptions(torch.ScalarType.Long));
        if (t.numel() != values.length) throw new IllegalArgumentException(values.length + " values do not fill shape " + java.util.Arrays.toString(shape));
        MemorySegment.copy(values, 0, view(t), ValueLayout.JAVA_LONG, 0, values.length);
        return t;
    }

    /** Removes {@code p} from the scope open on this thread, if any: long-lived owners call this. */
    static <P extends Pointer> P unscoped(P p) {
        PointerScope scope = PointerScope.getInnerScope();
        if (scope != null) {
            p.retainReference(); // detach() releases the scope's reference; this one is the owner's
            scope.detach(p);
        }
        return p;
    }
}
