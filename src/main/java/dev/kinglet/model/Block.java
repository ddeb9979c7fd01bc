package dev.kinglet.model;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** A Java module with a forward pass: a child of a {@link Seq} or of a network. */
abstract class Block extends Module {
    abstract Tensor forward(Tensor x);
}
