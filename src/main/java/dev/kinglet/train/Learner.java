package dev.kinglet.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.OptimizerOptions;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.augment.Augmenter;
import dev.kinglet.augment.BatchMix;
import dev.kinglet.data.Loader;
import dev.kinglet.data.ImageSet;
import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.Optimizer;
import dev.kinglet.dsl.Sgd;
import dev.kinglet.model.Network;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;
import dev.kinglet.natives.Normalization;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;

/**
 * A network, its optimizer and its data, trained by {@link #fit}: one loop whose moments are
 * {@link Event}s and whose extras are {@link Callback}s. Every step's and every evaluation
 * batch's tensors live in a {@link Scope}.
 */
public final class Learner implements AutoCloseable {
    private final Network model;
    private final org.bytedeco.pytorch.Optimizer optimizer;
    private final Device device;
    private final ImageSet train;
    private final Normalization norm;
    private final Loader loader, evalLoader;
    private final int[] slot;
    private final long seed;
    private final List<Callback> callbacks = new ArrayList<>();
    private final TrainState state = new TrainState();
    /**
     * Images per evaluation batch. Larger batches are barely faster here, and activations much
     * larger than a training step's fragment the allocator's heap: resident memory then creeps.
     */
    static final int EVAL_BATCH = 64;
    private ImageSet validation;
    private final Integer validateEverySteps;
    private int[] layerOfGroup;
    private final BatchMix batchMix;
    /** The loss and how outputs read as classes; the learner closes the default it made, not one it is given. */
    private final Objective objective;
    private final boolean ownsObjective;
    private final boolean regression;
    private final TargetScaling scaling;
    private final Double clipGradNorm;
    private final TensorVector clipped;
    private GradScaler scaler;
    private boolean autocast;
    private int skipThrough;
    private long skipStep;
    private Runnable restore;
    private final long mixSeed;
    private double[] lrMultiplier;
    private UnlabelledStream unlabelled;
    /** Images per forward pass of FixMatch's unlabelled views, see {@link #unlabelled(UnlabelledStream)}. */
    private int chunk;

    /** A learner without augmentation, with the default objective: {@link LearnerConfig#of}. */
    public Learner(Network model, Optimizer opt, Device device, ImageSet train, Normalization norm, int batchSize, long seed) {
        this(model, device, train, norm, LearnerConfig.of(opt, batchSize, seed));
    }

    /** A learner of {@code model} on {@code train}, its images normalised by {@code norm}, training as {@code config} says. */
    public Learner(Network model, Device device, ImageSet train, Normalization norm, LearnerConfig config) {
        this.model = model;
        this.device = device;
        this.train = train;
        this.norm = norm;
        Augmenter trainAugmenter = config.trainAugmenter(), evalAugmenter = config.evalAugmenter();
        int[] trainSize = trainAugmenter.outputSize(train.pixels().height(), train.pixels().width());
        int[] evalSize = evalAugmenter.outputSize(train.pixels().height(), train.pixels().width());
        if (trainSize[0] != evalSize[0] || trainSize[1] != evalSize[1]) {
            throw new dev.kinglet.dsl.RecipeException("augment.eval", "ends at " + evalSize[0] + "x" + evalSize[1] + " but augment.train at "
                    + trainSize[0] + "x" + trainSize[1] + ": the model sees one size; add a resize or centerCrop to the eval pipeline");
        }
        this.regression = train.isRegression();
        Objective o = config.objective();
        if (o != null && !(o instanceof Objective.Reconstruction) && (o instanceof Objective.Regression) != regression) {
            throw new IllegalStateException("objective " + o.getClass().getSimpleName() + " does not fit a training set " + (regression ? "with regression targets" : "with class labels"));
        }
        if (device.isCuda()) model.to(device.torch(), false);
        Optimizer opt = config.optimizer();
        this.optimizer = optimizer(model, opt);
        state.lr = opt.lr();
        this.slot = trainSize;
        int channels = train.pixels().channels(), targets = train.targetNames().size(), batchSize = config.batchSize();
        this.loader = new Loader(channels, targets, trainAugmenter, norm, batchSize, trainSize[0], trainSize[1], Loader.defaultWorkers(), 2);
        // one evaluation loader for every evaluation: its threads live as long as the learner
        this.evalLoader = new Loader(channels, targets, evalAugmenter, norm, EVAL_BATCH, trainSize[0], trainSize[1], Loader.defaultWorkers(), 1);
        this.ownsObjective = o == null;
        this.objective = o != null ? o : regression ? new Objective.Regression(RegressionObjective.MSE) : new Objective.CrossEntropy(0);
        state.reconstruction = objective instanceof Objective.Reconstruction;
        if (regression) {
            java.util.Set<Integer> negated = new java.util.TreeSet<>(trainAugmenter.negatedTargets());
            negated.addAll(evalAugmenter.negatedTargets());
            this.scaling = TargetScaling.fit(train.targets(), targets, negated);
        } else {
            this.scaling = null;
        }
        state.regression = regression;
        this.seed = config.seed();
        this.mixSeed = new SplittableRandom(seed ^ 0x6d69787570L).nextLong();
        this.batchMix = config.batchMix();
        this.clipGradNorm = config.clipGradNorm();
        this.clipped = clipGradNorm == null ? null : new TensorVector(model.namedParameters().values().toArray(Tensor[]::new));
        this.validateEverySteps = config.validateEverySteps();
    }

    /**
     * One optimizer group per layer group and kind: weights, and biases and norm parameters
     * (one dimension), which get no weight decay. Each remembers its layer group for
     * discriminative learning rates.
     */
    private org.bytedeco.pytorch.Optimizer optimizer(Network model, Optimizer opt) {
        List<TensorVector> vectors = new ArrayList<>();
        List<Double> decays = new ArrayList<>();
        List<Integer> layers = new ArrayList<>();
        double decay = opt.weightDecay();
        List<Map<String, Tensor>> groups = model.parameterGroups();
        for (int g = 0; g < groups.size(); g++) {
            List<Tensor> weights = new ArrayList<>(), flat = new ArrayList<>();
            for (Tensor p : groups.get(g).values()) (p.dim() > 1 ? weights : flat).add(p);
            for (List<Tensor> kind : List.of(weights, flat)) {
                if (kind.isEmpty()) continue;
                vectors.add(new TensorVector(kind.toArray(Tensor[]::new)));
                decays.add(kind == weights ? decay : 0.0);
                layers.add(g);
            }
        }
        layerOfGroup = layers.stream().mapToInt(i -> i).toArray();
        lrMultiplier = new double[layerOfGroup.length];
        java.util.Arrays.fill(lrMultiplier, 1.0);
        org.bytedeco.pytorch.Optimizer o = null;
        for (int i = 0; i < vectors.size(); i++) {
            OptimizerOptions options = switch (opt) {
                case Adam a -> {
                    AdamOptions x = new AdamOptions(a.lr());
                    x.weight_decay().put(decays.get(i));
                    yield x;
                }
                case dev.kinglet.dsl.AdamW a -> {
                    AdamWOptions x = new AdamWOptions(a.lr());
                    x.weight_decay().put(decays.get(i));
                    // std::tuple<double, double> in libstdc++ keeps its last element first (AdamWTest checks the betas)
                    x.betas().put(0, a.betas().get(1)).put(1, a.betas().get(0));
                    yield x;
                }
                case Sgd sgd -> {
                    SGDOptions x = new SGDOptions(sgd.lr());
                    x.momentum().put(sgd.momentum());
                    x.weight_decay().put(decays.get(i));
                    x.nesterov().put(sgd.nesterov());
                    yield x;
                }
            };
            if (o == null) {
                o = switch (opt) {
                    case Adam a -> new org.bytedeco.pytorch.Adam(vectors.get(i), (AdamOptions) options);
                    case dev.kinglet.dsl.AdamW a -> new org.bytedeco.pytorch.AdamW(vectors.get(i), (AdamWOptions) options);
                    case Sgd sgd -> new org.bytedeco.pytorch.SGD(vectors.get(i), (SGDOptions) options);
                };
            } else {
                o.add_param_group(new OptimizerParamGroup(vectors.get(i), options));
            }
        }
        return o;
    }

    /**
     * Discriminative learning rates: layer group g of G trains at {@code mult^(G-1-g)} times the
     * rate, so the head gets the full rate and earlier groups less (fastai's {@code slice}).
     */
    public Learner discriminative(double mult) {
        int last = model.layerGroups().size() - 1;
        for (int i = 0; i < lrMultiplier.length; i++) lrMultiplier[i] = Math.pow(mult, last - layerOfGroup[i]);
        setLearningRate(state.lr);
        return this;
    }

    /** How a regression network's targets are standardised (on this learner's training images); null for a classifier. */
    public TargetScaling targetScaling() {
        return scaling;
    }

    /** The loss of a batch: the objective's, on class indices or standardised targets. */
    private Tensor loss(Tensor output, Tensor labels) {
        return objective.loss(output, labels, model);
    }

    /**
     * FixMatch: every step also trains on a batch of {@code stream}'s unlabelled images (the
     * learner closes it); null: none. See {@link dev.kinglet.dsl.FixMatch}. On the CPU the views
     * go through the network in passes of the labelled batch size ({@code kinglet.fixMatch.chunk}
     * overrides), where the small networks here run fastest (the small CNN trained at 1,114 img/s
     * in batches of 32, 233 in one of 480: its activations leave the caches); on CUDA the whole
     * unlabelled batch in one pass.
     */
    public Learner unlabelled(UnlabelledStream stream) {
        if (regression || state.reconstruction) throw new IllegalStateException("FixMatch pseudo-labels classes: this learner trains " + (regression ? "regression" : "a reconstruction"));
        this.unlabelled = stream;
        this.chunk = Integer.getInteger("kinglet.fixMatch.chunk", device.isCuda() ? Integer.MAX_VALUE : loader.batchSize());
        state.unlabelled = stream;
        return add(stream); // it counts per epoch, and its counts ride in checkpoints
    }

    /** The unlabelled stream, or null without FixMatch. */
    public UnlabelledStream unlabelled() {
        return unlabelled;
    }

    /**
     * Evaluates {@code set} after every epoch into {@link TrainState#validation()} (or the
     * regression or reconstruction metrics), or only as often as {@link LearnerConfig#validateEverySteps} says.
     */
    public Learner validateOn(ImageSet set) {
        this.validation = set;
        return this;
    }

    /** Sets the learning rate: the head's; earlier layer groups get theirs times their {@link #discriminative} multiplier. */
    public void setLearningRate(double lr) {
        var groups = optimizer.param_groups();
        for (long i = 0; i < groups.size(); i++) groups.get(i).options().set_lr(lr * lrMultiplier[(int) i]);
        state.lr = lr;
    }

    /** Takes {@code c} off the loop (no-op when it is not on it). */
    public Learner remove(Callback c) {
        callbacks.remove(c);
        return this;
    }

    public Learner add(Callback c) {
        callbacks.add(c);
        callbacks.sort(Comparator.comparingInt(Callback::order));
        return this;
    }

    public Network model() {
        return model;
    }

    /** The callbacks in the order they run (checkpoints find the ones with state of their own here). */
    public List<Callback> callbacks() {
        return List.copyOf(callbacks);
    }

    /** Optimizer steps per training epoch. */
    public int stepsPerEpoch() {
        return loader.batches(train.size(), true);
    }

    public TrainState state() {
        return state;
    }

    /** Images in the training set (augmented draws not counted). */
    public int trainImages() {
        return train.size();
    }

    /**
     * Continues from a checkpoint taken after epoch {@code epoch}: the epochs up to it are skipped
     * (their step counts still advance, so schedules line up), then {@code restore} loads the
     * saved weights and optimizer state. Every epoch draws its order, augmentation and dropout
     * from its own seed, so the continued run trains exactly as the uninterrupted one would.
     */
    public Learner resumeAfter(int epoch, long step, Runnable restore) {
        this.skipThrough = epoch;
        this.skipStep = step;
        this.restore = restore;
        return this;
    }

    /** Trains for {@code epochs} more epochs, or fewer when a callback calls {@link TrainState#stop}. */
    public void fit(int epochs) {
        state.epochs = state.epoch + epochs;
        state.fitStartNanos = System.nanoTime();
        state.fitStartStep = state.step;
        state.fitEpochs = epochs;
        state.stepsPerEpoch = loader.batches(train.size(), true);
        emit(Event.BEFORE_FIT);
        while (state.epoch < state.epochs && !state.stopped) {
            state.epoch++;
            SplittableRandom epochRandom = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * state.epoch);
            if (state.epoch <= skipThrough) {
                state.step += state.stepsPerEpoch;
                if (state.epoch == skipThrough) restoreCheckpoint();
                continue;
            }
            int[] order = shuffled(train.size(), epochRandom);
            Iterable<BatchBuffer.Batch> batches = loader.epoch(train, order, epochRandom.nextLong(), true);
            NativeRuntime.seed(epochRandom.nextLong()); // dropout draws of this epoch
            state.stepInEpoch = 0;
            state.imagesInEpoch = state.correctInEpoch = 0;
            state.lossSumInEpoch = 0;
            state.trainSecondsInEpoch = 0;
            state.dataWaitNanosInEpoch = 0;
            state.epochStartNanos = System.nanoTime();
            emit(Event.BEFORE_EPOCH);
            model.setTraining(true);
            var it = batches.iterator();
            while (true) {
                long waitStart = System.nanoTime();
                if (!it.hasNext()) break;
                BatchBuffer.Batch b = it.next();
                state.dataWaitNanosInEpoch += System.nanoTime() - waitStart;
                emit(Event.BEFORE_STEP);
                step(b);
                emit(Event.AFTER_STEP);
            }
            state.trainSecondsInEpoch = state.epochSeconds();
            // derived from the step count alone, so a resumed fit validates the epochs an uninterrupted one does
            boolean validate = validation != null && (validateEverySteps == null || state.epoch == state.epochs
                    || state.step / validateEverySteps > (state.step - state.stepInEpoch) / validateEverySteps);
            state.validation = null;
            state.regressionValidation = null;
            state.reconstructionValidation = null;
            if (validate) {
                long validationStart = System.nanoTime();
                // every kind emits the events: the EMA validates its averaged weights, early stopping scores them
                emit(Event.BEFORE_VALIDATE);
                if (state.reconstruction) state.reconstructionValidation = evaluateReconstruction(validation);
                else if (regression) state.regressionValidation = evaluateRegression(validation);
                else state.validation = evaluate(validation);
                emit(Event.AFTER_VALIDATE);
                state.validations++;
                state.validationSeconds += (System.nanoTime() - validationStart) / 1e9;
            }
            emit(Event.AFTER_EPOCH);
        }
        emit(Event.AFTER_FIT);
    }

    private void restoreCheckpoint() {
        if (state.step != skipStep) {
            throw new IllegalStateException("the checkpoint was taken at step " + skipStep + " of epoch " + skipThrough + " but this recipe reaches step "
                    + state.step + " there: the recipe or data changed since; run it afresh");
        }
        restore.run();
        restore = null;
    }

    /** The optimizer's own state (moments, step counts), for checkpoints. */
    public org.bytedeco.pytorch.Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Mixed precision: the loss scaled by {@code scaler} (it also rides in checkpoints; the learner
     * closes it), and on a CUDA device the forward pass and loss under LibTorch's autocast to
     * float16 (the autocast weight cache off, since the optimizer updates the weights in place).
     * On the CPU only the loss scaling applies: the CPU path stays float32.
     */
    public Learner mixedPrecision(GradScaler scaler) {
        this.scaler = scaler;
        this.autocast = device.isCuda();
        if (autocast) {
            torch.set_autocast_dtype(torch.DeviceType.CUDA, torch.ScalarType.Half);
            torch.set_autocast_cache_enabled(false);
        }
        return add(scaler);
    }

    /** 0..n-1 in an order drawn from {@code random} (Fisher-Yates). */
    public static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        return order;
    }

    private void step(BatchBuffer.Batch b) {
        UnlabelledStream.Views views = null;
        if (unlabelled != null) {
            long waitStart = System.nanoTime();
            views = unlabelled.batch(state.step);
            state.dataWaitNanosInEpoch += System.nanoTime() - waitStart;
        }
        try (var scope = Scope.step()) {
            boolean classifies = !regression && !state.reconstruction;
            Tensor x = onDevice(b.images());
            Tensor y = state.reconstruction ? x : regression ? scaling.standardise(onDevice(b.targets())) : onDevice(b.labels());
            optimizer.zero_grad();
            BatchMix.Mixed mix = batchMix == null ? null : batchMix.apply(x, y, mixSeed + state.step);
            Tensor output, loss;
            if (autocast) torch.set_autocast_enabled(torch.DeviceType.CUDA, true);
            try {
                output = model.logits(mix == null ? objective.input(x) : mix.images());
                loss = loss(output, y);
                if (mix != null) loss = loss.mul(new Scalar(mix.lam())).add(loss(output, mix.partnerLabels()).mul(new Scalar(1 - mix.lam())));
            } finally {
                if (autocast) torch.set_autocast_enabled(torch.DeviceType.CUDA, false);
            }
            float value = finite(loss.item_float());
            backward(loss);
            if (views != null) value += fixMatchBackward(views);
            if (scaler == null) {
                if (clipGradNorm != null) torch.clip_grad_norm_(clipped, clipGradNorm);
                optimizer.step();
            } else {
                boolean finite = scaler.unscale(model.namedParameters().values());
                if (finite) {
                    if (clipGradNorm != null) torch.clip_grad_norm_(clipped, clipGradNorm);
                    optimizer.step();
                }
                scaler.update(finite);
            }
            long correct = classifies ? objective.scores(output).argmax(new LongOptional(1), false).eq(y).sum().item_long() : 0;
            state.step++;
            state.stepInEpoch++;
            state.stepLoss = value;
            state.lossSumInEpoch += (double) value * b.size();
            state.imagesInEpoch += b.size();
            state.correctInEpoch += correct;
        }
    }

    /** {@code value}, if it is a finite loss; else the step fails before any weight changes. */
    private float finite(float value) {
        if (!Float.isFinite(value)) {
            throw new NonFiniteLossException("loss is " + value + " at epoch " + state.epoch + ", step " + (state.step + 1)
                    + " (the weights before this step are kept; lower train.optimizer.lr or set train.clipGradNorm)");
        }
        return value;
    }

    /** Accumulates the gradients of {@code loss} (scaled, with mixed precision). */
    private void backward(Tensor loss) {
        if (scaler == null) loss.backward();
        else scaler.scaled(loss).backward();
    }

    /**
     * FixMatch's unlabelled part of a step: the weak views' predictions without gradients (the
     * network in training mode, as in the paper), pseudo-labels where their top probability
     * reaches the threshold, and the gradients of the strong views' loss on them, accumulated in
     * passes of {@link #chunk} images, each pass's mean loss weighted by its share of the
     * unlabelled batch: in all, {@code weight} times the mean over the unlabelled batch, images
     * below the threshold counting zero. A single image above the threshold is left out (batch
     * norm cannot train on one). Returns the unlabelled loss.
     */
    private float fixMatchBackward(UnlabelledStream.Views views) {
        int u = views.weak().size();
        Tensor weak = onDevice(views.weak().images()), strong = onDevice(views.strong().images());
        int chunk = Math.max(2, Math.min(this.chunk, u));
        float[] confidence = new float[u];
        long[] pseudo = new long[u];
        if (autocast) torch.set_autocast_enabled(torch.DeviceType.CUDA, true);
        try (var noGrad = Scope.noGrad()) {
            for (int[] part : parts(u, chunk)) {
                Tensor out = model.logits(weak.narrow(0, part[0], part[1]));
                Tensor p = objective.probabilities(out);
                var top = p.max(1, false);
                System.arraycopy(TensorMemory.toFloats(top.get0()), 0, confidence, part[0], part[1]);
                System.arraycopy(TensorMemory.toLongs(top.get1()), 0, pseudo, part[0], part[1]);
            }
        } finally {
            if (autocast) torch.set_autocast_enabled(torch.DeviceType.CUDA, false);
        }
        long[] truth = unlabelled.truthKnown() ? TensorMemory.toLongs(views.weak().labels()) : null;
        int kept = 0, right = 0;
        long[] chosen = new long[u], labels = new long[u];
        double[] flex = unlabelled.flexThresholds(); // null: FixMatch's one threshold
        if (flex != null) {
            // the step's thresholds are the memory's before it learns from this batch, as FlexMatch's
            for (int i = 0; i < u; i++) if (confidence[i] >= unlabelled.threshold) unlabelled.learn(views.indices()[i], (int) pseudo[i]);
        }
        for (int i = 0; i < u; i++) {
            if (confidence[i] < (flex == null ? unlabelled.threshold : flex[(int) pseudo[i]])) continue;
            if (truth != null && truth[i] == pseudo[i]) right++;
            chosen[kept] = i;
            labels[kept++] = pseudo[i];
        }
        unlabelled.count(u, kept, right);
        if (kept < 2 || unlabelled.weight == 0) return 0;
        float total = 0;
        for (int[] part : parts(kept, chunk)) {
            Tensor idx = onDevice(TensorMemory.fromLongs(java.util.Arrays.copyOfRange(chosen, part[0], part[0] + part[1]), part[1]));
            Tensor target = onDevice(TensorMemory.fromLongs(java.util.Arrays.copyOfRange(labels, part[0], part[0] + part[1]), part[1]));
            Tensor l;
            if (autocast) torch.set_autocast_enabled(torch.DeviceType.CUDA, true);
            try {
                l = loss(model.logits(strong.index_select(0, idx)), target).mul(new Scalar(unlabelled.weight * part[1] / u));
            } finally {
                if (autocast) torch.set_autocast_enabled(torch.DeviceType.CUDA, false);
            }
            total += finite(l.item_float());
            backward(l);
        }
        return total;
    }

    /**
     * {@code n} items in passes of about {@code chunk}, as even as can be: {start, length} each.
     * No pass holds a single item when n >= 2 (a pass may then exceed chunk by one).
     */
    static List<int[]> parts(int n, int chunk) {
        int count = Math.min((n + chunk - 1) / chunk, Math.max(1, n / 2));
        List<int[]> out = new ArrayList<>(count);
        for (int i = 0, start = 0; i < count; i++) {
            int len = n / count + (i < n % count ? 1 : 0);
            out.add(new int[] {start, len});
            start += len;
        }
        return out;
    }

    private Tensor onDevice(Tensor t) {
        return device.isCuda() ? t.to(device.torch(), t.scalar_type()) : t;
    }

    /** Accuracy, negative log-likelihood and confusion matrix on {@code set}, in inference mode, one scope per batch. */
    public Evaluation evaluate(ImageSet set) {
        model.setTraining(false);
        int[] inOrder = new int[set.size()];
        for (int i = 0; i < inOrder.length; i++) inOrder[i] = i;
        return Evaluation.of(probabilities(evalLoader, set, inOrder, 0), set.labels(), set.classes());
    }

    /**
     * Mean absolute error, RMSE and R² per target on a regression {@code set}, in inference mode,
     * one scope per batch, of the network's outputs mapped back to the targets' units.
     */
    public RegressionEvaluation evaluateRegression(ImageSet set) {
        if (!regression) throw new IllegalStateException("this learner trains a classifier: use evaluate");
        model.setTraining(false);
        int[] inOrder = new int[set.size()];
        for (int i = 0; i < inOrder.length; i++) inOrder[i] = i;
        float[] out = new float[set.size() * set.targetNames().size()];
        int offset = 0;
        for (BatchBuffer.Batch b : evalLoader.epoch(set, inOrder, 0, false)) {
            try (var scope = Scope.evalBatch()) {
                float[] p = TensorMemory.toFloats(model.logits(onDevice(b.images())));
                System.arraycopy(p, 0, out, offset, p.length);
                offset += p.length;
            }
        }
        return RegressionEvaluation.of(scaling.restore(out), set.targets(), set.targetNames());
    }

    /** Mean squared error of the network's reconstructions of {@code set}'s clean images, in inference mode, one scope per batch. */
    public double evaluateReconstruction(ImageSet set) {
        if (!state.reconstruction) throw new IllegalStateException("this learner does not train a reconstruction objective");
        model.setTraining(false);
        int[] inOrder = new int[set.size()];
        for (int i = 0; i < inOrder.length; i++) inOrder[i] = i;
        double sum = 0;
        for (BatchBuffer.Batch b : evalLoader.epoch(set, inOrder, 0, false)) {
            try (var scope = Scope.evalBatch()) {
                Tensor x = onDevice(b.images());
                sum += (double) torch.mse_loss(model.logits(x), x).item_float() * b.size();
            }
        }
        return sum / set.size();
    }

    /**
     * Test-time augmentation as fastai's {@code tta}: class probabilities averaged over
     * {@code views} passes through {@code augmenter} (each view its own seed), mixed with the
     * plain prediction: {@code plainWeight * plain + (1 - plainWeight) * mean(views)}. The loss
     * reported is the negative log-likelihood of the mixed probabilities.
     */
    public Evaluation evaluateWithTta(ImageSet set, Augmenter augmenter, int views, double plainWeight) {
        if (views < 1) throw new IllegalArgumentException("TTA needs views >= 1, got " + views);
        int n = set.size(), k = set.numClasses();
        int[] inOrder = new int[n];
        for (int i = 0; i < n; i++) inOrder[i] = i;
        model.setTraining(false);
        float[] plain = probabilities(evalLoader, set, inOrder, 0);
        float[] mean = new float[plain.length];
        try (var ttaLoader = new Loader(set.pixels().channels(), augmenter, norm, EVAL_BATCH, slot[0], slot[1], Loader.defaultWorkers(), 1)) {
            for (int v = 0; v < views; v++) {
                float[] p = probabilities(ttaLoader, set, inOrder, v + 1);
                for (int i = 0; i < p.length; i++) mean[i] += p[i] / views;
            }
        }
        float[] mixed = new float[plain.length];
        for (int i = 0; i < mixed.length; i++) mixed[i] = (float) (plainWeight * plain[i] + (1 - plainWeight) * mean[i]);
        return Evaluation.of(mixed, set.labels(), set.classes());
    }

    /** Softmax probabilities of every image of {@code set}, row-major {@code [n, classes]}. */
    private float[] probabilities(Loader from, ImageSet set, int[] order, long seed) {
        int k = set.numClasses();
        float[] out = new float[set.size() * k];
        int offset = 0;
        for (BatchBuffer.Batch b : from.epoch(set, order, seed, false)) {
            try (var scope = Scope.evalBatch()) {
                Tensor output = model.logits(onDevice(b.images()));
                float[] p = TensorMemory.toFloats(objective.probabilities(output));
                System.arraycopy(p, 0, out, offset, p.length);
                offset += p.length;
            }
        }
        return out;
    }

    private void emit(Event e) {
        for (Callback c : callbacks) c.on(e, state);
    }


    @Override
    public void close() {
        if (unlabelled != null) unlabelled.close();
        loader.close();
        evalLoader.close();
        optimizer.close();
        if (scaler != null) scaler.close();
        if (ownsObjective) objective.close();
    }

    /** A NaN or infinite training loss: the job stops; its last checkpoint stays. */
    public static final class NonFiniteLossException extends IllegalStateException {
        public NonFiniteLossException(String message) {
            super(message);
        }
    }
}
