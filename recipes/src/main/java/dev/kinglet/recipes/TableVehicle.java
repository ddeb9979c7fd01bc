package dev.kinglet.recipes;

import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.Ensemble;
import dev.kinglet.dsl.Holdout;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;
import dev.kinglet.dsl.TableSource;

/**
 * A table instead of images: UCI's Vehicle silhouettes (846 rows, 18 numeric shape features, 4
 * classes; test-data/tables/vehicle.csv). Everything else is the table defaults: an MLP of
 * [512, 512] with batch norm and dropout 0.2, 60 epochs at batch 64, and a random forest, XGBoost
 * and logistic regression as baselines. The network is a deep ensemble of 5 seeds, on 3 hold-out
 * validation draws. Measured results are in recipes/yaml/table-vehicle.yaml.
 */
public final class TableVehicle implements RecipeProvider {
    @Override
    public Recipe recipe() {
        return Recipe.of("table-vehicle", new Data(new TableSource("test-data/tables/vehicle.csv", "Class")).withSplit(new Holdout(0.2, 3)))
                .withDescription("5 MLPs on UCI Vehicle (846 rows) against a random forest, XGBoost and logistic regression")
                .withEnsemble(new Ensemble(5, null));
    }
}
