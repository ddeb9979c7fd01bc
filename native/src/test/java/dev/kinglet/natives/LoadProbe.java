package dev.kinglet.natives;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Run in a child JVM by {@link NativeLoadingTest}: loads LibTorch one way and computes a sum. */
public final class LoadProbe {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("naive")) {
            Loader.load(torch.class); // JavaCPP alone, as any program would
        } else {
            Natives.load();
        }
        Tensor t = torch.arange(new org.bytedeco.pytorch.Scalar(10));
        System.out.println("sum=" + t.sum().item_long());
    }
}
