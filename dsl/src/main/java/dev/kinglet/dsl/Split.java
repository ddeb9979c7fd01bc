package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** How the labelled training data is divided for validation (model selection, tuning). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = Holdout.class, name = "holdout"), @JsonSubTypes.Type(value = KFold.class, name = "kFold"),
        @JsonSubTypes.Type(value = AutoSplit.class, name = "auto")})
public sealed interface Split permits Holdout, KFold, AutoSplit {
    /** Number of train/validation pairs this protocol makes. */
    int folds();
}
