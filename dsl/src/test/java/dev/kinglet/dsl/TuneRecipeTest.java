package dev.kinglet.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The tune section: parsing, defaults, and paths checked against the recipe up front. */
class TuneRecipeTest {
    private static final String BASE = """
            name: tuned
            data: {source: {type: idx, dir: somewhere}}
            augment:
              train: [{type: horizontalFlip}, {type: pad, pixels: 2}, {type: rotate, degrees: 10}]
            loss: {type: cosine, lambda: 0.1}
            """;

    private static Recipe read(String tune) {
        return RecipeIo.fromYaml(BASE + tune, "tuned.yaml");
    }

    @Test
    void aTuneSectionParsesWithListIndicesAndRoundTrips() {
        Recipe r = read("""
                tune:
                  space:
                    train.optimizer.lr: {logUniform: [1.0e-4, 1.0e-1]}
                    train.batchSize: {choice: [16, 32, 64]}
                    loss.lambda: {uniform: [0.05, 0.5]}
                    "augment.train[2].degrees": {uniform: [0, 30]}
                  trials: 8
                  epochs: 9
                  graceEpochs: 1
                  sampler: random
                  metric: balancedAccuracy
                """);
        Tune t = r.tune();
        assertThat(t.space().keySet()).containsExactly("train.optimizer.lr", "train.batchSize", "loss.lambda", "augment.train[2].degrees");
        assertThat(t.reduction()).isEqualTo(3);
        assertThat(t.workers()).isEqualTo(1);
        assertThat(t.validation()).isEqualTo(0.2);
        assertThat(t.maximize()).isTrue();
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(r), "json")).isEqualTo(r);
        assertThat(RecipeIo.fromYaml(RecipeIo.toYaml(r), "yaml")).isEqualTo(r);
        assertThat(Recipe.of("x", r.data()).tune()).isNull();
    }

    @Test
    void aPathThatIsNotInTheRecipeIsRefusedNamingIt() {
        assertThatThrownBy(() -> read("tune: {space: {train.optimizer.lrr: {uniform: [0.001, 0.01]}}}"))
                .isInstanceOf(RecipeException.class)
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.space.train.optimizer.lrr"))
                .hasMessageContaining("'lrr' is not a setting here").hasMessageContaining("lr");
        assertThatThrownBy(() -> read("tune: {space: {\"augment.train[5].degrees\": {uniform: [0, 30]}}}"))
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.space.augment.train[5].degrees"))
                .hasMessageContaining("index 5 is past the end of 'train' (3 items)");
        assertThatThrownBy(() -> read("tune: {space: {\"train.optimizer[0].lr\": {uniform: [0, 1]}}}"))
                .hasMessageContaining("'optimizer' is not a list");
        assertThatThrownBy(() -> read("tune: {space: {\"train..lr\": {uniform: [0, 1]}}}"))
                .hasMessageContaining("is not a recipe path");
    }

    @Test
    void onlyNumbersCanBeTunedAndWholeNumbersTakeWholeChoices() {
        assertThatThrownBy(() -> read("tune: {space: {train.precision: {uniform: [0, 1]}}}"))
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.space.train.precision"))
                .hasMessageContaining("is not a number");
        assertThatThrownBy(() -> read("tune: {space: {train.batchSize: {choice: [16, 32.5]}}}"))
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.space.train.batchSize"))
                .hasMessageContaining("whole");
        // a setting that is not set yet (clipping off) can be tuned
        assertThat(read("tune: {space: {train.clipGradNorm: {logUniform: [0.1, 10]}}}").tune().space()).hasSize(1);
    }

    @Test
    void rangesAndSettingsAreChecked() {
        assertThatThrownBy(() -> read("tune: {space: {train.optimizer.lr: {logUniform: [0, 0.1]}}}"))
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.space.train.optimizer.lr"))
                .hasMessageContaining("low > 0");
        assertThatThrownBy(() -> read("tune: {space: {train.optimizer.lr: {uniform: [0.1, 0.01]}}}")).hasMessageContaining("low < high");
        assertThatThrownBy(() -> read("tune: {space: {train.optimizer.lr: {uniform: [0.01, 0.1], choice: [1]}}}")).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> read("tune: {space: {}}")).hasMessageContaining("tune.space: is empty");
        assertThatThrownBy(() -> read("tune: {space: {train.optimizer.lr: {uniform: [0.01, 0.1]}}, metric: f1}"))
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.metric"));
        assertThatThrownBy(() -> read("tune: {space: {train.optimizer.lr: {uniform: [0.01, 0.1]}}, reduction: 1}"))
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.reduction"));
        assertThatThrownBy(() -> read("tune: {space: {train.optimizer.lr: {uniform: [0.01, 0.1]}}, epochs: 2, graceEpochs: 3}"))
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.graceEpochs"));
        assertThatThrownBy(() -> read("tune: {space: {seed: {uniform: [1, 9]}}}")).hasMessageContaining("cannot be tuned");
    }

    @Test
    void aVariantPathIsCheckedAgainstTheVariantsOwnRecipe() {
        Recipe base = read("");
        Map<String, TuneRange> space = new LinkedHashMap<>();
        space.put("loss.lambda", TuneRange.uniform(0.05, 0.5));
        Recipe cosine = RecipeIo.resolve(base, Variant.of("tuned", "tune", Tune.of(space)));
        assertThat(cosine.tune().space()).containsKey("loss.lambda");
        // cross-entropy has no lambda: the variant is refused, naming the tuned path and the variant
        assertThatThrownBy(() -> RecipeIo.resolve(base, Variant.of("ce", "tune", Tune.of(space)).and("loss", new CrossEntropy(null))))
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("tune.space.loss.lambda"))
                .hasMessageContaining("variant 'ce'");
    }

    @Test
    void listIndicesAreReadAndSetByPath() {
        Recipe base = read("");
        var tree = RecipeIo.tree(base);
        assertThat(RecipeIo.valueAt(tree, "augment.train[2].degrees").asDouble()).isEqualTo(10.0);
        assertThat(RecipeIo.valueAt(tree, "train.optimizer.lr").asDouble()).isEqualTo(1e-3);
        Recipe set = RecipeIo.resolve(base, Variant.of("rot", "augment.train[2].degrees", 25.0));
        assertThat(((AugmentOp.Rotate) set.augment().train().get(2)).degrees()).isEqualTo(25.0);
        assertThatThrownBy(() -> RecipeIo.valueAt(tree, "augment.train[3]")).hasMessageContaining("index 3 is past the end");
        assertThatThrownBy(() -> RecipeIo.valueAt(tree, "pretrain.epochs")).hasMessageContaining("'pretrain' is not set");
    }

    @Test
    void rangesMapTheUnitIntervalOntoTheirValues() {
        assertThat(TuneRange.logUniform(1e-4, 1e-1).at(0)).isCloseTo(1e-4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(TuneRange.logUniform(1e-4, 1e-1).at(0.5)).isCloseTo(Math.sqrt(1e-5), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(TuneRange.uniform(0, 30).at(0.25)).isEqualTo(7.5);
        assertThat(TuneRange.choice(16, 32, 64).at(0.0)).isEqualTo(16);
        assertThat(TuneRange.choice(16, 32, 64).at(0.5)).isEqualTo(32);
        assertThat(TuneRange.choice(16, 32, 64).at(0.9999)).isEqualTo(64);
    }
}
