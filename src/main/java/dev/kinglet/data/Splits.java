package dev.kinglet.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.kinglet.dsl.AllImages;
import dev.kinglet.dsl.AutoSplit;
import dev.kinglet.dsl.Fraction;
import dev.kinglet.dsl.Holdout;
import dev.kinglet.dsl.KFold;
import dev.kinglet.dsl.PerClass;
import dev.kinglet.dsl.Split;
import dev.kinglet.dsl.Subset;

/**
 * Stratified validation splits and nested labelled subsets, by seed. Positions refer to the
 * image set they are computed on. Every class keeps its share; a class's images are visited in
 * one seeded order, so the first 10 of a class are inside its first 50 (nested subsets).
 * Stratification by class does not apply to regression sets: they are one stratum
 * ({@code ImageSet.strata()}), so their splits and fractions are plain random ones.
 */
public final class Splits {
    private Splits() {}

    /** Positions of the training and validation part of one fold. */
    public record Fold(int[] train, int[] validation) {}

    /** Fold {@code index} (0 ≤ index < {@code split.folds()}) of {@code labels}. */
    public static Fold fold(Split split, int[] labels, int classes, int index, long seed) {
        return switch (split) {
            case Holdout h -> {
                List<int[]> byClass = shuffledByClass(labels, classes, seed + 7919L * index);
                List<Integer> train = new ArrayList<>(), val = new ArrayList<>();
                for (int[] members : byClass) {
                    int nVal = members.length < 2 || h.validation() == 0 ? 0 : Math.max(1, (int) Math.round(members.length * h.validation()));
                    for (int i = 0; i < members.length; i++) (i < nVal ? val : train).add(members[i]);
                }
                yield new Fold(sorted(train), sorted(val));
            }
            case AutoSplit a -> fold(a.choose(labels.length), labels, classes, index, seed); // a check or describe before the run chose
            case KFold k -> {
                int repeat = index / k.k(), part = index % k.k();
                List<int[]> byClass = shuffledByClass(labels, classes, seed + 7919L * repeat);
                List<Integer> train = new ArrayList<>(), val = new ArrayList<>();
                int offset = 0;
                for (int[] members : byClass) {
                    // Deal each class round-robin over the folds, continuing where the last class stopped.
                    for (int i = 0; i < members.length; i++) ((offset + i) % k.k() == part ? val : train).add(members[i]);
                    offset += members.length;
                }
                yield new Fold(sorted(train), sorted(val));
            }
        };
    }

    /** Positions (into {@code labels}) of the labelled subset; nested across sizes for one seed. */
    public static int[] subset(Subset subset, int[] labels, int classes, long seed) {
        return switch (subset) {
            case AllImages a -> identity(labels.length);
            case PerClass p -> take(shuffledByClass(labels, classes, seed), members -> Math.min(p.n(), members));
            case Fraction f -> take(shuffledByClass(labels, classes, seed), members -> (int) Math.max(1, Math.round(members * f.fraction())));
        };
    }

    private static int[] take(List<int[]> byClass, java.util.function.IntUnaryOperator count) {
        List<Integer> out = new ArrayList<>();
        for (int[] members : byClass) {
            int n = count.applyAsInt(members.length);
            for (int i = 0; i < n; i++) out.add(members[i]);
        }
        return sorted(out);
    }

    private static List<int[]> shuffledByClass(int[] labels, int classes, long seed) {
        List<int[]> out = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            final int cls = c;
            int[] members = java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == cls).toArray();
            SplittableRandom rng = new SplittableRandom(seed * 31 + c);
            for (int i = members.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = members[i]; members[i] = members[j]; members[j] = t;
            }
            out.add(members);
        }
        return out;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static int[] sorted(List<Integer> v) {
        int[] a = v.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a;
    }
}
