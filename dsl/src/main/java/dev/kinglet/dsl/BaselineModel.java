package dev.kinglet.dsl;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A classical model of {@code baseline.models}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RandomForest.class, name = "randomForest"),
        @JsonSubTypes.Type(value = LogisticRegression.class, name = "logisticRegression"),
        @JsonSubTypes.Type(value = XGBoost.class, name = "xgboost")})
public sealed interface BaselineModel permits RandomForest, LogisticRegression, XGBoost {}
