package dev.kinglet.natives;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** The element types weight files hold, with their names in PyTorch, its pickles and safetensors. */
enum Dtype {
    FLOAT32("float32", "F32", "FloatStorage", ScalarType.Float, 4),
    FLOAT64("float64", "F64", "DoubleStorage", ScalarType.Double, 8),
    FLOAT16("float16", "F16", "HalfStorage", ScalarType.Half, 2),
    BFLOAT16("bfloat16", "BF16", "BFloat16Storage", ScalarType.BFloat16, 2),
    INT64("int64", "I64", "LongStorage", ScalarType.Long, 8),
    INT32("int32", "I32", "IntStorage", ScalarType.Int, 4),
    INT16("int16", "I16", "ShortStorage", ScalarType.Short, 2),
    INT8("int8", "I8", "CharStorage", ScalarType.Char, 1),
    UINT8("uint8", "U8", "ByteStorage", ScalarType.Byte, 1),
    BOOL("bool", "BOOL", "BoolStorage", ScalarType.Bool, 1);

    /** As PyTorch prints it, without {@code torch.}. */
    final String torchName;
    /** The {@code dtype} string of a safetensors header. */
    final String safetensorsName;
    /** The class {@code torch.<storageClass>} that names it in a pickled storage id. */
    final String storageClass;
    final ScalarType scalarType;
    final int size;

    Dtype(String torchName, String safetensorsName, String storageClass, ScalarType scalarType, int size) {
        this.torchName = torchName;
        this.safetensorsName = safetensorsName;
        this.storageClass = storageClass;
        this.scalarType = scalarType;
        this.size = size;
    }

    static Optional<Dtype> ofSafetensors(String name) {
        return Arrays.stream(values()).filter(d -> d.safetensorsName.equals(name)).findFirst();
    }

    static Optional<Dtype> ofStorageClass(String name) {
        return Arrays.stream(values()).filter(d -> d.storageClass.equals(name)).findFirst();
    }

    static Optional<Dtype> of(ScalarType type) {
        // by value: JavaCPP returns enums from native calls as new objects, not the constants
        return Arrays.stream(values()).filter(d -> d.scalarType.value == type.value).findFirst();
    }

    /** The supported names, for error messages. */
    static String names() {
        return Arrays.stream(values()).map(d -> d.torchName).collect(Collectors.joining(", "));
    }
}
