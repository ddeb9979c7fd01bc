package dev.kinglet.dsl;

import java.util.List;
import java.util.Map;

/**
 * What a geometric op does to the label. {@code negate} lists regression targets whose sign
 * flips with the image (a steering angle under a horizontal flip); {@code swap} maps classes
 * that trade places ({@code left: right}). A flip of a regression task with no rule is refused.
 */
public record LabelRule(List<String> negate, Map<String, String> swap) {
    public LabelRule {
        negate = negate == null ? List.of() : List.copyOf(negate);
        swap = swap == null ? Map.of() : Map.copyOf(swap);
    }
}
