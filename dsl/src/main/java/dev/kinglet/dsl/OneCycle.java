package dev.kinglet.dsl;

/**
 * Smith's one-cycle policy as fastai's {@code fit_one_cycle}: cosine warm-up from lr/{@code divFactor}
 * to lr over {@code pctStart} of the steps, then cosine annealing to lr/({@code divFactor} x
 * {@code finalDivFactor}). The default schedule: on small data it trains fast and forgivingly.
 */
public record OneCycle(Double pctStart, Double divFactor, Double finalDivFactor) implements Schedule {
    public OneCycle {
        pctStart = pctStart == null ? 0.25 : pctStart;
        divFactor = divFactor == null ? 25.0 : divFactor;
        finalDivFactor = finalDivFactor == null ? 1e5 : finalDivFactor;
        RecipeException.require(pctStart > 0 && pctStart < 1, "train.schedule.pctStart", "must be in (0, 1), e.g. 0.25");
        RecipeException.require(divFactor >= 1, "train.schedule.divFactor", "must be >= 1, e.g. 25");
        RecipeException.require(finalDivFactor >= 1, "train.schedule.finalDivFactor", "must be >= 1, e.g. 100000");
    }
}
