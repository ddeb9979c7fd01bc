package dev.kinglet.train;

import dev.kinglet.dsl.FineTune;
import dev.kinglet.model.Network;

/**
 * fastai's {@code fine_tune} over {@link Learner#fit}: train the new head with the body frozen
 * (weights and batch-norm statistics) for {@code freezeEpochs}, then unfreeze and train all
 * layer groups at half the rate with discriminative rates ({@code lrMult} per group towards the
 * input), one schedule cycle per stage. {@code gradual} unfreezes one more group per epoch
 * (ULMFiT) under a single cycle instead.
 */
public final class FineTuning {
    private FineTuning() {}

    public static void run(Learner learner, LrSchedule schedule, FineTune ft, double lr, int epochs) {
        Network net = learner.model();
        if (ft.freezeEpochs() > 0) {
            net.freezeBody();
            learner.discriminative(1.0);
            schedule.restart(lr, ft.freezeEpochs());
            learner.fit(ft.freezeEpochs());
        }
        int rest = epochs - ft.freezeEpochs();
        learner.discriminative(ft.lrMult());
        schedule.restart(lr / 2, rest);
        if (!ft.gradual()) {
            net.freeze(0);
            learner.fit(rest);
            return;
        }
        for (int e = 0; e < rest; e++) {
            net.freeze(Math.max(0, net.frozenGroups() - 1));
            learner.fit(1);
        }
    }
}
