package dev.kinglet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.kinglet.dsl.CrossEntropy;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.RegressionLoss;

/** The loss is chosen once, from the recipe's loss and the data's targets. */
class ObjectiveTest {
    static final Objective.CosineFactory NO_COSINE = () -> {
        throw new AssertionError("only the cosine loss builds class embeddings");
    };

    @Test
    void eachLossHasOneObjective() throws Exception {
        try (Objective o = Objective.of(new CrossEntropy(0.1), false, NO_COSINE)) {
            assertThat(o).isInstanceOfSatisfying(Objective.CrossEntropy.class, ce -> assertThat(ce.labelSmoothing()).isEqualTo(0.1));
        }
        try (Objective o = Objective.of(new RegressionLoss.SmoothL1(0.5), true, NO_COSINE)) {
            assertThat(o).isInstanceOfSatisfying(Objective.Regression.class, r -> assertThat(r.regression().kind()).isEqualTo(new RegressionLoss.SmoothL1(0.5)));
        }
        // regression targets with the default loss: mean squared error
        try (Objective o = Objective.of(new CrossEntropy(null), true, NO_COSINE)) {
            assertThat(o).isEqualTo(new Objective.Regression(RegressionObjective.MSE));
        }
        assertThatThrownBy(() -> Objective.of(new RegressionLoss.Mse(), false, NO_COSINE))
                .isInstanceOf(RecipeException.class).hasMessageContaining("loss").hasMessageContaining("class labels");
    }
}
