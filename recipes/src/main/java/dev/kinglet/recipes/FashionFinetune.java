package dev.kinglet.recipes;

import java.util.List;

import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.Data;
import dev.kinglet.dsl.FineTune;
import dev.kinglet.dsl.Holdout;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.LearningCurve;
import dev.kinglet.dsl.LinearHead;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.Recipe;
import dev.kinglet.dsl.RecipeProvider;
import dev.kinglet.dsl.ResNet;
import dev.kinglet.dsl.Train;
import dev.kinglet.dsl.Variant;
import dev.kinglet.dsl.WeightsFile;

/**
 * Step 2 of the transfer demo: 10 labelled images per class of Fashion-MNIST's classes 5-9
 * (sandal, shirt, sneaker, bag, ankle boot), tested on their 5,000 official test images. The
 * base fine-tunes fashion-pretrain's ResNet-18 (classes 0-4: a related task, other classes):
 * a new head, then every layer at half the peak rate (freezeEpochs 0, lrMult 1.0); the variant
 * trains the same network from scratch for the same epochs. Five draws of the 50 labelled
 * images, shared by both. fastai's defaults (the head alone for a frozen epoch or two, then
 * discriminative rates with lrMult 0.1) measured 63.3% ± 7.2 here against 71.8% ± 2.9 from
 * scratch: 48 steps at a hundredth of the rate are too few for the body to adapt to new
 * classes, so the recipe fine-tunes every layer at one rate.
 * Measured (fashion-pretrain: 3 epochs, 92.72% on its 5,000 test images, 166 s on 2 cores):
 * fine-tuned 76.22% ± 3.63, from scratch 71.76% ± 2.92 (mean ± standard deviation of the five
 * draws); paired per draw the fine-tuned model was 4.46 points better, 95% interval
 * [0.91, 8.01]. Run fashion-pretrain first:
 * {@code kinglet run fashion-pretrain && kinglet run fashion-finetune}.
 */
public final class FashionFinetune implements RecipeProvider {
    @Override
    public Recipe recipe() {
        Data data = new Data(IdxSource.fashionMnist(FashionPretrain.FULL)).withClasses(FashionPretrain.SECOND).withSplit(new Holdout(0.05, 1));
        return Recipe.of("fashion-finetune", data)
                .withDescription("Fine-tune fashion-pretrain's ResNet-18 on 10 images per class of classes 5-9, against training from scratch")
                .withModel(new Model(new ResNet(18),
                        new WeightsFile("runs/fashion-pretrain/latest/jobs/base.all.f0.s0.m0/model.pth", true, true), new LinearHead(0.0)))
                .withTrain(new Train(new Adam(2e-3, 1e-4), 12, 16).withFineTune(new FineTune(0, 1.0, false)))
                .withLearningCurve(new LearningCurve(List.of(10), null, 5, null))
                .withVariants(Variant.of("scratch", "model.weights", null).and("train.fineTune", null));
    }
}
