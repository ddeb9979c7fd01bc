package dev.kinglet.dsl;

/**
 * A convolutional (denoising, when {@code noise} > 0) autoencoder trained on {@code data} (by
 * default the training images without their labels); its encoder initialises the model.
 */
public record Autoencoder(DataSource data, Integer epochs, Double noise, Double lr, Integer batchSize) implements Pretrain {
    public Autoencoder {
        epochs = epochs == null ? 20 : epochs;
        noise = noise == null ? 0.1 : noise;
        lr = lr == null ? 1e-3 : lr;
        batchSize = batchSize == null ? 64 : batchSize;
        RecipeException.require(epochs >= 1, "pretrain.epochs", "must be >= 1, e.g. 20");
        RecipeException.require(noise >= 0 && noise < 1, "pretrain.noise", "must be in [0, 1), the std of Gaussian input noise, e.g. 0.1");
        RecipeException.require(lr > 0 && lr < 10, "pretrain.lr", "must be in (0, 10), e.g. 0.001");
        RecipeException.require(batchSize >= 1, "pretrain.batchSize", "must be >= 1, e.g. 64");
    }
}
