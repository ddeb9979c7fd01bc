package dev.kinglet.natives;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Run in a child JVM by {@link NativeLoadingTest}: loads LibTorch one way and computes a sum;
 * {@code origins} also loads the OpenCV modules and prints every mapped library's path.
 */
public final class LoadProbe {
    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "kinglet";
        if (mode.equals("naive")) {
            Loader.load(torch.class); // JavaCPP alone, as any program would
        } else {
            Natives.load();
        }
        Tensor t = torch.arange(new org.bytedeco.pytorch.Scalar(10));
        System.out.println("sum=" + t.sum().item_long());
        if (mode.equals("origins")) {
            Natives.Origins o = Natives.origins();
            System.out.println("cache=" + o.cacheDir());
            for (var p : o.mapped()) System.out.println("mapped=" + p);
        }
    }
}
