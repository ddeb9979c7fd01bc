package dev.kinglet.run;

import java.util.ArrayList;
import java.util.List;

import dev.kinglet.dsl.AugmentOp;
import dev.kinglet.dsl.CosineLoss;
import dev.kinglet.dsl.CrossEntropy;
import dev.kinglet.dsl.CutMix;
import dev.kinglet.dsl.MixUp;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.SmallCnn;

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
        if (r.data().source() instanceof dev.kinglet.dsl.CsvManifest c && c.task() == dev.kinglet.dsl.CsvManifest.Task.REGRESSION) {
            errors.add(notYet("data.source.task", "regression", "classification"));
        }
        if (!(r.model().architecture() instanceof SmallCnn)) {
            errors.add(notYet("model.architecture", typeName(r.model().architecture()), "smallCnn"));
        }
        if (r.model().weights() != null) errors.add(notYet("model.weights", "pretrained weights", "random initialisation (leave weights out)"));
        if (!(r.model().head() instanceof LinearHead h) || h.dropout() != 0) {
            errors.add(notYet("model.head", "this head for smallCnn", "{type: linear} without dropout (smallCnn has its own: model.architecture.dropout)"));
        }
        if (r.pretrain() != null) errors.add(notYet("pretrain", typeName(r.pretrain()), "no pre-training"));
        for (int i = 0; i < r.augment().train().size(); i++) {
            AugmentOp op = r.augment().train().get(i);
            if (op instanceof MixUp || op instanceof CutMix) errors.add(notYet("augment.train[" + i + "]", typeName(op), "per-image ops"));
        }
        switch (r.loss()) {
            case CrossEntropy ce -> { }
            case CosineLoss c -> errors.add(notYet("loss", "cosine", "crossEntropy"));
        }
        if (r.train().fineTune() != null) errors.add(notYet("train.fineTune", "fine-tuning stages", "no fineTune (training from scratch)"));
        if (r.train().clipGradNorm() != null) errors.add(notYet("train.clipGradNorm", "gradient clipping", "no clipping"));
        if (r.train().ema() != null) errors.add(notYet("train.ema", "weight EMA", "no EMA"));
        if (r.train().earlyStopping() != null) errors.add(notYet("train.earlyStopping", "early stopping", "no early stopping"));
        if (r.train().precision().equals("mixed")) errors.add(notYet("train.precision", "mixed precision", "float32"));
        if (r.ensemble().members() > 1 || r.ensemble().snapshots()) errors.add(notYet("ensemble", "ensembles", "{members: 1}"));
        if (r.learningCurve() != null) errors.add(notYet("learningCurve", "learning curves", "no learningCurve"));
        if (!r.baseline().models().isEmpty()) {
            notices.add("baseline: " + r.baseline().models().stream().map(Support::typeName).toList()
                    + " not run: this Kinglet version has no baselines yet; results are not compared with one");
        }
        if (r.output().checkpoints()) notices.add("output.checkpoints: this Kinglet version writes no per-epoch checkpoints; a killed run starts over");
        return new Findings(errors, notices);
    }

    /** The name a recipe file uses for {@code o}'s type, e.g. {@code resnet}. */
    static String typeName(Object o) {
        var type = RecipeIo.tree(o).get("type");
        return type != null ? type.asString() : o.getClass().getSimpleName();
    }

    private static String notYet(String path, String what, String supported) {
        return path + ": " + what + " is part of the recipe format but not run by Kinglet " + Provenance.kingletVersion()
                + " yet; what runs now: " + supported;
    }
}
