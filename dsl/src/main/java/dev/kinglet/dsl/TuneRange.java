package dev.kinglet.dsl;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where one tuned value is drawn from: exactly one of {@code uniform: [low, high]},
 * {@code logUniform: [low, high]} (uniform in the logarithm, for learning rates and weight
 * decays; low > 0) or {@code choice: [a, b, ...]}. A value of an integer field (e.g.
 * {@code train.batchSize}) is rounded to the nearest integer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL) // written as {logUniform: [a, b]}, not with the two kinds left out
public record TuneRange(List<Double> uniform, List<Double> logUniform, List<Double> choice) {
    public TuneRange {
        uniform = uniform == null ? null : List.copyOf(uniform);
        logUniform = logUniform == null ? null : List.copyOf(logUniform);
        choice = choice == null ? null : List.copyOf(choice);
        int given = (uniform == null ? 0 : 1) + (logUniform == null ? 0 : 1) + (choice == null ? 0 : 1);
        RecipeException.require(given == 1, "tune.space",
                "each parameter takes exactly one of uniform: [low, high], logUniform: [low, high] or choice: [a, b, ...], e.g. {logUniform: [1e-4, 1e-1]}");
        if (uniform != null) bounds(uniform, "uniform", false);
        if (logUniform != null) bounds(logUniform, "logUniform", true);
        if (choice != null) {
            RecipeException.require(!choice.isEmpty() && choice.stream().allMatch(v -> v != null && Double.isFinite(v)), "tune.space",
                    "choice needs at least one number, e.g. {choice: [16, 32, 64]}");
        }
    }

    public static TuneRange uniform(double low, double high) {
        return new TuneRange(List.of(low, high), null, null);
    }

    public static TuneRange logUniform(double low, double high) {
        return new TuneRange(null, List.of(low, high), null);
    }

    public static TuneRange choice(double... values) {
        return new TuneRange(null, null, java.util.Arrays.stream(values).boxed().toList());
    }

    /** The value at {@code u} in [0, 1): a quantile of the range, or choice {@code floor(u * n)}. */
    public double at(double u) {
        if (choice != null) return choice.get(Math.min(choice.size() - 1, (int) Math.floor(u * choice.size())));
        if (uniform != null) return uniform.get(0) + u * (uniform.get(1) - uniform.get(0));
        double lo = Math.log(logUniform.get(0)), hi = Math.log(logUniform.get(1));
        return Math.exp(lo + u * (hi - lo));
    }

    /** The smallest and largest value this range can give. */
    public double low() {
        return choice != null ? choice.stream().mapToDouble(d -> d).min().orElseThrow() : (uniform != null ? uniform : logUniform).get(0);
    }

    public double high() {
        return choice != null ? choice.stream().mapToDouble(d -> d).max().orElseThrow() : (uniform != null ? uniform : logUniform).get(1);
    }

    private static void bounds(List<Double> b, String kind, boolean positive) {
        RecipeException.require(b.size() == 2 && b.get(0) != null && b.get(1) != null && Double.isFinite(b.get(0)) && Double.isFinite(b.get(1))
                        && b.get(0) < b.get(1) && (!positive || b.get(0) > 0), "tune.space",
                kind + " needs [low, high] with low < high" + (positive ? " and low > 0" : "") + ", e.g. {" + kind + ": "
                        + (positive ? "[1e-4, 1e-1]" : "[0, 30]") + "}");
    }
}
