package dev.kinglet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.kinglet.dsl.AutoSplit;
import dev.kinglet.dsl.Fraction;
import dev.kinglet.dsl.RecipeException;
import dev.kinglet.dsl.Holdout;
import dev.kinglet.dsl.KFold;
import dev.kinglet.dsl.PerClass;

class SplitsTest {
    /** 3 classes of 20, 20 and 60 images, interleaved. */
    static final int[] LABELS = IntStream.range(0, 100).map(i -> i < 60 ? i % 3 : 2).toArray();

    static int[] count(int[] positions) {
        int[] c = new int[3];
        for (int p : positions) c[LABELS[p]]++;
        return c;
    }

    @Test
    void holdoutIsStratifiedDisjointAndSeeded() {
        var fold = Splits.fold(new Holdout(0.2, 2), LABELS, 3, 0, 5);
        assertThat(count(fold.validation())).containsExactly(4, 4, 12);
        Set<Integer> all = new HashSet<>();
        for (int p : fold.train()) all.add(p);
        for (int p : fold.validation()) assertThat(all.add(p)).isTrue();
        assertThat(all).hasSize(100);
        assertThat(Splits.fold(new Holdout(0.2, 2), LABELS, 3, 0, 5).validation()).containsExactly(fold.validation());
        assertThat(Splits.fold(new Holdout(0.2, 2), LABELS, 3, 1, 5).validation()).isNotEqualTo(fold.validation());
    }

    @Test
    void aHoldoutOfZeroTrainsOnEveryImageAndIsStillRepeated() {
        Holdout none = new Holdout(0.0, 5);
        assertThat(none.folds()).isEqualTo(5);
        for (int f = 0; f < 5; f++) {
            var fold = Splits.fold(none, LABELS, 3, f, 5);
            assertThat(fold.validation()).isEmpty();
            assertThat(fold.train()).containsExactly(IntStream.range(0, 100).toArray());
        }
        assertThatThrownBy(() -> new Holdout(-0.1, 1)).isInstanceOf(RecipeException.class).hasMessageContaining("data.split.validation");
    }

    @Test
    void anAutoSplitChoosesByTheNumberOfLabelledImages() {
        AutoSplit auto = new AutoSplit(null);
        assertThat(auto.choose(100)).isEqualTo(new Holdout(0.0, 5));
        assertThat(auto.choose(AutoSplit.TINY)).isEqualTo(new Holdout(0.0, 5));
        assertThat(auto.choose(AutoSplit.TINY + 1)).isEqualTo(new Holdout(0.2, 3));
        assertThat(auto.choose(AutoSplit.SMALL + 1)).isEqualTo(new Holdout(0.2, 1));
        assertThat(auto.explain(100)).contains("100 labelled training images", "5 trainings of every job on all of them");
        assertThat(new AutoSplit(3).choose(10)).isEqualTo(new Holdout(0.0, 3));
        // before a run chose (check, describe): decided on the images it is given
        assertThat(Splits.fold(auto, LABELS, 3, 0, 5).validation()).isEmpty();
        assertThatThrownBy(() -> new AutoSplit(1)).isInstanceOf(RecipeException.class).hasMessageContaining("data.split.repeats");
    }

    @Test
    void kFoldValidationPartsCoverEveryImageOnce() {
        int[] seen = new int[100];
        for (int f = 0; f < 5; f++) {
            var fold = Splits.fold(new KFold(5, 1), LABELS, 3, f, 9);
            for (int p : fold.validation()) seen[p]++;
            assertThat(fold.train().length + fold.validation().length).isEqualTo(100);
        }
        assertThat(seen).containsOnly(1);
    }

    @Test
    void perClassSubsetsAreNestedAndBalanced() {
        int[] ten = Splits.subset(new PerClass(10), LABELS, 3, 11);
        int[] fifteen = Splits.subset(new PerClass(15), LABELS, 3, 11);
        assertThat(count(ten)).containsExactly(10, 10, 10);
        assertThat(count(fifteen)).containsExactly(15, 15, 15);
        assertThat(Arrays.stream(fifteen).boxed().toList()).containsAll(Arrays.stream(ten).boxed().toList());
        assertThat(Splits.subset(new PerClass(10), LABELS, 3, 12)).isNotEqualTo(ten);
        assertThat(count(Splits.subset(new Fraction(0.5), LABELS, 3, 11))).containsExactly(10, 10, 30);
    }
}
