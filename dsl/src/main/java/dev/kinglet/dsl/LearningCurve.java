package dev.kinglet.dsl;

import java.util.List;

/**
 * Train at growing amounts of labelled data — {@code perClass} images per class or
 * {@code fractions} of the training set, nested — each repeated over {@code seeds}; a power
 * law fitted to the curve estimates the labels a {@code targetAccuracy} would need.
 */
public record LearningCurve(List<Integer> perClass, List<Double> fractions, Integer seeds, Double targetAccuracy) {
    public LearningCurve {
        perClass = perClass == null ? List.of() : List.copyOf(perClass);
        fractions = fractions == null ? List.of() : List.copyOf(fractions);
        seeds = seeds == null ? 3 : seeds;
        RecipeException.require(perClass.isEmpty() != fractions.isEmpty(), "learningCurve",
                "give either perClass (e.g. [10, 50, 100]) or fractions (e.g. [0.1, 0.3, 1.0]), not both or neither");
        RecipeException.require(perClass.stream().allMatch(n -> n != null && n >= 1), "learningCurve.perClass", "values must be >= 1, e.g. [10, 50, 100]");
        RecipeException.require(fractions.stream().allMatch(f -> f != null && f > 0 && f <= 1), "learningCurve.fractions", "values must be in (0, 1], e.g. [0.1, 0.3, 1.0]");
        RecipeException.require(isIncreasing(perClass.stream().map(Integer::doubleValue).toList()) && isIncreasing(fractions),
                "learningCurve", "points must be strictly increasing, e.g. [10, 50, 100]");
        RecipeException.require(seeds >= 1 && seeds <= 100, "learningCurve.seeds", "must be in 1..100, e.g. 5");
        RecipeException.require(targetAccuracy == null || (targetAccuracy > 0 && targetAccuracy <= 1), "learningCurve.targetAccuracy",
                "must be in (0, 1], e.g. 0.9, or left out");
    }

    public int points() {
        return Math.max(perClass.size(), fractions.size());
    }

    private static boolean isIncreasing(List<Double> v) {
        for (int i = 1; i < v.size(); i++) if (!(v.get(i) > v.get(i - 1))) return false;
        return true;
    }
}
