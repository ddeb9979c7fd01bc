package dev.kinglet.dsl;

import java.util.Locale;

/**
 * A validation protocol chosen by the number of labelled training images, once the data is loaded
 * (the run prints its choice and records it in the run's {@code recipe.json}):
 * <ul>
 * <li>up to {@link #TINY} images: {@code repeats} trainings on <em>all</em> of them, no validation
 * image ({@code holdout} with {@code validation: 0}) — at such sizes a 20% hold-out costs a fifth
 * of the labels, and one training gives no interval; the repeats differ in initialisation, batch
 * order and augmentation draws, and pair every variant on the same ones;
 * <li>up to {@link #SMALL}: 3 stratified hold-outs of 20%;
 * <li>above: one hold-out of 20%.
 * </ul>
 * Nothing is chosen on validation under the first rule, so early stopping is refused there;
 * tuning scores its trials on its own inner split ({@code tune.validation}) either way.
 */
public record AutoSplit(Integer repeats) implements Split {
    /** At most this many labelled training images: every one trains, {@code repeats} times. */
    public static final int TINY = 2_000;
    /** At most this many: 3 hold-outs of 20%. */
    public static final int SMALL = 10_000;

    public AutoSplit {
        repeats = repeats == null ? 5 : repeats;
        RecipeException.require(repeats >= 2 && repeats <= 100, "data.split.repeats",
                "must be in 2..100 (the trainings on tiny data that give an interval), e.g. 5");
    }

    /** The protocol for {@code labelled} labelled training images. */
    public Holdout choose(int labelled) {
        if (labelled <= TINY) return new Holdout(0.0, repeats);
        return new Holdout(0.2, labelled <= SMALL ? 3 : 1);
    }

    /** What the run prints about its choice. */
    public String explain(int labelled) {
        Holdout h = choose(labelled);
        return String.format(Locale.ROOT, "data.split auto: %,d labelled training images %s: %s", labelled,
                labelled <= TINY ? "(at most " + String.format(Locale.ROOT, "%,d", TINY) + ")" : labelled <= SMALL ? "(at most " + String.format(Locale.ROOT, "%,d", SMALL) + ")" : "(more than " + String.format(Locale.ROOT, "%,d", SMALL) + ")",
                h.validation() == 0 ? h.repeats() + " trainings of every job on all of them, no validation images (the repeats give the intervals)"
                        : h.repeats() == 1 ? "one stratified hold-out of 20% for validation" : h.repeats() + " stratified hold-outs of 20% for validation");
    }

    /** Before the data is loaded: the most folds this can become. */
    @Override
    public int folds() {
        return repeats;
    }
}
