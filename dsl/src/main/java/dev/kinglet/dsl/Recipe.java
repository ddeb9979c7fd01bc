package dev.kinglet.dsl;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A whole recipe. Only {@code name} and {@code data} are required; every other section has a
 * default that is good practice on small data (a baseline, a small CNN, Adam with a one-cycle
 * schedule, cross-entropy, one model, no learning curve, no hyper-parameter search).
 *
 * <pre>{@code
 * Recipe base = Recipe.of("birds", new Data(new ImageFolder("data/birds")));
 * Recipe cosine = base.withLoss(new CosineLoss(null, null));
 * }</pre>
 */
public record Recipe(String name, String description, Long seed, Data data, Baseline baseline, Model model, Pretrain pretrain, SemiSupervised semiSupervised,
                     Augment augment, Loss loss, Train train, Ensemble ensemble, LearningCurve learningCurve,
                     List<Variant> variants, Output output, Tune tune) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    public Recipe {
        RecipeException.require(name != null && NAME.matcher(name).matches(), "name",
                "'" + name + "' is not a recipe name: lower-case letters, digits, '.', '_' and '-', e.g. fashion-quick");
        description = description == null ? "" : description;
        seed = seed == null ? 42L : seed;
        RecipeException.require(data != null, "data", "missing: say where the images are, e.g. data: {source: {type: idx, dir: test-data/fashion-mnist}}");
        baseline = baseline == null ? data.table() ? Baseline.forTables() : Baseline.defaults() : baseline;
        model = model == null ? data.table() ? new Model(Mlp.forTables()) : Model.defaults() : model;
        augment = augment == null ? Augment.none() : augment;
        loss = loss != null ? loss : data.regression() ? new RegressionLoss.Mse() : new CrossEntropy(null);
        // a table's rows are few and cheap: 60 epochs at batch 64 (what the tabular benchmark measured, README "Tables")
        train = train == null ? data.table() ? Train.defaults().withEpochs(60) : Train.defaults() : train;
        ensemble = ensemble == null ? Ensemble.single() : ensemble;
        variants = variants == null ? List.of() : List.copyOf(variants);
        output = output == null ? Output.defaults() : output;
        RecipeException.require(semiSupervised == null || !data.regression(), "semiSupervised",
                "pseudo-labels are classes, but data.source.task is regression: leave semiSupervised out");
        if (data.table()) checkTable(model, pretrain, semiSupervised, augment, baseline);
        var names = new HashSet<String>();
        for (Variant v : variants) RecipeException.require(names.add(v.name()), "variants", "two variants are named '" + v.name() + "'");
        RecipeException.require(!ensemble.snapshots() || train.schedule() instanceof Schedule.CosineRestarts, "ensemble.snapshots",
                "snapshot ensembles take one member per restart: set train.schedule to {type: cosineRestarts}");
        if (tune != null) tune.checkPaths(RecipeIo.sections(seed, data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, output));
    }

    /** What a table's rows can go through: an MLP, MixUp on the encoded features, no image technique. */
    private static void checkTable(Model model, Pretrain pretrain, SemiSupervised semiSupervised, Augment augment, Baseline baseline) {
        String why = "data.source is a table: ";
        RecipeException.require(model.architecture() instanceof Mlp, "model.architecture",
                why + "its rows go into an mlp, e.g. {type: mlp, hidden: [512, 512], dropout: 0.2, norm: batch}");
        RecipeException.require(model.weights() == null, "model.weights", why + "pretrained weights are for images; leave model.weights out");
        for (int i = 0; i < augment.train().size(); i++) {
            RecipeException.require(augment.train().get(i) instanceof MixUp, "augment.train[" + i + "]",
                    why + "image augmentation does not apply to rows; the one augmentation for tables is {type: mixUp} on the encoded features");
        }
        RecipeException.require(augment.eval().isEmpty(), "augment.eval", why + "there is no image to resize or normalise (features are standardised on the training rows): leave it out");
        RecipeException.require(augment.tta().views() == 0, "augment.tta", why + "test-time augmentation is for images: leave it out");
        RecipeException.require(pretrain == null, "pretrain", why + "autoencoder pre-training is implemented for images only: leave pretrain out");
        RecipeException.require(semiSupervised == null, "semiSupervised", why + "semi-supervised learning is implemented for images only: leave semiSupervised out");
        RecipeException.require(baseline.features() instanceof PixelFeatures, "baseline.features",
                why + "baselines see the encoded features of the rows: leave baseline.features out");
    }

    /** A recipe with every default. */
    public static Recipe of(String name, Data data) {
        return new Recipe(name, null, null, data, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public Recipe withName(String v) { return new Recipe(v, description, seed, data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withDescription(String v) { return new Recipe(name, v, seed, data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withSeed(long v) { return new Recipe(name, description, v, data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withData(Data v) { return new Recipe(name, description, seed, v, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withBaseline(Baseline v) { return new Recipe(name, description, seed, data, v, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withModel(Model v) { return new Recipe(name, description, seed, data, baseline, v, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withSemiSupervised(SemiSupervised v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, v, augment, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withPretrain(Pretrain v) { return new Recipe(name, description, seed, data, baseline, model, v, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withAugment(Augment v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, semiSupervised, v, loss, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withLoss(Loss v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, semiSupervised, augment, v, train, ensemble, learningCurve, variants, output, tune); }
    public Recipe withTrain(Train v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, semiSupervised, augment, loss, v, ensemble, learningCurve, variants, output, tune); }
    public Recipe withEnsemble(Ensemble v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, semiSupervised, augment, loss, train, v, learningCurve, variants, output, tune); }
    public Recipe withLearningCurve(LearningCurve v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, v, variants, output, tune); }
    public Recipe withVariants(Variant... v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, List.of(v), output, tune); }
    public Recipe withTune(Tune v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, output, v); }
    public Recipe withOutput(Output v) { return new Recipe(name, description, seed, data, baseline, model, pretrain, semiSupervised, augment, loss, train, ensemble, learningCurve, variants, v, tune); }
}
