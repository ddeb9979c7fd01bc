package dev.kinglet.run;

import java.util.ArrayList;
import java.util.List;

import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.CrossEntropy;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.dsl.TorchScriptBackbone;

/**
 * What of the recipe format this engine runs. The format describes every technique Kinglet
 * offers; parts the engine does not run yet are refused before anything starts, each with its
 * recipe path — never silently ignored. Advisory parts that do not change the trained model
 * (baselines, checkpoints) are reported as notices instead.
 */
public final class Support {
    private Support() {}

    public record Findings(List<String> errors, List<String> notices) {
        public boolean ok() {
            return errors.isEmpty();
        }

        /** Throws one {@link RecipeException} naming every refused path, if any. */
        public void throwIfRefused() {
            if (ok()) return;
            String first = errors.get(0);
            int colon = first.indexOf(": ");
            throw new RecipeException(first.substring(0, colon),
                    first.substring(colon + 2) + (errors.size() > 1 ? "\n  " + String.join("\n  ", errors.subList(1, errors.size())) : ""));
        }
    }

    public static Findings check(Recipe r) {
        List<String> errors = new ArrayList<>(), notices = new ArrayList<>();
        if (r.data().source() instanceof IdxSource && (!r.data().imageSize().isEmpty() || r.data().channels() != null)) {
            errors.add(notYet("data.imageSize", "resizing or converting IDX images", "their own size and channels (leave imageSize and channels out)"));
        }
        errors.addAll(RegressionSupport.check(r));
        switch (r.model().architecture()) {
            case TorchScriptBackbone t when r.model().weights() != null ->
                    errors.add("model.weights: a TorchScript backbone brings its own weights; leave model.weights out");
            case SmallCnn s when r.model().head() instanceof LinearHead h && h.dropout() != 0 ->
                    errors.add("model.head.dropout: smallCnn has its own dropout before its last layer: set model.architecture.dropout instead");
            default -> { }
        }
        if (r.model().head() instanceof dev.kinglet.dsl.EmbeddingHead && !(r.loss() instanceof CosineLoss)) {
            errors.add("model.head: an embedding head is trained by the cosine loss: set loss: {type: cosine}, or use {type: linear}");
        }
        if (r.train().fineTune() != null && r.model().weights() == null && r.pretrain() == null && !(r.model().architecture() instanceof TorchScriptBackbone)) {
            errors.add("train.fineTune: fine-tuning needs pretrained weights in model.weights or a pretrain section; leave fineTune out to train from scratch");
        }
        if (r.train().earlyStopping() != null && r.data().split() instanceof dev.kinglet.dsl.Holdout h && h.validation() == 0) {
            errors.add("train.earlyStopping: data.split.validation is 0, so there are no validation images to stop on; leave earlyStopping out or set a validation share, e.g. 0.2");
        }
        if (r.pretrain() != null && r.model().weights() != null) {
            errors.add("pretrain: the pre-trained encoder and model.weights would both initialise the body; keep one");
        }
        if (r.pretrain() != null && !dev.kinglet.model.AutoencoderNet.supports(r.model().architecture())) {
            errors.add(notYet("pretrain", "autoencoder pre-training of " + typeName(r.model().architecture()), "smallCnn, resnet and wideResNet"));
        }
        switch (r.loss()) {
            case CrossEntropy ce -> { }
            case CosineLoss c -> { }
            case dev.kinglet.dsl.RegressionLoss l -> { }
        }
        if (r.ensemble().snapshots()) errors.addAll(snapshotErrors(r));
        if (r.ensemble().snapshots() && r.train().budgetInSteps()) {
            errors.add("train.steps: snapshot cycles end on epochs the recipe names; with ensemble.snapshots give train.epochs, not train.steps or train.minSteps");
        }
        errors.addAll(FrozenBackbone.problems(r.baseline()));
        if (r.learningCurve() != null && r.learningCurve().points() < 3) {
            notices.add("learningCurve: a power law needs 3 points or more; with " + r.learningCurve().points() + " the report shows the curve without a fit");
        }
        return new Findings(errors, notices);
    }

    /** A snapshot ensemble takes one member per cycle of a warm-restart schedule, from a single run that ends at a cycle's end. */
    private static List<String> snapshotErrors(Recipe r) {
        List<String> errors = new ArrayList<>();
        var train = r.train();
        if (train.schedule() instanceof dev.kinglet.dsl.Schedule.CosineRestarts restarts) { // the recipe refuses other schedules with snapshots
            var ends = dev.kinglet.train.LrSchedule.cycleEnds(restarts, train.epochs());
            if (ends.size() < 2 || ends.get(ends.size() - 1) != train.epochs()) {
                int nextCycle = (int) Math.min(100_000, restarts.cycleEpochs() * Math.pow(restarts.multiplier(), ends.size()));
                var shown = dev.kinglet.train.LrSchedule.cycleEnds(restarts, train.epochs() + nextCycle);
                errors.add("train.epochs: " + train.epochs() + " must end a cycle of train.schedule, with at least 2 cycles for ensemble.snapshots; "
                        + "cycles end after epochs " + shown.subList(Math.max(0, shown.size() - 5), shown.size()));
            }
        }
        if (r.ensemble().members() > 1) errors.add("ensemble.members: snapshots come from one run per job; set members: 1 with snapshots: true, or snapshots: false");
        if (train.fineTune() != null) errors.add(notYet("ensemble.snapshots", "snapshot ensembles with train.fineTune (each stage restarts the schedule)", "snapshots when training from scratch"));
        if (train.earlyStopping() != null) errors.add("train.earlyStopping: a snapshot ensemble trains every cycle to its end; leave earlyStopping out");
        if (r.augment().tta().views() > 0) errors.add(notYet("augment.tta", "test-time augmentation of snapshot ensembles", "plain evaluation of each snapshot (tta views: 0)"));
        return errors;
    }

    /** The name a recipe file uses for {@code o}'s type, e.g. {@code resnet}. */
    public static String typeName(Object o) {
        var type = RecipeIo.tree(o).get("type");
        return type != null ? type.asString() : o.getClass().getSimpleName();
    }

    static String notYet(String path, String what, String supported) {
        return path + ": " + what + " is part of the recipe format but not run by Kinglet " + Provenance.kingletVersion()
                + " yet; what runs now: " + supported;
    }

    /** Refuses a recipe that asks for what this engine does not run, naming every path at once. */
    public static Findings check(Recipe recipe, Plan plan) {
        List<String> errors = new ArrayList<>(), notices = new ArrayList<>();
        plan.skipped().forEach((name, why) -> notices.add("variant " + name + " " + why));
        for (var e : plan.variants().entrySet()) {
            var f = check(e.getValue());
            String prefix = e.getKey().equals("base") ? "" : "variant " + e.getKey() + ": ";
            f.errors().forEach(m -> errors.add(prefix + m));
            if (e.getKey().equals("base")) notices.addAll(f.notices());
        }
        return new Findings(errors, notices);
    }
}
