package dev.kinglet.baseline;

import dev.kinglet.data.ImageSet;

/**
 * What a baseline model sees of each image: one feature vector per image of {@code set}, in its
 * order, all of one length. Raw pixels are {@link PixelExtractor}; a frozen pretrained
 * network's pooled features are {@link BackboneExtractor}.
 */
@FunctionalInterface
public interface FeatureExtractor {
    float[][] extract(ImageSet set);
}
