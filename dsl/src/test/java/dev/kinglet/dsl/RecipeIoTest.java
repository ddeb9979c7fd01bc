package dev.kinglet.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecipeIoTest {
    private final Recipe recipe = Recipe.of("fashion-quick", new Data(IdxSource.fashionMnist("test-data/fashion-mnist")))
            .withDescription("demo").withModel(new Model(new SmallCnn(16, null, null, 0.1)))
            .withTrain(new Train(new Sgd(0.05, null, null, true), 3, 32)).withSeed(7);

    @Test
    void jsonAndYamlRoundTrip() {
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(recipe), "json")).isEqualTo(recipe);
        String yaml = RecipeIo.toYaml(recipe);
        assertThat(yaml).contains("type: smallCnn").doesNotContain("!");
        assertThat(RecipeIo.fromYaml(yaml, "yaml")).isEqualTo(recipe);
    }

    @Test
    void defaultsFillWhatIsLeftOut() {
        Recipe r = RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                """, "tiny.yaml");
        assertThat(r.train().epochs()).isEqualTo(10);
        assertThat(r.train().optimizer()).isEqualTo(new Adam(1e-3, 0.0));
        assertThat(r.model().architecture()).isEqualTo(new SmallCnn(32, 64, 128, 0.25));
        assertThat(r.seed()).isEqualTo(42L);
    }

    @Test
    void unknownKeyIsAnErrorWithPathAndSuggestion() {
        assertThatThrownBy(() -> RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                train: {optimizer: {type: adam, lrr: 0.01}}
                """, "tiny.yaml"))
                .isInstanceOf(RecipeException.class)
                .hasMessageContaining("train.optimizer.lrr").hasMessageContaining("did you mean 'lr'");
    }

    @Test
    void invalidValueNamesTheRecipePathAndAGoodValue() {
        assertThatThrownBy(() -> RecipeIo.fromJson("""
                {"name": "tiny", "data": {"source": {"type": "idx", "dir": "x"}}, "train": {"optimizer": {"type": "adam", "lr": -1}}}
                """, "tiny.json"))
                .isInstanceOf(RecipeException.class)
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("train.optimizer.lr"))
                .hasMessageContaining("e.g. 0.001");
        assertThatThrownBy(() -> new Train(null, 0, null)).hasMessageStartingWith("train.epochs:");
    }

    @Test
    void adamWHasItsDefaultsAndChecksItsBetas() {
        Recipe r = RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                train: {optimizer: {type: adamW}, ema: 0.99, earlyStopping: {metric: loss}}
                """, "tiny.yaml");
        assertThat(r.train().optimizer()).isEqualTo(new AdamW(1e-3, 0.01, java.util.List.of(0.9, 0.999)));
        assertThat(r.train().earlyStopping()).isEqualTo(new EarlyStopping("loss", 5));
        assertThat(RecipeIo.fromJson(RecipeIo.toJson(r), "json")).isEqualTo(r);
        assertThatThrownBy(() -> RecipeIo.fromYaml("""
                name: tiny
                data: {source: {type: idx, dir: somewhere}}
                train: {optimizer: {type: adamW, betas: [0.9]}}
                """, "tiny.yaml"))
                .isInstanceOf(RecipeException.class)
                .satisfies(e -> assertThat(((RecipeException) e).path()).isEqualTo("train.optimizer.betas"));
    }
}
