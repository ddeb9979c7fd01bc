package dev.kinglet.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import dev.kinglet.cli.RecipeCatalog;
import dev.kinglet.dsl.RecipeIo;
import dev.kinglet.dsl.RecipeSchema;

/** The YAML recipes equal the Java ones, and the shipped schema is current and accepts them. */
class RecipeFilesTest {
    static final Path ROOT = FashionQuickTest.repoRoot().resolve("recipes");
    static final String[] NAMES = {"fashion-quick", "fashion-compare", "fashion-augment", "fashion-autoencoder", "fashion-tuned", "table-vehicle"};

    @Test
    void yamlRecipesEqualTheJavaRecipes() throws Exception {
        for (String name : NAMES) {
            var yaml = RecipeIo.read(ROOT.resolve("yaml/" + name + ".yaml"));
            var java = RecipeCatalog.resolve(name);
            // variants are compared as the recipes they make: a YAML variant may leave defaults out
            assertThat(yaml.withVariants()).as(name).isEqualTo(java.withVariants());
            assertThat(yaml.variants()).hasSameSizeAs(java.variants());
            for (int i = 0; i < java.variants().size(); i++) {
                assertThat(yaml.variants().get(i).name()).isEqualTo(java.variants().get(i).name());
                assertThat(RecipeIo.resolve(yaml, yaml.variants().get(i))).as(name + " " + java.variants().get(i).name())
                        .isEqualTo(RecipeIo.resolve(java, java.variants().get(i)));
            }
        }
    }

    @Test
    void shippedSchemaIsGeneratedFromTheRecords() throws Exception {
        assertThat(Files.readString(ROOT.resolve("kinglet-recipe.schema.json")))
                .as("regenerate with: java -jar recipes/target/kinglet-recipes.jar schema > recipes/kinglet-recipe.schema.json")
                .isEqualTo(RecipeSchema.json());
    }

    @Test
    void schemaAcceptsTheExamplesAndCatchesATypo() throws Exception {
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(RecipeSchema.json(), InputFormat.JSON);
        for (String name : NAMES) {
            String yaml = Files.readString(ROOT.resolve("yaml/" + name + ".yaml"));
            assertThat(schema.validate(yaml, InputFormat.YAML)).as(name).isEmpty();
            assertThat(schema.validate(RecipeIo.toJson(RecipeCatalog.resolve(name)), InputFormat.JSON)).as(name + " resolved").isEmpty();
        }
        String typo = Files.readString(ROOT.resolve("yaml/fashion-quick.yaml")).replace("batchSize:", "batchSise:");
        assertThat(schema.validate(typo, InputFormat.YAML)).isNotEmpty();
        String rangeTypo = Files.readString(ROOT.resolve("yaml/fashion-tuned.yaml")).replace("{logUniform: [1.0e-6", "{logUniforn: [1.0e-6");
        assertThat(schema.validate(rangeTypo, InputFormat.YAML)).as("a misspelt tune range").isNotEmpty();
    }
}
