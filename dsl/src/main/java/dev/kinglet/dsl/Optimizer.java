package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The optimizer of {@code train.optimizer}. Weight decay never applies to biases and
 * normalisation parameters; Adam adds it to the gradient (L2), AdamW decays the weights directly.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Adam.class, name = "adam"), @JsonSubTypes.Type(value = AdamW.class, name = "adamW"),
        @JsonSubTypes.Type(value = Sgd.class, name = "sgd")})
public sealed interface Optimizer permits Adam, AdamW, Sgd {
    Double lr();

    Double weightDecay();

    static void checkCommon(double lr, double weightDecay) {
        RecipeException.require(lr > 0 && lr < 10, "train.optimizer.lr", "must be in (0, 10), e.g. 0.001");
        RecipeException.require(weightDecay >= 0 && weightDecay < 1, "train.optimizer.weightDecay", "must be in [0, 1), e.g. 0.0001");
    }
}
