package dev.kinglet.recipes;

import java.util.List;

import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.Holdout;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.Train;

/**
 * Step 1 of the transfer demo: a ResNet-18 (TorchVision's architecture, one input channel)
 * trained on all 30,000 training images of Fashion-MNIST's classes 0-4 (t-shirt/top, trouser,
 * pullover, dress, coat) from Debian's dataset-fashion-mnist package. Its saved model.pth is
 * what fashion-finetune starts from, through runs/fashion-pretrain/latest. Numbers: see
 * FashionFinetune.
 */
public final class FashionPretrain implements RecipeProvider {
    static final String FULL = "/usr/share/datasets/fashion-mnist";
    static final List<String> FIRST = IdxSource.FASHION_MNIST_CLASSES.subList(0, 5), SECOND = IdxSource.FASHION_MNIST_CLASSES.subList(5, 10);

    @Override
    public Recipe recipe() {
        return Recipe.of("fashion-pretrain", new Data(IdxSource.fashionMnist(FULL)).withClasses(FIRST).withSplit(new Holdout(0.05, 1)))
                .withDescription("ResNet-18 trained on Fashion-MNIST classes 0-4 (30,000 images) for fashion-finetune")
                .withModel(new Model(new ResNet(18), null, new LinearHead(0.0)))
                .withTrain(new Train(new Adam(2e-3, 1e-4), 3, 128));
    }
}
