package dev.kinglet.tools;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.pytorch.Tensor;

import dev.kinglet.run.*;
import dev.kinglet.augment.Pipelines;
import dev.kinglet.data.Loader;
import dev.kinglet.natives.Image;
import dev.kinglet.data.Datasets;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.model.Network;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;
import dev.kinglet.train.CosineObjective;
import dev.kinglet.train.Objective;

/**
 * Pushes one sample and one batch through every stage of a recipe — read, augment, collate,
 * forward, loss — and names the first stage that fails, as fastai's {@code DataBlock.summary}.
 */
public final class Check {
    private Check() {}

    public record Stage(String name, boolean ok, String detail) {}

    public static List<Stage> run(Recipe asWritten, Path dataBase, Device device, PrintStream out) {
        List<Stage> stages = new ArrayList<>();
        Plan plan;
        Recipe recipe;
        try {
            recipe = dev.kinglet.data.TableReader.resolveTask(asWritten, dataBase, new PrintStream(java.io.OutputStream.nullOutputStream())); // a table's task, read from its target column
        } catch (java.io.IOException | RuntimeException e) {
            stages.add(new Stage("read", false, e.getMessage()));
            return report(stages, out);
        }
        try {
            plan = Plan.of(recipe);
            Support.check(recipe, plan).throwIfRefused();
            stages.add(new Stage("recipe", true, plan.summary()));
        } catch (RuntimeException e) {
            stages.add(new Stage("recipe", false, e.getMessage()));
            return report(stages, out);
        }
        NativeRuntime.Info info = NativeRuntime.start(NativeRuntime.defaultThreads(), recipe.seed(), device);
        Datasets.Split split;
        try {
            split = Datasets.load(recipe.data(), dataBase, recipe.seed());
            var px = split.train().pixels();
            if (split.train().isTable()) stages.add(new Stage("read", true, split.conversion()));
            else stages.add(new Stage("read", true, split.train().size() + " training and " + split.test().size() + " test images of "
                    + px.channels() + "x" + px.height() + "x" + px.width() + ", " + (split.train().isRegression()
                    ? "targets " + split.train().targetNames() + "; first " + java.util.Arrays.toString(split.train().targets(0))
                    : split.train().numClasses() + " classes; first label " + split.train().classes().get(split.train().label(0)))));
        } catch (Exception e) {
            stages.add(new Stage("read", false, e.getMessage()));
            return report(stages, out);
        }
        try (split; ImageSet encoded = split.train().isTable() ? dev.kinglet.data.TableEncoder.fit(split.train()).encode(split.train()) : null) {
            var semi = recipe.semiSupervised();
            if (semi != null && semi.data() != null && !semi.data().equals(recipe.data().source())) {
                try (var images = UnlabelledData.load(semi.data(), "semiSupervised.data", recipe, split, dataBase)) {
                    stages.add(new Stage("unlabelled", true, images.what() + "; none is a test image"));
                } catch (Exception e) {
                    stages.add(new Stage("unlabelled", false, e.getMessage()));
                    return report(stages, out);
                }
            }
            ImageSet train = encoded != null ? encoded : split.train();
            var px = train.pixels();
            Pipelines pipes;
            int[] size;
            try {
                pipes = Pipelines.of(recipe.augment(), train.classes(), train.targetNames());
                size = pipes.train().outputSize(px.height(), px.width());
                if (encoded != null) {
                    stages.add(new Stage("encode", true, px.width() + " features from " + split.train().table().width()
                            + " columns (a job fits its encoding on its own training rows)"));
                } else try (var scope = Scope.image()) {
                    var sample = pipes.train().apply(Image.of(px, train.row(0)), train.label(0), new java.util.SplittableRandom(recipe.seed()));
                    var evalSample = pipes.eval().apply(Image.of(px, train.row(0)), train.label(0), new java.util.SplittableRandom(recipe.seed()));
                    if (sample.image().height() != size[0] || sample.image().width() != size[1]
                            || evalSample.image().height() != size[0] || evalSample.image().width() != size[1]) {
                        throw new IllegalStateException("train gives " + sample.image().height() + "x" + sample.image().width() + ", eval "
                                + evalSample.image().height() + "x" + evalSample.image().width() + ": both pipelines must end at one size");
                    }
                }
                if (encoded == null) stages.add(new Stage("augment", true, recipe.augment().train().size() + " training and " + recipe.augment().eval().size()
                        + " eval ops; one sample " + px.height() + "x" + px.width() + " -> " + size[0] + "x" + size[1]));
            } catch (RuntimeException e) {
                stages.add(new Stage("augment", false, e.getMessage()));
                return report(stages, out);
            }
            int batch = Math.min(recipe.train().batchSize(), train.size());
            Normalization norm = pipes.normalization().orElseGet(train::statistics);
            try (var loader = new Loader(px.channels(), train.targetNames().size(), pipes.train(), norm, batch, size[0], size[1], Loader.defaultWorkers(), 0)) {
                BatchBuffer.Batch b;
                try {
                    int[] order = new int[batch];
                    for (int i = 0; i < batch; i++) order[i] = i;
                    b = loader.epoch(train, order, recipe.seed(), false).iterator().next();
                    stages.add(new Stage("collate", true, encoded != null ? "batch of " + b.size() + " rows of " + px.width() + " encoded features"
                            : "batch of " + b.size() + " images, normalised with mean "
                            + java.util.Arrays.toString(norm.mean()) + ", std " + java.util.Arrays.toString(norm.std())));
                } catch (RuntimeException e) {
                    stages.add(new Stage("collate", false, e.getMessage()));
                    return report(stages, out);
                }
                Network net;
                try {
                    // as a job builds it: with the cosine loss's classifier on the embedding when lambda > 0
                    net = Network.build(recipe.model(), px.channels(), size[0], size[1], train.outputs(), false,
                            recipe.loss() instanceof CosineLoss c ? c.lambda() : 0);
                    if (info.device().isCuda()) net.to(info.device().torch(), false);
                } catch (RuntimeException e) {
                    stages.add(new Stage("forward", false, "building the model: " + e.getMessage()));
                    return report(stages, out);
                }
                Objective objective;
                try {
                    objective = Objective.of(recipe.loss(), train.isRegression(), () -> CosineObjective.of((CosineLoss) recipe.loss(), train.classes(), dataBase,
                            Network.embeddingDim(recipe.model(), train.numClasses()), info.device()));
                } catch (RuntimeException | java.io.IOException e) {
                    net.close();
                    stages.add(new Stage("loss", false, "setting up " + Support.typeName(recipe.loss()) + ": " + e.getMessage()));
                    return report(stages, out);
                }
                try (net; objective; var scope = Scope.step()) {
                    Tensor logits;
                    try {
                        Tensor x = b.images(), y = b.labels();
                        if (info.device().isCuda()) x = x.to(info.device().torch(), x.scalar_type());
                        logits = net.logits(x);
                        stages.add(new Stage("forward", true, "logits " + java.util.Arrays.toString(logits.sizes().vec().get())
                                + ", " + net.parameterCount() + " parameters"));
                    } catch (RuntimeException e) {
                        stages.add(new Stage("forward", false, e.getMessage()));
                        return report(stages, out);
                    }
                    try {
                        Tensor labels = train.isRegression() ? b.targets() : b.labels();
                        Tensor y = info.device().isCuda() ? labels.to(info.device().torch(), labels.scalar_type()) : labels;
                        if (train.isRegression()) {
                            var scaling = dev.kinglet.train.TargetScaling.fit(train.targets(), train.targetNames().size(), pipes.train().negatedTargets());
                            Tensor loss = objective.loss(logits, scaling.standardise(y), net);
                            loss.backward();
                            float v = loss.item_float();
                            if (!Float.isFinite(v)) throw new IllegalStateException("loss is " + v);
                            stages.add(new Stage("loss", true, String.format(java.util.Locale.ROOT, "%.4f (%s on %d targets, standardised), gradients computed",
                                    v, Support.typeName(recipe.loss()), train.targetNames().size())));
                            return report(stages, out);
                        }
                        Tensor loss = objective.loss(logits, y, net);
                        loss.backward();
                        float v = loss.item_float();
                        if (!Float.isFinite(v)) throw new IllegalStateException("loss is " + v);
                        stages.add(new Stage("loss", true, objective instanceof Objective.CrossEntropy
                                ? String.format(java.util.Locale.ROOT, "%.4f (about ln %d = %.4f for an untrained model), gradients computed",
                                        v, train.numClasses(), Math.log(train.numClasses()))
                                : String.format(java.util.Locale.ROOT, "%.4f (%s), gradients computed", v, Support.typeName(recipe.loss()))));
                    } catch (RuntimeException e) {
                        stages.add(new Stage("loss", false, e.getMessage()));
                    }
                }
            }
        }
        return report(stages, out);
    }

    private static List<Stage> report(List<Stage> stages, PrintStream out) {
        for (Stage s : stages) out.printf("%-10s %s  %s%n", s.name(), s.ok() ? "ok    " : "FAILED", s.detail());
        return stages;
    }
}
