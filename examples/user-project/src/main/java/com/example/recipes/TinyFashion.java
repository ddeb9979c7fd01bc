package com.example.recipes;

import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.PerClass;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;
import dev.kinglet.dsl.Train;

/** A user's recipe: 10 labelled images per class, 3 epochs, everything else Kinglet's defaults. */
public final class TinyFashion implements RecipeProvider {
    @Override
    public Recipe recipe() {
        var data = new Data(IdxSource.fashionMnist("test-data/fashion-mnist")).withSubset(new PerClass(10));
        return Recipe.of("tiny-fashion", data)
                .withDescription("10 Fashion-MNIST images per class, 3 epochs")
                .withTrain(Train.defaults().withEpochs(3).withBatchSize(16));
    }
}
