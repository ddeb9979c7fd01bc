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

    @Test
    void yamlRecipesEqualTheJavaRecipes() throws Exception {
        for (String name : new String[] {"fashion-quick", "fashion-compare"}) {
            assertThat(RecipeIo.read(ROOT.resolve("yaml/" + name + ".yaml"))).as(name).isEqualTo(RecipeCatalog.resolve(name));
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
        for (String name : new String[] {"fashion-quick", "fashion-compare"}) {
            String yaml = Files.readString(ROOT.resolve("yaml/" + name + ".yaml"));
            assertThat(schema.validate(yaml, InputFormat.YAML)).as(name).isEmpty();
            assertThat(schema.validate(RecipeIo.toJson(RecipeCatalog.resolve(name)), InputFormat.JSON)).as(name + " resolved").isEmpty();
        }
        String typo = Files.readString(ROOT.resolve("yaml/fashion-quick.yaml")).replace("batchSize:", "batchSise:");
        assertThat(schema.validate(typo, InputFormat.YAML)).isNotEmpty();
    }
}
