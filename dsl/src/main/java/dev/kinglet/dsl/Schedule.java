package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** The learning-rate schedule over all training steps; {@code train.optimizer.lr} is its peak. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Schedule.Constant.class, name = "constant"),
        @JsonSubTypes.Type(value = OneCycle.class, name = "oneCycle"),
        @JsonSubTypes.Type(value = Schedule.Cosine.class, name = "cosine"),
        @JsonSubTypes.Type(value = Schedule.CosineRestarts.class, name = "cosineRestarts"),
        @JsonSubTypes.Type(value = Schedule.Step.class, name = "step")})
public sealed interface Schedule permits Schedule.Constant, OneCycle, Schedule.Cosine, Schedule.CosineRestarts, Schedule.Step {

    /** The same learning rate throughout. */
    record Constant() implements Schedule {}

    /** Linear warm-up for {@code warmupEpochs}, then cosine decay to {@code minLrFactor} x lr. */
    record Cosine(Double warmupEpochs, Double minLrFactor) implements Schedule {
        public Cosine {
            warmupEpochs = warmupEpochs == null ? 0.0 : warmupEpochs;
            minLrFactor = minLrFactor == null ? 0.0 : minLrFactor;
            RecipeException.require(warmupEpochs >= 0, "train.schedule.warmupEpochs", "must be >= 0, e.g. 1");
            RecipeException.require(minLrFactor >= 0 && minLrFactor < 1, "train.schedule.minLrFactor", "must be in [0, 1), e.g. 0.01");
        }
    }

    /**
     * SGDR (Loshchilov and Hutter): cosine cycles of {@code cycleEpochs}, each {@code multiplier}
     * times longer than the last; each cycle's end is a snapshot for snapshot ensembles.
     */
    record CosineRestarts(Integer cycleEpochs, Integer multiplier, Double minLrFactor) implements Schedule {
        public CosineRestarts {
            cycleEpochs = cycleEpochs == null ? 10 : cycleEpochs;
            multiplier = multiplier == null ? 1 : multiplier;
            minLrFactor = minLrFactor == null ? 0.0 : minLrFactor;
            RecipeException.require(cycleEpochs >= 1, "train.schedule.cycleEpochs", "must be >= 1, e.g. 10");
            RecipeException.require(multiplier >= 1 && multiplier <= 10, "train.schedule.multiplier", "must be in 1..10, e.g. 2");
            RecipeException.require(minLrFactor >= 0 && minLrFactor < 1, "train.schedule.minLrFactor", "must be in [0, 1), e.g. 0.0");
        }
    }

    /** Multiply the learning rate by {@code gamma} every {@code everyEpochs}. */
    record Step(Integer everyEpochs, Double gamma) implements Schedule {
        public Step {
            everyEpochs = everyEpochs == null ? 30 : everyEpochs;
            gamma = gamma == null ? 0.1 : gamma;
            RecipeException.require(everyEpochs >= 1, "train.schedule.everyEpochs", "must be >= 1, e.g. 30");
            RecipeException.require(gamma > 0 && gamma < 1, "train.schedule.gamma", "must be in (0, 1), e.g. 0.1");
        }
    }
}
