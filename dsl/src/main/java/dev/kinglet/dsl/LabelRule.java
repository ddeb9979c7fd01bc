package dev.kinglet.dsl;

import java.util.List;
import java.util.Map;

/**
 * What a geometric op does to the label. {@code negate} lists regression targets whose sign
 * flips with the image (a steering angle under a horizontal flip); {@code swap} maps classes
 * that trade places ({@code left: right}). On a regression task every geometric op (flips,
 * rotate, affine, perspective) needs a rule, as its effect on the targets cannot be guessed:
 * {@code {negate: []}} declares that it leaves them unchanged; only flips may negate targets
 * (a random rotation or shear changes no target by a sign). For classification the rule is
 * optional ({@code swap} only): without one the class is kept.
 */
public record LabelRule(List<String> negate, Map<String, String> swap) {
    public LabelRule {
        negate = negate == null ? List.of() : List.copyOf(negate);
        swap = swap == null ? Map.of() : Map.copyOf(swap);
    }
}
