package dev.kinglet.model;

import java.util.List;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.Mlp;
import dev.kinglet.natives.Layers;

/** A multi-layer perceptron over the flattened input: {@code layers} = (Linear, [BatchNorm1d | LayerNorm], ReLU, Dropout) per hidden width, then {@code fc}. */
final class MlpNet extends Network {
    private final Seq layers;
    private final LinearImpl fc;

    MlpNet(Mlp spec, long inputs, int classes) {
        layers = new Seq();
        long in = inputs;
        for (int width : spec.hidden()) {
            layers.linear(in, width);
            switch (spec.norm()) {
                case BATCH -> layers.bn1d(width);
                case LAYER -> layers.layerNorm(width);
                case NONE -> { }
            }
            layers.relu().dropout(spec.dropout());
            in = width;
        }
        register_module("layers", layers);
        fc = register_module("fc", Layers.linear(in, classes));
    }

    @Override
    public Tensor forward(Tensor x) {
        return fc.forward(layers.forward(x.flatten(1, -1)));
    }

    @Override
    public List<List<String>> layerGroups() {
        return List.of(List.of("layers"), List.of("fc"));
    }

    @Override
    public String firstConv() {
        return null;
    }
}
