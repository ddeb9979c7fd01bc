package dev.kinglet.run;

import java.util.ArrayList;
import java.util.List;

import dev.kinglet.augment.RegressionRules;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RegressionLoss;

/**
 * What of a recipe fits its task: a regression task (a {@code csvManifest} with
 * {@code task: regression}) takes a regression loss and none of the parts made for classes;
 * a classification task takes no regression loss. Every geometric augmentation op needs a
 * label rule ({@link RegressionRules}); its target names are checked against the data's
 * when the pipelines are built.
 */
final class RegressionSupport {
    private RegressionSupport() {}

    static List<String> check(Recipe r) {
        List<String> errors = new ArrayList<>();
        boolean regression = r.data().regression();
        if (!regression) {
            if (r.loss() instanceof RegressionLoss) {
                errors.add("loss: " + Support.typeName(r.loss()) + " is a regression loss, but data.source is a classification source: "
                        + "use {type: crossEntropy}, or a csvManifest with task: regression");
            }
            return errors;
        }
        if (!(r.loss() instanceof RegressionLoss)) {
            errors.add("loss: " + Support.typeName(r.loss()) + " needs classes, but data.source.task is regression: use {type: mse} or {type: smoothL1}");
        }
        if (r.learningCurve() != null && !r.learningCurve().perClass().isEmpty()) {
            errors.add("learningCurve.perClass: a regression task has no classes to count images of: use fractions, e.g. [0.25, 0.5, 1.0]");
        }
        if (r.ensemble().members() > 1) {
            errors.add(Support.notYet("ensemble.members", "an ensemble of regression models", "one model per job (members: 1)"));
        }
        errors.addAll(RegressionRules.problems(r.augment().train(), "augment.train"));
        errors.addAll(RegressionRules.problems(r.augment().eval(), "augment.eval"));
        errors.addAll(RegressionRules.problems(r.augment().tta().ops(), "augment.tta.ops"));
        if (r.augment().tta().views() > 0) {
            errors.add(Support.notYet("augment.tta", "test-time augmentation of regression targets", "no TTA (views: 0)"));
        }
        return errors;
    }
}
