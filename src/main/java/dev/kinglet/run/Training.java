package dev.kinglet.run;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.kinglet.augment.BatchMix;
import dev.kinglet.augment.Pipelines;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.Grayscale;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.TorchScriptBackbone;
import dev.kinglet.dsl.Weights;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.train.CosineObjective;
import dev.kinglet.train.FineTuning;
import dev.kinglet.train.GradScaler;
import dev.kinglet.train.Learner;
import dev.kinglet.train.LearnerConfig;
import dev.kinglet.train.LrSchedule;
import dev.kinglet.train.Objective;

/**
 * One configuration set up for training on one training set: pipelines, normalisation, the
 * network (pretrained weights loaded), the loss and a {@link Learner} with its schedule. A run's
 * job and a tuning trial both train through it, so a trial trains exactly as a job would;
 * what differs (checkpoints, logs, the test) the caller adds.
 */
public final class Training implements AutoCloseable {
    /** Network construction seeds the process-wide generator: one at a time, so parallel trials start from their own seeds. */
    private static final Object INIT = new Object();

    private final Recipe recipe;
    private final Pipelines pipes;
    private final Normalization norm;
    private final int[] size;
    private final boolean repeatGray;
    private final double lambda;
    private final int channels;
    private final Network net;
    private final Objective objective;
    private final Learner learner;
    private final LrSchedule schedule;
    private final boolean pretrained;

    private Training(Recipe recipe, Pipelines pipes, Normalization norm, int[] size, boolean repeatGray, double lambda, int channels,
                     Network net, Objective objective, Learner learner, LrSchedule schedule, boolean pretrained) {
        this.pretrained = pretrained;
        this.recipe = recipe;
        this.pipes = pipes;
        this.norm = norm;
        this.size = size;
        this.repeatGray = repeatGray;
        this.lambda = lambda;
        this.channels = channels;
        this.net = net;
        this.objective = objective;
        this.learner = learner;
        this.schedule = schedule;
    }

    /**
     * Sets up {@code r} to train on {@code train}, validating on {@code validation} after every
     * epoch (none if empty); weights start from {@code initSeed}. {@code label} names the job in
     * the line that reports loaded weights.
     */
    public static Training open(Recipe r, ImageSet train, ImageSet validation, List<String> classNames, long initSeed, Path dataBase,
                                Device device, PrintStream out, boolean terminal, String label) throws IOException {
        return open(r, train, validation, classNames, initSeed, dataBase, device, out, terminal, label, null);
    }

    /**
     * As {@link #open(Recipe, ImageSet, ImageSet, List, long, Path, Device, PrintStream, boolean, String)},
     * the network's body first initialised from a pre-trained autoencoder's {@code encoder} (null: none),
     * whose normalisation the images then get.
     */
    public static Training open(Recipe asWritten, ImageSet train, ImageSet validation, List<String> classNames, long initSeed, Path dataBase,
                                Device device, PrintStream out, boolean terminal, String label, Pretraining.Encoder encoder) throws IOException {
        int classes = classNames.size();
        int stepsPerEpoch = dev.kinglet.data.Loader.batches(train.size(), asWritten.train().batchSize(), true);
        // steps or minSteps: this job's epochs follow from its own images
        if (asWritten.train().budgetInSteps()) out.println("job " + label + ": " + asWritten.train().budgetNote(stepsPerEpoch, train.size()));
        Recipe r = asWritten.withTrain(asWritten.train().forStepsPerEpoch(stepsPerEpoch));
        Pipelines pipes = Pipelines.of(r.augment(), classNames, train.targetNames());
        var px = train.pixels();
        Weights weights = r.model().weights();
        Normalization norm = pipes.normalization()
                .or(() -> weights == null ? Optional.empty() : uncheck(() -> Pretrained.normalization(weights, r.model().architecture(), dataBase, px.channels())))
                .or(() -> Optional.ofNullable(encoder).map(Pretraining.Encoder::normalization))
                .orElseGet(train::statistics);
        int[] size = pipes.train().outputSize(px.height(), px.width());
        boolean repeatGray = weights != null && Pretrained.grayscale(weights) == Grayscale.REPEAT && px.channels() == 1;
        double lambda = r.loss() instanceof CosineLoss c ? c.lambda() : 0;
        Network net;
        synchronized (INIT) {
            NativeRuntime.seed(initSeed);
            net = Network.build(r.model(), px.channels(), size[0], size[1], train.outputs(), repeatGray, lambda);
        }
        Objective objective = null;
        Learner learner = null;
        try {
            objective = Objective.of(r.loss(), train.isRegression(),
                    () -> CosineObjective.of((CosineLoss) r.loss(), classNames, dataBase, Network.embeddingDim(r.model(), classes), device));
            if (weights != null) out.println("job " + label + ": weights " + Pretrained.load(net, r.model(), dataBase, out, terminal).summary());
            if (encoder != null) out.println("job " + label + ": " + Pretraining.initialise(net, encoder.file()));
            var config = new LearnerConfig(r.train().optimizer(), r.train().batchSize(), initSeed, pipes.train(), pipes.eval(), objective,
                    BatchMix.of(r.augment().train()), r.train().clipGradNorm(), r.train().validateEverySteps());
            learner = new Learner(net, device, train, norm, config);
            if (validation.size() > 0) learner.validateOn(validation);
            LrSchedule schedule = new LrSchedule(r.train().schedule(), r.train().optimizer().lr(), learner);
            learner.add(schedule);
            if (r.train().precision().equals("mixed")) {
                if (device.isCuda()) learner.mixedPrecision(new GradScaler());
                else out.println("job " + label + ": train.precision mixed is for CUDA (float16 autocast and loss scaling); on the CPU it trains in float32");
            }
            return new Training(r, pipes, norm, size, repeatGray, lambda, px.channels(), net, objective, learner, schedule, encoder != null);
        } catch (RuntimeException | IOException e) {
            if (learner != null) learner.close();
            if (objective != null) objective.close();
            net.close();
            throw e;
        }
    }

    /** Trains for the recipe's epochs: fine-tuning stages for pretrained weights (or encoder) that ask for them, one fit otherwise. */
    public void fit() {
        var model = recipe.model();
        if ((model.weights() != null || pretrained || model.architecture() instanceof TorchScriptBackbone) && recipe.train().fineTune() != null) {
            FineTuning.run(learner, schedule, recipe.train().fineTune(), recipe.train().optimizer().lr(), recipe.train().epochs());
        } else {
            learner.fit(recipe.train().epochs());
        }
    }

    public Learner learner() { return learner; }
    /** The learning-rate schedule callback on the learner. */
    public LrSchedule schedule() { return schedule; }
    public Network net() { return net; }
    /** The cosine loss's objective (its class embeddings go into model.json), or null for any other loss. */
    public CosineObjective objective() { return objective instanceof Objective.Cosine c ? c.cosine() : null; }
    public Pipelines pipes() { return pipes; }
    public Normalization norm() { return norm; }
    /** Height and width the model sees. */
    public int[] size() { return size.clone(); }
    public boolean repeatGray() { return repeatGray; }
    public double lambda() { return lambda; }
    public int channels() { return channels; }

    @Override
    public void close() {
        try (net; objective; learner) {
            // closed in reverse order: the learner, then the objective, then the network
        }
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T uncheck(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
